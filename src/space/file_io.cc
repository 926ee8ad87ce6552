#include "space/file_io.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "space/error.h"

namespace mnas {

std::string read_whole_file(const std::string& path, const std::string& what, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(what + " '" + path + "': cannot be read", Error::Kind::kIo);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(what + " '" + path + "': read failed", Error::Kind::kIo);
  std::string bytes = text.str();
  if (bytes.size() > max_bytes) {
    throw Error(what + " '" + path + "': larger than " + std::to_string(max_bytes >> 20) + " MiB");
  }
  return bytes;
}

void write_file_atomically(const std::string& path, const std::string& bytes,
                           const std::string& what) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Error(what + " '" + path + "': cannot write", Error::Kind::kIo);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw Error(what + " '" + path + "': cannot replace the file", Error::Kind::kIo);
  }
}

}  // namespace mnas
