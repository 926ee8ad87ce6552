#ifndef MNAS_LATENCY_LATENCY_RESULT_H_
#define MNAS_LATENCY_LATENCY_RESULT_H_

#include "latency/measurement.h"

namespace mnas {

// A latency with the statistics and provenance behind it: measured on a device (device.h) or
// predicted by a lookup table (LookupTable::predict).
struct LatencyResult {
  double median_ms = 0;     // what the search uses
  Measurement measurement;  // statistics (for a prediction: median only, runs = 0)
  Provenance provenance;
};

}  // namespace mnas

#endif  // MNAS_LATENCY_LATENCY_RESULT_H_
