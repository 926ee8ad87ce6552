#ifndef MNAS_LATENCY_LOOKUP_TABLE_H_
#define MNAS_LATENCY_LOOKUP_TABLE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "latency/device.h"
#include "latency/latency_result.h"
#include "latency/measurement.h"
#include "space/cost_model.h"
#include "space/search_space.h"

namespace mnas {

// A per-layer latency lookup table for one search space, input shape and device: every distinct
// layer configuration the space can produce at that input (plus the stems and tails), measured in
// isolation with XNNPACK, and a linear calibration against full-network measurements:
//   predicted_ms = scale · Σ entries(arch) + ms_per_mparam · parameters / 10^6 + offset_ms.
// The parameter term is the per-op correction that matters most: an entry is measured with its
// weights hot in cache, while in a whole network every layer's weights come from memory again
// (measured here on 28×28 inputs: the plain sum underestimates big networks by up to 40%).
//
// File format (JSON; see docs/latency.md): {"format": "mnas-lut/1", "space": {...},
// "threads": 1, "provenance": {...}, "entries": {"<key>": {"median_ms", "std_ms", "runs"}},
// "calibration": {"scale", "ms_per_mparam", "offset_ms", "samples"}}.
// predicted_ms = scale · Σ entries + ms_per_mparam · Mparams + offset_ms.
struct LatencyCalibration {
  double scale = 1.0, ms_per_mparam = 0.0, offset_ms = 0.0;
};

// Fits the calibration to networks measured whole: rows hold {Σ entries, Mparams, 1}. Minimises
// the relative error, so that small networks count as much as big ones; falls back to scale 1
// and a fitted offset when the rows are too alike to separate the terms or the fit's scale is
// not > 0 (a few noisy rows). Throws mnas::Error for
// fewer than two rows or mismatched sizes.
LatencyCalibration fit_calibration(const std::vector<std::array<double, 3>>& rows,
                                   const std::vector<double>& measured_ms);

// The graph a lookup-table key names (a stem, one layer or a tail), rebuilt from the key alone.
// Keys come from files and from network requests: throws mnas::Error for anything that is not a
// key enumerate_keys could produce (unknown kind, missing or out-of-range field).
Graph lut_entry_graph(const std::string& key);
// Parameters and multiply-adds of what `key` names, without building it (a device server bounds a
// request with it before allocating anything). Throws as lut_entry_graph does.
LayerCost lut_entry_cost(const std::string& key);

class LookupTable {
 public:
  // Every entry key of `space` at its current input, stems and tails included, in a fixed order.
  static std::vector<std::string> enumerate_keys(const SearchSpace& space);
  // The keys one architecture uses (stem, each layer, tail), in network order.
  static std::vector<std::string> keys(const Architecture& arch);

  // An empty table for `space` to be measured with `threads` on `device`, in `precision` (int8:
  // each entry is the layer's int8 network without conversions, the whole networks the
  // calibration fits on are int8 networks with their fp32 input and logits).
  LookupTable(const SearchSpace& space, int threads, const DeviceInfo& device,
              Precision precision = Precision::kFp32);

  // Reads a table; throws mnas::Error (kIo if unreadable) for a damaged or truncated file, naming
  // what is wrong.
  static LookupTable load(const std::string& path);
  // Writes atomically (temporary file, then rename): a stopped build never leaves half a table.
  void save(const std::string& path) const;

  struct BuildProgress {
    size_t done = 0, total = 0;
    double elapsed_seconds = 0;
    const std::string* key = nullptr;
  };
  // Measures every missing entry on `device` (the one the table is for: see require_device),
  // `save_every` entries per request; calls `progress` after each entry and saves to `path` after
  // each request so that an interrupted build resumes where it stopped.
  void build(Device& device, const MeasureOptions& options, const std::string& path,
             const std::function<void(const BuildProgress&)>& progress, size_t save_every = 25);
  // Fits scale and offset on `samples` random architectures of the space (seeded), measured whole
  // on `device`.
  void calibrate(Device& device, int samples, uint64_t seed, const MeasureOptions& options,
                 const std::function<void(int done, int total)>& progress);

  // The calibrated prediction (above). Throws mnas::Error if the table lacks a layer of `arch`
  // (another space or input) or is not complete.
  double predict_ms(const Architecture& arch) const;
  // predict_ms as a LatencyResult: the prediction as every statistic, runs 0 (not a
  // measurement), the table's provenance with engine "lut(<its engine>)".
  LatencyResult predict(const Architecture& arch) const;
  double raw_sum_ms(const Architecture& arch) const;  // Σ entries, uncalibrated
  // Whether every layer of `arch` has a measured entry (else predict_ms throws): a zoo model
  // outside the table's space has none for some.
  bool covers(const Architecture& arch) const;
  // What fit_calibration takes of `arch`: {Σ entries, Mparams, 1}.
  std::array<double, 3> calibration_row(const Architecture& arch) const;
  LatencyCalibration calibration() const { return {scale_, ms_per_mparam_, offset_ms_}; }
  // Replaces the calibration (a search refitting it from its own measurements: search/
  // latency_check.h). Throws mnas::Error unless the scale is > 0 and every term finite.
  void set_calibration(const LatencyCalibration& calibration);

  // Throws mnas::Error unless the table was measured on this kind of device (CPU model and
  // engine version), e.g. before resuming a build or checking predictions there.
  void require_device(const DeviceInfo& device) const;
  // Throws mnas::Error unless the table was built for `space` (same choices, skeletons, input).
  void require_space(const SearchSpace& space) const;

  const SearchSpace& space() const { return space_; }
  const Provenance& provenance() const { return provenance_; }
  int threads() const { return threads_; }
  Precision precision() const { return provenance_.precision; }
  size_t entries() const { return entries_.size(); }
  size_t missing() const;
  double scale() const { return scale_; }
  double ms_per_mparam() const { return ms_per_mparam_; }
  double offset_ms() const { return offset_ms_; }
  int calibration_samples() const { return calibration_samples_; }

 private:
  struct Entry {
    double median_ms = 0, std_ms = 0;
    int runs = 0;
  };

  SearchSpace space_;
  int threads_ = 1;
  Provenance provenance_;
  std::map<std::string, Entry> entries_;
  double scale_ = 1.0;
  double ms_per_mparam_ = 0.0;
  double offset_ms_ = 0.0;
  int calibration_samples_ = 0;
};

}  // namespace mnas

#endif  // MNAS_LATENCY_LOOKUP_TABLE_H_
