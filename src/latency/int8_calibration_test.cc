#include "latency/int8_calibration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "latency/xnnpack_network.h"
#include "space/search_space.h"

namespace mnas {
namespace {

// Every op with SE and residuals, at a small input.
Architecture mixed_architecture() {
  Architecture a;
  a.input = {12, 12, 2};
  a.stem_filters = 8;
  a.stem_stride = 1;
  a.blocks = {make_block(ConvOp::kMbconv, 2, 3, 1, 3, 8, 0.25, SkipOp::kIdentity),
              make_block(ConvOp::kDconv, 1, 5, 2, 1, 16, 0.0, SkipOp::kPool),
              make_block(ConvOp::kConv, 2, 3, 1, 1, 16, 0.25, SkipOp::kIdentity)};
  a.head_filters = 32;
  a.classes = 6;
  return a;
}

// Image i: a smooth pattern whose phase and contrast change with i.
void fill_image(int64_t i, float* input, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    input[k] = static_cast<float>((1.0 + 0.1 * double(i % 5)) * std::sin(0.37 * double(k) + i));
  }
}

TEST(Int8Calibration, CalibratedInt8NetworkFollowsFp32) {
  const Graph graph = lower_architecture(mixed_architecture(), 3);
  const size_t n = static_cast<size_t>(graph.values[graph.input].elements());
  const Int8Calibration c = calibrate_int8(
      graph, 24, [&](int64_t i, float* input) { fill_image(i, input, n); },
      CalibrationMethod::kMinMax);
  EXPECT_EQ(c.images, 24);
  ASSERT_EQ(c.values.size(), graph.values.size());

  XnnpackNetwork fp32(graph);
  XnnpackNetwork int8(graph, c);
  EXPECT_EQ(int8.precision(), Precision::kInt8);
  // The logits' range over the calibration images is what the output value's quantization
  // covers (min/max: exactly, up to float rounding).
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < 24; ++i) {
    fill_image(i, fp32.input(), n);
    fp32.run();
    for (size_t k = 0; k < fp32.output_size(); ++k) {
      lo = std::min(lo, fp32.output()[k]);
      hi = std::max(hi, fp32.output()[k]);
    }
  }
  EXPECT_NEAR(c.values[graph.output].scale, (hi - lo) / 255, 1e-5 * (hi - lo));

  // On images it was not calibrated on, int8 stays within a few output steps of fp32.
  for (int64_t i = 30; i < 34; ++i) {
    fill_image(i, fp32.input(), n);
    fill_image(i, int8.input(), n);
    fp32.run();
    int8.run();
    double worst = 0, range = 0;
    for (size_t k = 0; k < fp32.output_size(); ++k) {
      worst = std::max(worst, std::fabs(double(int8.output()[k]) - fp32.output()[k]));
      range = std::max(range, std::fabs(double(fp32.output()[k])));
    }
    EXPECT_LT(worst, 0.03 * range) << "image " << i;  // measured: 0.9–1.2 % (≈ 2 steps)
  }
}

TEST(Int8Calibration, PercentileClipsNoMoreThanMinMaxCovers) {
  const Graph graph = lower_architecture(mixed_architecture(), 3);
  const size_t n = static_cast<size_t>(graph.values[graph.input].elements());
  const auto fill = [&](int64_t i, float* input) { fill_image(i, input, n); };
  const Int8Calibration minmax = calibrate_int8(graph, 8, fill, CalibrationMethod::kMinMax, 2);
  const Int8Calibration clipped = calibrate_int8(graph, 8, fill, CalibrationMethod::kPercentile);
  EXPECT_EQ(clipped.method, CalibrationMethod::kPercentile);
  int narrower = 0;
  for (size_t v = 0; v < graph.values.size(); ++v) {
    EXPECT_LE(clipped.values[v].scale, minmax.values[v].scale * 1.0001f) << "value " << v;
    narrower += clipped.values[v].scale < minmax.values[v].scale * 0.999f;
  }
  EXPECT_GT(narrower, 0);
}

TEST(Int8Calibration, BadArguments) {
  const Graph graph = lower_architecture(mixed_architecture(), 3);
  const auto fill = [](int64_t, float*) {};
  EXPECT_THROW(calibrate_int8(graph, 0, fill, CalibrationMethod::kMinMax), Error);
  EXPECT_THROW(calibrate_int8(graph, 1, fill, CalibrationMethod::kMinMax, 0), Error);
  Int8Calibration other;
  other.values.resize(3);
  try {
    XnnpackNetwork net(graph, other);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("calibration"), std::string::npos) << e.what();
  }
  // A diverged network (not finite) is refused, not quantized.
  EXPECT_THROW(
      calibrate_int8(
          graph, 1,
          [&](int64_t, float* input) { input[0] = std::numeric_limits<float>::infinity(); },
          CalibrationMethod::kMinMax),
      Error);
}

}  // namespace
}  // namespace mnas
