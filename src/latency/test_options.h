#ifndef MNAS_LATENCY_TEST_OPTIONS_H_
#define MNAS_LATENCY_TEST_OPTIONS_H_

#include "latency/measurement.h"

namespace mnas {

// For tests that need real measurements but not precise ones: one warm-up run, five timed runs,
// half a second at most, one attempt.
inline MeasureOptions quick_measure_options() {
  MeasureOptions o;
  o.warmup_runs = 1;
  o.warmup_seconds = 0;
  o.min_runs = 5;
  o.min_seconds = 0;
  o.max_seconds = 0.5;
  o.max_attempts = 1;
  return o;
}

}  // namespace mnas

#endif  // MNAS_LATENCY_TEST_OPTIONS_H_
