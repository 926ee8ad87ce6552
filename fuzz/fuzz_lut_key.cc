// libFuzzer: lookup-table keys (they come from table files and from device requests). A key is
// either refused with an mnas::Error or names exactly one bounded graph.
#include <cstdint>
#include <string>

#include "base/error.h"
#include "latency/lookup_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string key(reinterpret_cast<const char*>(data), size);
  try {
    const mnas::LayerCost cost = mnas::lut_entry_cost(key);
    if (cost.params < 1'000'000 && cost.macs < 100'000'000) {
      const mnas::Graph g = mnas::lut_entry_graph(key);
      MNAS_ASSERT(!g.ops.empty());
    }
  } catch (const mnas::Error&) {
  }
  return 0;
}
