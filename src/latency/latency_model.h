#ifndef MNAS_LATENCY_LATENCY_MODEL_H_
#define MNAS_LATENCY_LATENCY_MODEL_H_

#include <memory>
#include <string>

#include "latency/measurement.h"
#include "space/architecture.h"

namespace mnas {

// A latency with the statistics and provenance behind it.
struct LatencyResult {
  double median_ms = 0;     // what the search uses
  Measurement measurement;  // statistics (for a prediction: median only, runs = 0)
  Provenance provenance;
};

// Gives an architecture's latency on the target device. Implementations: XnnpackLatency (measured
// here), LookupTableLatency (predicted from per-layer measurements), FakeLatency (tests).
class LatencyModel {
 public:
  virtual ~LatencyModel() = default;
  virtual std::string name() const = 0;
  // Throws mnas::Error for an architecture it cannot run.
  virtual LatencyResult latency(const Architecture& arch) = 0;
};

// Measures with XNNPACK on this machine: random weights (latency does not depend on values),
// batch 1, `threads` threads, the given protocol.
class XnnpackLatency : public LatencyModel {
 public:
  XnnpackLatency(int threads = 1, MeasureOptions options = {});
  std::string name() const override { return "xnnpack"; }
  LatencyResult latency(const Architecture& arch) override;

 private:
  int threads_;
  MeasureOptions options_;
};

}  // namespace mnas

#endif  // MNAS_LATENCY_LATENCY_MODEL_H_
