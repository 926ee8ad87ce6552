#include "data/file_bytes.h"

#include <zlib.h>

#include <sys/stat.h>
#include <cstdint>
#include <cstdio>

#include <fstream>
#include <memory>

#include "base/error.h"

namespace mnas {

namespace {

// Regular files only: a directory, a device (/dev/zero) or a pipe is refused before reading.
void require_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(path + ": cannot be opened", Error::Kind::kIo);
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, not a file", Error::Kind::kIo);
  if (!S_ISREG(st.st_mode)) {
    throw Error(path + ": not a regular file (a device or a pipe?)", Error::Kind::kIo);
  }
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path, size_t max_bytes) {
  require_regular_file(path);
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
    if (static_cast<size_t>(size) > max_bytes) {
      throw Error(path + ": " + std::to_string(size) + " bytes, more than the " +
                  std::to_string(max_bytes) + " expected");
    }
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
    // Stop inflating as soon as it passes what is expected: a small gzip can promise gigabytes.
    if (bytes.size() > max_bytes) {
      throw Error(path + ": decompresses to more than the " + std::to_string(max_bytes) +
                  " bytes expected");
    }
  }
  // zlib reports a stream cut short only through gzerror once reading stops.
  int err = 0;
  gzerror(gz.get(), &err);
  if (err != Z_OK && err != Z_STREAM_END) throw Error(path + ": truncated or corrupt gzip data");
  return bytes;
}

std::vector<uint8_t> read_file_prefix(const std::string& path, size_t n) {
  require_regular_file(path);
  std::unique_ptr<gzFile_s, int (*)(gzFile)> gz(gzopen(path.c_str(), "rb"), gzclose);
  if (!gz) throw Error(path + ": cannot be opened", Error::Kind::kIo);
  std::vector<uint8_t> bytes(n);
  const int got = gzread(gz.get(), bytes.data(), static_cast<unsigned>(n));  // raw files too
  if (got < 0) throw Error(path + ": corrupt gzip data");
  bytes.resize(static_cast<size_t>(got));
  return bytes;
}

uint32_t read_be32(const std::vector<uint8_t>& b, size_t o) {
  return (uint32_t{b[o]} << 24) | (uint32_t{b[o + 1]} << 16) | (uint32_t{b[o + 2]} << 8) | b[o + 3];
}

}  // namespace mnas
