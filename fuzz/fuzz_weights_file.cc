// libFuzzer: torch-free weights files (MNASW001), as `latency --weights` and the exporters read
// them.
#include <cstdint>
#include <cstdlib>

#include "base/error.h"
#include "fuzz_files.h"
#include "space/weights_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = mnas_fuzz::write_input("weights", data, size);
  try {
    const mnas::WeightsFile w = mnas::read_weights_file(path);
    for (const auto& [name, t] : w.tensors) {
      size_t n = 1;
      for (size_t d : t.shape) n *= d;
      if (n != t.weight.size()) std::abort();
    }
  } catch (const mnas::Error&) {
  }
  return 0;
}
