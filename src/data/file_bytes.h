#ifndef MNAS_DATA_FILE_BYTES_H_
#define MNAS_DATA_FILE_BYTES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mnas {

// The whole content of `path`, gunzipped when it starts with the gzip magic. Throws mnas::Error:
// kIo when it cannot be opened or is not a regular file; kInvalidInput when a gzip stream is
// corrupt or truncated, or the content is larger than `max_bytes` (checked before reading a raw
// file, and while inflating a gzip one: inflation stops there).
std::vector<uint8_t> read_file_bytes(const std::string& path, size_t max_bytes = size_t{1} << 32);

// The first `n` bytes of `path` (gunzipped as above; fewer when it is shorter): enough to read a
// header and know how much the whole file may hold before reading it.
std::vector<uint8_t> read_file_prefix(const std::string& path, size_t n);

// Big-endian 32-bit integer at `offset` (the caller checks the size).
uint32_t read_be32(const std::vector<uint8_t>& bytes, size_t offset);

}  // namespace mnas

#endif  // MNAS_DATA_FILE_BYTES_H_
