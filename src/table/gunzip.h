#ifndef MNAS_TABLE_GUNZIP_H_
#define MNAS_TABLE_GUNZIP_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace mnas {

// The gunzipped content of `gz`; throws mnas::Error naming `source` for a damaged or truncated
// stream, or content beyond `max_bytes`.
std::string gunzip(std::string_view gz, const std::string& source, size_t max_bytes);

}  // namespace mnas

#endif  // MNAS_TABLE_GUNZIP_H_
