#ifndef MNAS_DATA_FILE_BYTES_H_
#define MNAS_DATA_FILE_BYTES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mnas {

// The whole content of `path`, gunzipped when it starts with the gzip magic. Throws mnas::Error:
// kIo when it cannot be opened or is a directory; kInvalidInput when a gzip stream is corrupt or truncated, or the
// content is larger than `max_bytes`.
std::vector<uint8_t> read_file_bytes(const std::string& path, size_t max_bytes = size_t{1} << 32);

// Big-endian 32-bit integer at `offset` (the caller checks the size).
uint32_t read_be32(const std::vector<uint8_t>& bytes, size_t offset);

}  // namespace mnas

#endif  // MNAS_DATA_FILE_BYTES_H_
