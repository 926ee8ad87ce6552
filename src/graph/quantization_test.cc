#include "graph/quantization.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "base/error.h"

namespace mnas {
namespace {

TEST(QuantParams, CoverTheRangeAndKeepZeroExact) {
  const QuantParams relu = quant_params_for_range(0.0f, 2.55f);  // a ReLU output
  EXPECT_FLOAT_EQ(relu.scale, 0.01f);
  EXPECT_EQ(relu.zero_point, -128);
  const QuantParams both = quant_params_for_range(-1.0f, 3.0f);
  EXPECT_FLOAT_EQ(both.scale, 4.0f / 255);
  EXPECT_NEAR(both.scale * (-128 - both.zero_point), -1.0f, both.scale);  // q = −128 is ≈ −1
  const QuantParams positive = quant_params_for_range(2.0f, 5.1f);  // widened to include 0
  EXPECT_FLOAT_EQ(positive.scale, 0.02f);
  EXPECT_EQ(positive.zero_point, -128);
  const QuantParams dead = quant_params_for_range(0.0f, 0.0f);
  EXPECT_GT(dead.scale, 0.0f);
}

TEST(CalibrationMethod, Names) {
  EXPECT_EQ(parse_calibration_method("minmax", "m"), CalibrationMethod::kMinMax);
  EXPECT_EQ(parse_calibration_method("percentile", "m"), CalibrationMethod::kPercentile);
  EXPECT_EQ(to_string(CalibrationMethod::kPercentile), "percentile");
  try {
    parse_calibration_method("kl", "--calibration");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--calibration"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("minmax or percentile"), std::string::npos) << e.what();
  }
}

TEST(RangeHistogram, QuantilesAcrossGrowthToBothSides) {
  RangeHistogram h;
  EXPECT_EQ(h.quantile(0.5), 0.0f);
  // 0..9999 in three batches that widen the range to the right and then to the left.
  std::vector<float> mid, high, low;
  for (int i = 0; i < 10000; ++i) (i < 4000 ? low : i < 6000 ? mid : high).push_back(float(i));
  h.add(mid.data(), mid.size());
  h.add(high.data(), high.size());
  h.add(low.data(), low.size());
  EXPECT_EQ(h.count(), 10000);
  EXPECT_EQ(h.min(), 0.0f);
  EXPECT_EQ(h.max(), 9999.0f);
  EXPECT_EQ(h.quantile(0.0), 0.0f);
  EXPECT_EQ(h.quantile(1.0), 9999.0f);
  // Within a bin (the range grew to ≤ 4 × 10,000 over 2,048 bins): ±20.
  EXPECT_NEAR(h.quantile(0.5), 5000.0f, 20.0f);
  EXPECT_NEAR(h.quantile(0.1), 1000.0f, 20.0f);
  const float bad = std::nanf("");
  EXPECT_THROW(h.add(&bad, 1), Error);
}

TEST(RangeHistogram, PercentileIgnoresARareOutlier) {
  RangeHistogram h;
  std::vector<float> values;
  for (int i = 0; i <= 100000; ++i) values.push_back(float(i) / 100000);
  values.push_back(1000.0f);
  h.add(values.data(), values.size());
  EXPECT_EQ(h.max(), 1000.0f);
  EXPECT_LT(h.quantile(1 - kPercentileTail), 1.5f);  // the outlier's bin is not reached
  EXPECT_GT(h.quantile(1 - kPercentileTail), 0.5f);
}

TEST(QuantizeWeights, PerChannelAndDepthwiseInterleaved) {
  GraphParam conv{"c", {2, 1, 1, 2}, {1.0f, 0.5f, -4.0f, 2.0f}, {0, 0}};
  std::vector<float> scales;
  EXPECT_EQ(quantize_weights(conv, GraphOpKind::kConvolution, false, scales),
            (std::vector<int8_t>{127, 64, -127, 64}));
  EXPECT_FLOAT_EQ(scales[0], 1.0f / 127);
  EXPECT_FLOAT_EQ(scales[1], 4.0f / 127);
  // Depthwise [1, k, k, C]: element i belongs to channel i % C.
  GraphParam dw{"d", {1, 1, 2, 3}, {1.0f, -2.0f, 0.0f, 0.5f, 1.0f, 0.0f}, {0, 0, 0}};
  EXPECT_EQ(quantize_weights(dw, GraphOpKind::kDepthwise, false, scales),
            (std::vector<int8_t>{127, -127, 0, 64, 64, 0}));
  ASSERT_EQ(scales.size(), 3u);
  EXPECT_FLOAT_EQ(scales[1], 2.0f / 127);
  EXPECT_FLOAT_EQ(scales[2], 1.0f / 127);  // a channel of zeros: the smallest other scale
  // Per tensor (the classifier): one scale.
  EXPECT_EQ(quantize_weights(conv, GraphOpKind::kFullyConnected, true, scales),
            (std::vector<int8_t>{32, 16, -127, 64}));
  EXPECT_EQ(scales.size(), 1u);
}

// input → 1×1 conv (ReLU) → global pool → sigmoid.
Graph tiny_graph(float weight) {
  Graph g;
  g.values = {{2, 2, 1}, {2, 2, 1}, {1, 1, 1}, {1, 1, 1}};
  g.params = {{"c", {1, 1, 1, 1}, {weight}, {0.0f}}};
  GraphOp conv;
  conv.input = 0;
  conv.output = 1;
  conv.relu = true;
  conv.param = 0;
  GraphOp pool;
  pool.kind = GraphOpKind::kGlobalAveragePool;
  pool.input = 1;
  pool.output = 2;
  GraphOp sigmoid;
  sigmoid.kind = GraphOpKind::kSigmoid;
  sigmoid.input = 2;
  sigmoid.output = 3;
  g.ops = {conv, pool, sigmoid};
  g.output = 3;
  return g;
}

TEST(CalibrationFromHistograms, RangesFixedSigmoidAndWidenedDeadValues) {
  const Graph g = tiny_graph(1.0f);
  std::vector<RangeHistogram> h(4);
  const float input[4] = {-1.0f, 0.0f, 1.0f, 3.0f}, relu[4] = {0, 0, 1, 3}, mean = 1, sig = 0.7f;
  h[0].add(input, 4);
  h[1].add(relu, 4);
  h[2].add(&mean, 1);
  h[3].add(&sig, 1);
  const Int8Calibration c = calibration_from_histograms(g, h, CalibrationMethod::kMinMax, 4);
  EXPECT_EQ(c.images, 4);
  ASSERT_EQ(c.values.size(), 4u);
  EXPECT_FLOAT_EQ(c.values[0].scale, 4.0f / 255);
  EXPECT_FLOAT_EQ(c.values[1].scale, 3.0f / 255);
  EXPECT_EQ(c.values[1].zero_point, -128);
  EXPECT_FLOAT_EQ(c.values[3].scale, 1.0f / 256);  // what XNNPACK's int8 sigmoid produces
  EXPECT_EQ(c.values[3].zero_point, -128);

  // A convolution whose output never leaves 0 would need a requantization scale beyond what
  // int8 kernels take (input scale × weight scale / output scale): its output is widened.
  RangeHistogram zero;
  const float z[4] = {0, 0, 0, 0};
  zero.add(z, 4);
  h[1] = zero;
  const Int8Calibration dead = calibration_from_histograms(g, h, CalibrationMethod::kMinMax, 4);
  const float requantization = dead.values[0].scale * (1.0f / 127) / dead.values[1].scale;
  EXPECT_LT(requantization, 256.0f);
  EXPECT_EQ(dead.values[1].zero_point, -128);  // still starts at 0
  // The pool's input / output ratio is kept within what XNNPACK's int8 pool takes, too.
  EXPECT_LT(dead.values[1].scale / dead.values[2].scale, 256.0f);
  EXPECT_GE(dead.values[1].scale / dead.values[2].scale, 1.0f / 256);

  EXPECT_THROW(calibration_from_histograms(g, {h[0]}, CalibrationMethod::kMinMax, 4), Error);
}

}  // namespace
}  // namespace mnas
