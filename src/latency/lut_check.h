#ifndef MNAS_LATENCY_LUT_CHECK_H_
#define MNAS_LATENCY_LUT_CHECK_H_

#include <cstdint>
#include <functional>

#include "latency/device.h"
#include "latency/lookup_table.h"

namespace mnas {

// How well a lookup table predicts whole networks on a device (`mnas lut check`).
struct LutCheck {
  int samples = 0;
  int within_10pct = 0;               // predictions within ±10% of the measured median
  double mape_pct = 0;                // mean absolute percentage error
  double max_error_pct = 0;
  // median(predicted / measured) − 1, in percent: a systematic bias (not scatter) means the
  // device runs at another speed than when the table was calibrated. The same median as a
  // search's drift check (space/median.h), so the two agree on the same measurements.
  double bias_pct = 0;
  double predictions_per_second = 0;  // predict_ms over the samples, for at least 0.3 s
};

// Beyond this |bias|, `lut build --recalibrate` is due (a search's default drift bound too).
constexpr double kLutBiasWarningPct = 5;

// Measures `samples` random architectures of the table's space (drawn with `seed`) on `device`
// with `protocol` at the table's threads, and compares the table's predictions; `progress`
// (when given) hears (done, samples, within so far) after each. The table must be complete and
// measured on the device's kind (LookupTable::require_device). Throws mnas::Error or
// DeviceUnreachable from the device.
LutCheck check_lookup_table(const LookupTable& table, Device& device, int samples, uint64_t seed,
                            const MeasureOptions& protocol,
                            const std::function<void(int, int, int)>& progress = nullptr);

}  // namespace mnas

#endif  // MNAS_LATENCY_LUT_CHECK_H_
