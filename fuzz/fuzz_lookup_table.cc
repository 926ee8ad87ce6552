// libFuzzer: lookup-table files (mnas-lut/1 JSON), as `--latency-table` and `lut check` load them.
#include <cstdint>

#include "base/error.h"
#include "fuzz_files.h"
#include "latency/lookup_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = mnas_fuzz::write_input("table.json", data, size);
  try {
    mnas::LookupTable::load(path);
  } catch (const mnas::Error&) {
  }
  return 0;
}
