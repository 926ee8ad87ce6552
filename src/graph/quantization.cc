#include "graph/quantization.h"

#include <algorithm>
#include <cmath>

#include "base/enum_names.h"
#include "base/error.h"

namespace mnas {
namespace {

// XNNPACK's int8 kernels refuse a requantization scale (input scale × weight scale / output
// scale) of 256 or more; stay well below.
constexpr float kMaxRequantization = 64.0f;
// XNNPACK's int8 sigmoid only produces [0, 1) in 1/256 steps from −128.
constexpr QuantParams kSigmoidOutput{1.0f / 256, -128};

// The output channel of weight element i: depthwise weights [1, k, k, C] interleave their
// channels, the others [out, ...] are channel-major.
struct ChannelOf {
  size_t channels, inner;
  bool interleaved;
  size_t operator()(size_t i) const { return interleaved ? i % channels : i / inner; }
};
ChannelOf channel_of(const GraphParam& param, GraphOpKind kind, bool per_tensor) {
  const size_t channels = per_tensor                          ? 1
                          : kind == GraphOpKind::kDepthwise ? param.shape[3]
                                                              : param.shape[0];
  return {channels, param.weight.size() / channels, !per_tensor && kind == GraphOpKind::kDepthwise};
}

}  // namespace

QuantParams quant_params_for_range(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  // A value that is always 0 still needs a positive, normal scale.
  const float scale = std::max((hi - lo) / 255.0f, 1e-8f);
  const long zero = std::lround(-128.0 - double(lo) / scale);
  return {scale, static_cast<int32_t>(std::clamp(zero, -128L, 127L))};
}

namespace {

constexpr EnumName<CalibrationMethod> kCalibrationMethodNames[] = {
    {CalibrationMethod::kMinMax, "minmax"}, {CalibrationMethod::kPercentile, "percentile"}};

}  // namespace

std::string to_string(CalibrationMethod method) {
  return enum_name(method, kCalibrationMethodNames);
}

CalibrationMethod parse_calibration_method(const std::string& text, const std::string& field) {
  return parse_enum_name(text, kCalibrationMethodNames, field);
}

void RangeHistogram::cover(float lo, float hi) {
  if (bins_.empty()) {
    bins_.assign(kBins, 0);
    lo_ = lo;
    width_ = std::max(double(hi) - lo, 1e-6 * std::max(1.0, std::fabs(double(lo))));
    return;
  }
  // Double the range towards the side that needs it; old bin pairs become one bin, so every
  // count stays in a bin that covers where it was.
  while (lo < lo_ || hi >= lo_ + width_) {
    const bool left = lo < lo_;
    std::vector<int64_t> merged(kBins, 0);
    const int offset = left ? kBins / 2 : 0;
    for (int i = 0; i < kBins; ++i) merged[offset + i / 2] += bins_[i];
    bins_.swap(merged);
    if (left) lo_ -= width_;
    width_ *= 2;
  }
}

void RangeHistogram::add(const float* data, size_t n) {
  if (n == 0) return;
  float lo = data[0], hi = data[0];
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(data[i])) throw Error("calibration: a value is not finite");
    lo = std::min(lo, data[i]);
    hi = std::max(hi, data[i]);
  }
  min_ = count_ == 0 ? lo : std::min(min_, lo);
  max_ = count_ == 0 ? hi : std::max(max_, hi);
  cover(lo, hi);
  const double per_bin = kBins / width_;
  for (size_t i = 0; i < n; ++i) {
    const int b = static_cast<int>((double(data[i]) - lo_) * per_bin);
    ++bins_[std::clamp(b, 0, kBins - 1)];
  }
  count_ += static_cast<int64_t>(n);
}

float RangeHistogram::quantile(double fraction) const {
  if (count_ == 0) return 0.0f;
  const double target = std::clamp(fraction, 0.0, 1.0) * double(count_);
  double below = 0;
  for (int b = 0; b < kBins; ++b) {
    if (bins_[b] > 0 && below + bins_[b] >= target) {
      const double within = (target - below) / double(bins_[b]);
      const double value = lo_ + (b + within) * width_ / kBins;
      return static_cast<float>(std::clamp(value, double(min_), double(max_)));
    }
    below += bins_[b];
  }
  return max_;
}

