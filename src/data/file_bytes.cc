#include "data/file_bytes.h"

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "space/error.h"

namespace mnas {

std::vector<uint8_t> read_file_bytes(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(path + ": is a directory, not a file", Error::Kind::kIo);
  }
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw Error(path + ": cannot be opened", Error::Kind::kIo);
  unsigned char magic[2] = {0, 0};
  probe.read(reinterpret_cast<char*>(magic), 2);
  const bool gzip = probe.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  probe.close();

  std::vector<uint8_t> bytes;
  if (!gzip) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const std::streamoff size = in.tellg();
    if (size < 0) throw Error(path + ": cannot be read", Error::Kind::kIo);
    if (static_cast<size_t>(size) > max_bytes) throw Error(path + ": larger than expected");
    bytes.resize(static_cast<size_t>(size));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), size);
    if (!in) throw Error(path + ": read failed", Error::Kind::kIo);
    return bytes;
  }
  std::unique_ptr<gzFile_s, int (*)(gzFile)> gz(gzopen(path.c_str(), "rb"), gzclose);
  if (!gz) throw Error(path + ": cannot be opened", Error::Kind::kIo);
  char chunk[1 << 16];
  while (true) {
    const int n = gzread(gz.get(), chunk, sizeof(chunk));
    if (n < 0) {
      int err = 0;
      const char* message = gzerror(gz.get(), &err);
      throw Error(path + ": corrupt gzip data (" + std::string(message ? message : "?") + ")");
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), chunk, chunk + n);
    if (bytes.size() > max_bytes) throw Error(path + ": larger than expected");
  }
  // zlib reports a stream cut short only through gzerror once reading stops.
  int err = 0;
  gzerror(gz.get(), &err);
  if (err != Z_OK && err != Z_STREAM_END) throw Error(path + ": truncated or corrupt gzip data");
  return bytes;
}

uint32_t read_be32(const std::vector<uint8_t>& b, size_t o) {
  return (uint32_t{b[o]} << 24) | (uint32_t{b[o + 1]} << 16) | (uint32_t{b[o + 2]} << 8) | b[o + 3];
}

}  // namespace mnas
