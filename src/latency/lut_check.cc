#include "latency/lut_check.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "base/error.h"
#include "base/median.h"

namespace mnas {

LutCheck check_lookup_table(const LookupTable& table, Device& device, int samples, uint64_t seed,
                            const MeasureOptions& protocol,
                            const std::function<void(int, int, int)>& progress) {
  if (samples < 1) throw Error("samples: must be ≥ 1");
  std::mt19937_64 rng(seed);
  std::vector<Architecture> archs;
  for (int i = 0; i < samples; ++i) archs.push_back(table.space().sample(rng));
  LutCheck r;
  r.samples = samples;
  double abs_pct = 0;
  std::vector<double> ratios;  // predicted / measured
  for (int i = 0; i < samples; ++i) {
    const double measured =
        device.measure(archs[i], {table.threads(), protocol, table.precision()}).median_ms;
    const double predicted = table.predict_ms(archs[i]);
    const double err = std::fabs(predicted - measured) / measured;
    ratios.push_back(predicted / measured);
    r.within_10pct += err <= 0.10;
    abs_pct += 100 * err;
    r.max_error_pct = std::max(r.max_error_pct, 100 * err);
    if (progress) progress(i + 1, samples, r.within_10pct);
  }
  r.mape_pct = abs_pct / samples;
  r.bias_pct = 100 * (median(ratios) - 1);
  // Prediction speed: the samples predicted over and over for at least 0.3 s.
  size_t predictions = 0;
  volatile double sink = 0;  // keeps the predictions from being optimised away
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < 0.3) {
    for (const Architecture& a : archs) sink = sink + table.predict_ms(a);
    predictions += archs.size();
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  r.predictions_per_second = predictions / elapsed;
  return r;
}

}  // namespace mnas