std::vector<float> weight_scales(const GraphParam& param, GraphOpKind kind, bool per_tensor) {
  const ChannelOf channel = channel_of(param, kind, per_tensor);
  std::vector<float> scales(channel.channels, 0.0f);
  for (size_t i = 0; i < param.weight.size(); ++i) {
    float& s = scales[channel(i)];
    s = std::max(s, std::fabs(param.weight[i]) / 127.0f);
  }
  float smallest = 0;
  for (float s : scales) {
    if (s > 0 && (smallest == 0 || s < smallest)) smallest = s;
  }
  for (float& s : scales) {
    if (s == 0) s = smallest > 0 ? smallest : 1.0f / 127;
  }
  return scales;
}

std::vector<int8_t> quantize_weights(const GraphParam& param, GraphOpKind kind, bool per_tensor,
                                     std::vector<float>& scales) {
  scales = weight_scales(param, kind, per_tensor);
  const ChannelOf channel = channel_of(param, kind, per_tensor);
  std::vector<int8_t> q(param.weight.size());
  for (size_t i = 0; i < q.size(); ++i) {
    const long v = std::lround(param.weight[i] / scales[channel(i)]);
    q[i] = static_cast<int8_t>(std::clamp(v, -127L, 127L));
  }
  return q;
}

Int8Calibration calibration_from_histograms(const Graph& graph,
                                            const std::vector<RangeHistogram>& histograms,
                                            CalibrationMethod method, int64_t images) {
  if (histograms.size() != graph.values.size()) {
    throw Error("calibration: " + std::to_string(histograms.size()) + " ranges for a graph of " +
                std::to_string(graph.values.size()) + " values");
  }
  Int8Calibration c;
  c.method = method;
  c.images = images;
  c.values.resize(graph.values.size());
  for (size_t v = 0; v < graph.values.size(); ++v) {
    const RangeHistogram& h = histograms[v];
    const bool clip = method == CalibrationMethod::kPercentile;
    c.values[v] = quant_params_for_range(clip ? h.quantile(kPercentileTail) : h.min(),
                                         clip ? h.quantile(1 - kPercentileTail) : h.max());
  }
  std::vector<bool> fixed(graph.values.size(), false);
  for (const GraphOp& op : graph.ops) {
    if (op.kind == GraphOpKind::kSigmoid) {
      c.values[op.output] = kSigmoidOutput;
      fixed[op.output] = true;
    }
  }
  // XNNPACK's int8 operators accept only some ratios of their scales; a value that is all but
  // dead (or far narrower than what it meets) is widened until every ratio fits. Widening one
  // value can move another ratio, so the rules run until nothing changes.
  bool changed = true;
  const auto widen = [&](int v, float least) {
    QuantParams& q = c.values[v];
    if (fixed[v] || q.scale >= least) return;
    const float lo = q.scale * float(-128 - q.zero_point);  // keep the low end where it was
    q = quant_params_for_range(lo, lo + 255 * least);
    changed = true;
  };
  for (int pass = 0; changed && pass < 8; ++pass) {
    changed = false;
    for (const GraphOp& op : graph.ops) {
      const float in = c.values[op.input].scale, out = c.values[op.output].scale;
      switch (op.kind) {
        case GraphOpKind::kConvolution:
        case GraphOpKind::kDepthwise:
        case GraphOpKind::kFullyConnected: {  // input × weight / output < 256
          const std::vector<float> ws = weight_scales(graph.params[op.param], op.kind,
                                                      op.kind == GraphOpKind::kFullyConnected);
          widen(op.output, in * *std::max_element(ws.begin(), ws.end()) / kMaxRequantization);
          break;
        }
        case GraphOpKind::kAdd:  // each input / output in [2^-10, 2^8)
          for (int v : {op.input, op.input2}) {
            widen(v, out / 256);
            widen(op.output, c.values[v].scale / 64);
          }
          break;
        case GraphOpKind::kMultiply:  // input × input2 / output in [2^-16, 2^8)
          widen(op.output, in * c.values[op.input2].scale / 64);
          break;
        case GraphOpKind::kGlobalAveragePool:  // input / output in [2^-8, 2^8)
          widen(op.output, in / 64);
          widen(op.input, out / 64);
          break;
        case GraphOpKind::kAveragePool:  // fp32 between conversions: no rule
        case GraphOpKind::kSigmoid:
          break;
      }
    }
  }
  return c;
}

}  // namespace mnas
