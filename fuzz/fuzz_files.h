// For harnesses whose reader takes a path: the input written to a file of this process's own.
#ifndef MNAS_FUZZ_FUZZ_FILES_H_
#define MNAS_FUZZ_FUZZ_FILES_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace mnas_fuzz {

// Writes `size` bytes to /tmp/mnas_fuzz_<pid>_<name> (replacing it) and returns the path.
inline std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = "/tmp/mnas_fuzz_" + std::to_string(::getpid()) + "_" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace mnas_fuzz

#endif  // MNAS_FUZZ_FUZZ_FILES_H_
