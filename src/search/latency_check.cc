#include "search/latency_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/error.h"
#include "base/median.h"
#include "store/trial_latencies.h"

namespace mnas {
namespace {

// A uniform number in [0, 1) from the seed and the trial's place: the same draw on a resume.
double draw(uint64_t seed, int step, int index) {
  uint64_t z = seed ^ (static_cast<uint64_t>(step) * 0x9E3779B97F4A7C15ULL) ^
               (static_cast<uint64_t>(index) * 0xC2B2AE3D27D4EB4FULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / 9007199254740992.0;  // 2^53
}

}  // namespace

LatencyCheck::LatencyCheck(LatencyObjective& objective, const LatencyCheckOptions& options,
                           uint64_t seed)
    : objective_(objective), options_(options), seed_(seed) {
  MNAS_ASSERT(objective.predicts());
  const auto& targets = objective.targets();
  for (size_t i = 0; i < targets.size(); ++i) {
    if (targets[i].table && targets[i].device) devices_.push_back(PerDevice{i, {}, 0});
  }
}

void LatencyCheck::restore(const Store& store) {
  const auto& targets = objective_.targets();
  const std::vector<StoredCalibration> calibrations = store.latency_calibrations();
  const std::vector<StoredTrial> trials = store.trials();
  for (PerDevice& d : devices_) {
    const LatencyObjective::Target& t = targets[d.target];
    int64_t window_after = 0;  // the latest calibration's trial count
    for (const StoredCalibration& c : calibrations) {
      if (c.device != t.objective.name) continue;
      t.table->set_calibration({c.scale, c.ms_per_mparam, c.offset_ms});
      window_after = c.after_trials;
    }
    int64_t ordinal = 0;
    for (const StoredTrial& trial : trials) {
      ++ordinal;
      if (trial.status != "done" || trial.cached || d.target >= trial.latencies.size()) continue;
      const DeviceLatency& l = trial.latencies[d.target];
      if (l.measured_ms <= 0) continue;
      Sample s;
      s.predicted_ms = l.latency_ms;
      s.measured_ms = l.measured_ms;
      if (ordinal <= window_after) ++d.window_start;
      d.samples.push_back(s);
      ++measured_;
    }
  }
  for (const StoredTrial& trial : trials) {
    if (trial.status == "done" && !trial.partial) {
      done_.emplace_back(trial.latency_ms, trial.accuracy);
    }
  }
}

bool LatencyCheck::due(const StoredTrial& trial) const {
  // A partial multi-fidelity trial is never on a front: only the random share measures it.
  if (trial.partial) return draw(seed_, trial.step, trial.index) < options_.confirm_share;
  for (const auto& [latency, accuracy] : done_) {
    if (accuracy >= trial.accuracy && latency <= trial.latency_ms) {
      return draw(seed_, trial.step, trial.index) < options_.confirm_share;
    }
  }
  return true;  // nothing so far is as accurate and as fast: it enters the front
}

std::optional<std::string> LatencyCheck::review(Store& store, StoredTrial& trial,
                                                const Architecture& arch) {
  if (trial.status != "done" || trial.cached) return std::nullopt;
  const bool measure = due(trial);
  if (!trial.partial) done_.emplace_back(trial.latency_ms, trial.accuracy);
  if (!measure) return std::nullopt;
  objective_.confirm(arch, trial.latencies);
  trial.latency_json = encode_latencies(trial.latencies);  // what the store keeps
  ++measured_;
  std::optional<std::string> warning;
  for (PerDevice& d : devices_) {
    const DeviceLatency& l = trial.latencies[d.target];
    d.samples.push_back({l.latency_ms, l.measured_ms});
    if (auto w = judge(store, d, store.trial_count() + 1)) {
      warning = warning ? *warning + "\n" + *w : *w;
    }
  }
  return warning;
}

std::optional<std::string> LatencyCheck::judge(Store& store, PerDevice& d, int64_t after_trials) {
  const size_t n = d.samples.size() - d.window_start;
  if (n < static_cast<size_t>(kMinSamples)) return std::nullopt;
  std::vector<double> errors;
  for (size_t i = d.window_start; i < d.samples.size(); ++i) {
    errors.push_back(d.samples[i].predicted_ms / d.samples[i].measured_ms - 1);
  }
  const double bias = median(errors);
  if (std::abs(bias) <= options_.drift) return std::nullopt;

  // The correction is one factor on every term of the calibration: the median of measured over
  // predicted. A device that runs uniformly slower or faster than the one the table was built
  // on (another clock, a thermal state) is what drifts; a refit of all three terms from the
  // handful of measurements a search makes was tried and overfits (±7% after 5 samples).
  const LatencyObjective::Target& t = objective_.targets()[d.target];
  const double factor = 1 / (1 + bias);
  const LatencyCalibration before = t.table->calibration();
  const LatencyCalibration fit{before.scale * factor, before.ms_per_mparam * factor,
                               before.offset_ms * factor};
  t.table->set_calibration(fit);
  StoredCalibration c;
  c.device = t.objective.name;
  c.after_trials = after_trials;
  c.bias = bias;
  c.samples = static_cast<int>(n);
  c.scale = fit.scale;
  c.ms_per_mparam = fit.ms_per_mparam;
  c.offset_ms = fit.offset_ms;
  store.add_latency_calibration(c);
  d.window_start = d.samples.size();
  char text[400];
  std::snprintf(text, sizeof text,
                "the lookup table's predictions on device %s drifted: median bias %+.1f%% over "
                "the last %zu measured trials (threshold %.0f%%); its calibration is refit from "
                "them (x%.3f: scale %.3f -> %.3f) and recorded in the store",
                c.device.c_str(), 100 * bias, n, 100 * options_.drift, factor, before.scale,
                fit.scale);
  return std::string(text);
}

std::vector<PredictionError> prediction_errors(const std::vector<StoredTrial>& trials) {
  std::vector<PredictionError> out;
  std::vector<std::vector<double>> errors;
  for (const StoredTrial& t : trials) {
    if (t.status != "done" || t.cached) continue;
    for (const DeviceLatency& l : t.latencies) {
      if (l.measured_ms <= 0) continue;
      size_t k = 0;
      while (k < out.size() && out[k].device != l.device) ++k;
      if (k == out.size()) {
        out.push_back(PredictionError{l.device, 0, 0, 0});
        errors.emplace_back();
      }
      errors[k].push_back(l.latency_ms / l.measured_ms - 1);
    }
  }
  for (size_t k = 0; k < out.size(); ++k) {
    out[k].measured = static_cast<int>(errors[k].size());
    out[k].bias = median(errors[k]);
    std::vector<double> magnitude;
    for (double e : errors[k]) magnitude.push_back(std::abs(e));
    out[k].median_abs_error = median(magnitude);
  }
  return out;
}

}  // namespace mnas
