// libFuzzer: CIFAR-10 and CIFAR-100 binary files (raw or gzip). The input's first byte picks
// which (even: CIFAR-10, odd: CIFAR-100); the rest is the file.
#include <cstdint>
#include <cstdlib>

#include "base/error.h"
#include "data/cifar_reader.h"
#include "fuzz_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool hundred = data[0] & 1;
  const std::string path = mnas_fuzz::write_input("cifar", data + 1, size - 1);
  try {
    const mnas::RawImages r =
        mnas::read_cifar({path}, hundred ? 2 : 1, hundred ? 100 : 10);
    if (r.pixels.size() != r.labels.size() * 32 * 32 * 3) std::abort();
  } catch (const mnas::Error&) {
  }
  return 0;
}
