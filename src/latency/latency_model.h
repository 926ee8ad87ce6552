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

// Gives an architecture's latency on the target device. Implementations: DeviceLatencyModel
// (measured on a device, device.h), LookupTableLatency (predicted from per-layer measurements).
class LatencyModel {
 public:
  virtual ~LatencyModel() = default;
  virtual std::string name() const = 0;
  // Throws mnas::Error for an architecture it cannot run.
  virtual LatencyResult latency(const Architecture& arch) = 0;
};

}  // namespace mnas

#endif  // MNAS_LATENCY_LATENCY_MODEL_H_
