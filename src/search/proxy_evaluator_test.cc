// The proxy evaluator on real Fashion-MNIST with a tiny budget: a multi-fidelity run held
// between rungs ends where the plain proxy's training ends.
#include "search/proxy_evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "space/architecture_codec.h"

namespace mnas {
namespace {

const Architecture kSmall = parse_architecture_string(
    "input=28x28x1:stem=s22_o8:blocks=dconv_r1_k3_s11_e1_i8_o8_se0_identity,"
    "mbconv_r1_k3_s22_e3_i8_o16_se0.25_none:head=o32:classes=10:dropout=0.2");

TrainOptions tiny_proxy() {
  TrainOptions o = proxy_options();
  o.train_images = 320;  // 10 steps of 32
  o.holdout = 200;
  o.batch = 32;
  o.threads = 1;
  o.device = "cpu";  // the exact expectations hold on the CPU
  return o;
}

bool have_fashion_mnist() {
  return std::ifstream("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").good();
}

TEST(ProxyEvaluator, ARunHeldBetweenRungsEndsWhereThePlainProxyEnds) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  ProxyEvaluator plain(tiny_proxy());
  const Evaluation whole = plain.evaluate(kSmall);
  ASSERT_TRUE(whole.ok) << whole.failure;

  ProxyEvaluator rungs(tiny_proxy());
  const Evaluation first = rungs.evaluate_rung(kSmall, 64, 320, 100);  // 2 of the 10 steps
  ASSERT_TRUE(first.ok) << first.failure;
  EXPECT_EQ(rungs.held_runs(), 1u);
  // Scored on 100 of the 200 held-out images.
  EXPECT_DOUBLE_EQ(first.accuracy * 100, std::round(first.accuracy * 100));
  const Evaluation last = rungs.evaluate_rung(kSmall, 320, 320, 200);
  ASSERT_TRUE(last.ok) << last.failure;
  EXPECT_EQ(rungs.held_runs(), 0u);
  EXPECT_DOUBLE_EQ(last.accuracy, whole.accuracy);

  // Without the held run (a resumed search, another worker) the run trains from its start, to
  // the same result.
  ProxyEvaluator fresh(tiny_proxy());
  EXPECT_DOUBLE_EQ(fresh.evaluate_rung(kSmall, 320, 320, 200).accuracy, whole.accuracy);
}

// The size guard refuses before anything is read or trained: no data set needed.
TEST(ProxyEvaluator, AnArchitectureBeyondTheSizeGuardFailsWithoutTraining) {
  SizeGuard few_params;
  few_params.max_params = 1000;
  ProxyEvaluator e(tiny_proxy(), few_params);
  const Evaluation refused = e.evaluate(kSmall);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.failure.rfind("too large: ", 0), 0u) << refused.failure;
  EXPECT_LT(refused.seconds, 1.0);
  EXPECT_EQ(e.evaluate_rung(kSmall, 64, 320, 100).failure, refused.failure);

  SizeGuard few_macs;
  few_macs.max_macs = 1000;
  EXPECT_FALSE(ProxyEvaluator(tiny_proxy(), few_macs).evaluate(kSmall).ok);
  EXPECT_EQ(SizeGuard{}.max_params, 50'000'000);  // the defaults a search runs with
  EXPECT_EQ(SizeGuard{}.max_macs, 5'000'000'000);
}

TEST(ProxyEvaluator, HoldsAtMostAStepsRuns) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  ProxyEvaluator e(tiny_proxy());
  e.hold_at_most(1);
  Architecture wider = kSmall;
  wider.head_filters = 48;
  ASSERT_TRUE(e.evaluate_rung(kSmall, 64, 320, 100).ok);
  ASSERT_TRUE(e.evaluate_rung(wider, 64, 320, 100).ok);
  EXPECT_EQ(e.held_runs(), 1u);  // the older let go
  e.hold_at_most(0);
  ASSERT_TRUE(e.evaluate_rung(kSmall, 64, 320, 100).ok);
  EXPECT_EQ(e.held_runs(), 0u);
}

// With quantize_accuracy a trial's accuracy is the int8 network's, scored on the same held-out
// images; the fp32 accuracy is kept as a metric, and the rungs of a held run still end where the
// plain proxy ends.
TEST(ProxyEvaluator, QuantizedAccuracyIsTheInt8NetworksAndKeepsTheFp32One) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  ProxyEvaluator fp32(tiny_proxy());
  const Evaluation plain = fp32.evaluate(kSmall);
  ASSERT_TRUE(plain.ok) << plain.failure;
  EXPECT_EQ(plain.metrics_json, "");

  QuantizeOptions q;
  q.calibration_images = 64;
  ProxyEvaluator int8(tiny_proxy());
  int8.quantize_accuracy(q);
  const Evaluation quantized = int8.evaluate(kSmall);
  ASSERT_TRUE(quantized.ok) << quantized.failure;
  const nlohmann::json metrics = nlohmann::json::parse(quantized.metrics_json);
  EXPECT_DOUBLE_EQ(metrics.at("fp32_accuracy").get<double>(), plain.accuracy);
  EXPECT_DOUBLE_EQ(quantized.accuracy * 200, std::round(quantized.accuracy * 200));  // 200 images
  EXPECT_NEAR(quantized.accuracy, plain.accuracy, 0.1);

  ProxyEvaluator rungs(tiny_proxy());
  rungs.quantize_accuracy(q);
  ASSERT_TRUE(rungs.evaluate_rung(kSmall, 64, 320, 100).ok);
  const Evaluation last = rungs.evaluate_rung(kSmall, 320, 320, 200);
  ASSERT_TRUE(last.ok) << last.failure;
  EXPECT_DOUBLE_EQ(last.accuracy, quantized.accuracy);
  EXPECT_EQ(last.metrics_json, quantized.metrics_json);
}

TEST(ProxyEvaluator, ABadRungIsAFailedEvaluation) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  ProxyEvaluator e(tiny_proxy());
  const Evaluation over = e.evaluate_rung(kSmall, 400, 320, 100);
  EXPECT_FALSE(over.ok);
  EXPECT_NE(over.failure.find("must be in [1, 320]"), std::string::npos) << over.failure;
  EXPECT_EQ(e.held_runs(), 0u);
}

}  // namespace
}  // namespace mnas
