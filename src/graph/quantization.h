#ifndef MNAS_GRAPH_QUANTIZATION_H_
#define MNAS_GRAPH_QUANTIZATION_H_

// Post-training quantization of a Graph's activations: what each value's observed range becomes
// as a per-tensor affine int8 quantization. Torch-free and XNNPACK-free; latency/int8_calibration.h
// runs the images, XnnpackNetwork (latency/xnnpack_network.h) builds the int8 network from the
// result.

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace mnas {

// real = scale × (q − zero_point), q in [−128, 127].
struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// The quantization covering [lo, hi] widened to include 0 (so that 0 — padding, ReLU — is
// exact), all 256 steps used: a ReLU output gets zero point −128.
QuantParams quant_params_for_range(float lo, float hi);

// How a value's range is read from its observations: min/max takes all of them; percentile
// clips the rarest kPercentileTail of each side (outliers that would coarsen every step).
enum class CalibrationMethod { kMinMax, kPercentile };
constexpr double kPercentileTail = 1e-4;
std::string to_string(CalibrationMethod method);  // "minmax", "percentile"
// Throws mnas::Error about `field` for anything else.
CalibrationMethod parse_calibration_method(const std::string& text, const std::string& field);

// The distribution of one value's elements over the calibration images: exact min/max and a
// histogram whose range doubles (merging bins pairwise) when an observation falls outside it.
class RangeHistogram {
 public:
  static constexpr int kBins = 2048;
  void add(const float* data, size_t n);  // non-finite elements throw mnas::Error
  int64_t count() const { return count_; }
  float min() const { return min_; }
  float max() const { return max_; }
  // The value below which `fraction` (in [0, 1]) of the observations lie, interpolated within
  // a bin, within [min(), max()]; 0 when nothing was observed.
  float quantile(double fraction) const;

 private:
  void cover(float lo, float hi);
  std::vector<int64_t> bins_;
  double lo_ = 0, width_ = 0;  // bins_ cover [lo_, lo_ + width_)
  float min_ = 0, max_ = 0;
  int64_t count_ = 0;
};

// Post-training quantization of a trained network: the activation ranges are read on the first
// `calibration_images` of its run's training images (never the held-out or test images it is
// scored on), by `method`. The defaults, measured (bench/int8_parity.sh, docs/int8.md): on
// MobileNetV2 and MnasNet-small trained on Fashion-MNIST percentile lost 0.10 pt of test top-1
// where min/max lost 0.21–0.24; 128 to 2,048 images moved it by ±0.1 pt.
struct QuantizeOptions {
  int64_t calibration_images = 512;
  CalibrationMethod method = CalibrationMethod::kPercentile;
};

// Every value's quantization of one graph (index: value id), read from a calibration.
struct Int8Calibration {
  std::vector<QuantParams> values;
  CalibrationMethod method = CalibrationMethod::kMinMax;
  int64_t images = 0;  // how many calibration images the ranges came from
};

// The calibration of `graph` from its values' histograms (one per value). Sigmoid outputs get
// the fixed [0, 1) quantization XNNPACK's int8 sigmoid requires; an output whose range is so
// narrow that a layer's requantization would exceed what int8 kernels accept is widened.
// Throws mnas::Error when the histograms do not fit the graph.
Int8Calibration calibration_from_histograms(const Graph& graph,
                                            const std::vector<RangeHistogram>& histograms,
                                            CalibrationMethod method, int64_t images);

// Symmetric per-output-channel int8 weight scales of `param` (max |w| / 127 per channel;
// a channel of zeros gets the smallest other scale); `per_tensor` gives one scale for all.
// Shared by the calibration (requantization bounds) and the int8 network.
std::vector<float> weight_scales(const GraphParam& param, GraphOpKind kind, bool per_tensor);

// `param`'s weights as int8 at weight_scales (rounded, clamped to ±127); `scales` receives them.
std::vector<int8_t> quantize_weights(const GraphParam& param, GraphOpKind kind, bool per_tensor,
                                     std::vector<float>& scales);

}  // namespace mnas

#endif  // MNAS_GRAPH_QUANTIZATION_H_
