#include "latency/graph.h"
#include "latency/latency_model.h"
#include "latency/xnnpack_network.h"
#include "space/error.h"

namespace mnas {

XnnpackLatency::XnnpackLatency(int threads, MeasureOptions options)
    : threads_(threads), options_(options) {
  if (threads < 1 || threads > 256) {
    throw Error("threads: " + std::to_string(threads) + " is out of range; must be in [1, 256]");
  }
  validate(options_);
}

LatencyResult XnnpackLatency::latency(const Architecture& arch) {
  XnnpackNetwork net(lower_architecture(arch), threads_);
  LatencyResult r;
  r.measurement = measure([&net] { net.run(); }, options_);
  r.median_ms = r.measurement.stats.median_ms;
  r.provenance = machine_provenance();
  r.provenance.engine = name();
  r.provenance.engine_version = xnnpack_version();
  r.provenance.pinned_cpu = options_.cpu;
  r.provenance.threads = threads_;
  r.provenance.input_shape = to_string(arch.input);
  return r;
}

}  // namespace mnas
