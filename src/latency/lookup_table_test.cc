#include "latency/lookup_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "latency/fake_device.h"
#include "latency/lut_check.h"
#include "latency/measure_presets.h"
#include "space/cost_model.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

using mnas::testing::tiny_space;

std::string temp_file(const std::string& name) {
  return "/tmp/mnas_lut_test_" + std::to_string(::getpid()) + "_" + name;
}

TEST(LookupTable, EnumeratesEveryLayerTheSpaceCanProduce) {
  const SearchSpace space = tiny_space();
  const std::vector<std::string> all = LookupTable::enumerate_keys(space);
  std::set<std::string> keys(all.begin(), all.end());
  EXPECT_EQ(keys.size(), all.size());  // no duplicates
  std::mt19937_64 rng(1);
  for (int i = 0; i < 300; ++i) {
    for (const std::string& k : LookupTable::keys(space.sample(rng))) {
      ASSERT_TRUE(keys.count(k)) << "missing " << k;
    }
  }
}

TEST(LookupTable, BuildsResumesCalibratesAndPredicts) {
  const SearchSpace space = tiny_space();
  const std::string path = temp_file("table.json");
  LocalDevice device;
  LookupTable table(space, 1, device.info());
  const size_t total = table.missing();
  ASSERT_GT(total, 20u);
  // Stop after the first save (25 entries): the file holds a partial table.
  size_t seen = 0;
  try {
    table.build(device, quick_protocol(), path, [&](const LookupTable::BuildProgress& p) {
      seen = p.done;
      if (p.done == 25) throw std::runtime_error("stop");
    });
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(seen, 25u);
  LookupTable resumed = LookupTable::load(path);
  EXPECT_EQ(resumed.missing(), total - 25);
  resumed.require_device(device.info());
  size_t measured = 0;
  resumed.build(device, quick_protocol(), path,
                [&](const LookupTable::BuildProgress& p) { measured = p.done; });
  EXPECT_EQ(measured, total - 25);  // only the missing ones
  EXPECT_EQ(resumed.missing(), 0u);

  resumed.calibrate(device, 6, 3, quick_protocol(), nullptr);
  EXPECT_EQ(resumed.calibration_samples(), 6);
  std::mt19937_64 rng(9);
  const Architecture a = space.sample(rng);
  EXPECT_GT(resumed.predict_ms(a), 0.0);
  EXPECT_DOUBLE_EQ(resumed.predict_ms(a),
                   resumed.scale() * resumed.raw_sum_ms(a) +
                       resumed.ms_per_mparam() * estimate_cost(a).params / 1e6 +
                       resumed.offset_ms());

  resumed.save(path);
  const LookupTable again = LookupTable::load(path);
  EXPECT_DOUBLE_EQ(again.predict_ms(a), resumed.predict_ms(a));
  EXPECT_DOUBLE_EQ(again.predict(a).median_ms, resumed.predict_ms(a));
  EXPECT_EQ(again.predict(a).measurement.stats.runs, 0);  // a prediction, not a measurement
  std::remove(path.c_str());
}

// An int8 table: its entries are the parts' int8 networks, its calibration int8 networks
// measured whole, and it says so in its file and in every prediction.
TEST(LookupTable, AnInt8TableTimesInt8AndSaysSo) {
  const SearchSpace space = tiny_space();
  const std::string path = temp_file("int8.json");
  LocalDevice device;
  LookupTable table(space, 1, device.info(), Precision::kInt8);
  EXPECT_EQ(table.precision(), Precision::kInt8);
  table.build(device, quick_protocol(), path, nullptr);
  EXPECT_EQ(table.missing(), 0u);
  table.calibrate(device, 4, 3, quick_protocol(), nullptr);
  table.save(path);
  const LookupTable back = LookupTable::load(path);
  EXPECT_EQ(back.precision(), Precision::kInt8);
  std::mt19937_64 rng(9);
  const Architecture a = space.sample(rng);
  EXPECT_EQ(back.predict(a).provenance.precision, Precision::kInt8);
  EXPECT_GT(back.predict_ms(a), 0.0);
  // A table written before precisions existed reads as fp32.
  nlohmann::json j = nlohmann::json::parse(std::ifstream(path));
  j["provenance"].erase("precision");
  std::ofstream(path) << j.dump();
  EXPECT_EQ(LookupTable::load(path).precision(), Precision::kFp32);
  std::remove(path.c_str());
}

TEST(LookupTable, RejectsArchitecturesOfAnotherSpace) {
  LookupTable table(tiny_space(), 1, local_device_info());
  SearchSpace other;  // 224×224, other choices
  std::mt19937_64 rng(1);
  EXPECT_THROW(table.raw_sum_ms(other.sample(rng)), Error);
  EXPECT_THROW(table.require_space(other), Error);
  EXPECT_NO_THROW(table.require_space(tiny_space()));
  // Not measured yet: a clear error, not a zero.
  EXPECT_THROW(table.predict_ms(tiny_space().sample(rng)), Error);
  EXPECT_THROW(LookupTable(tiny_space(), 0, local_device_info()), Error);
}

TEST(LookupTable, DamagedFilesAreClearErrors) {
  const std::string path = temp_file("damaged.json");
  LookupTable table(tiny_space(), 1, local_device_info());
  table.save(path);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto expect_error = [&](const std::string& contents, const std::string& message) {
    std::ofstream(path, std::ios::trunc) << contents;
    try {
      LookupTable::load(path);
      FAIL() << "no error for " << message;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  expect_error(text.substr(0, text.size() / 2), "truncated");
  expect_error("{}", "not an mnas lookup table");
  std::string foreign = text;
  foreign.replace(foreign.find("\"layer "), 7, "\"layer_");
  expect_error(foreign, "is not a layer of the table's space");
  std::string other_device = text;
  const size_t cpu = other_device.find("\"cpu_model\": \"");
  other_device.insert(cpu + 14, "Other ");
  std::ofstream(path, std::ios::trunc) << other_device;
  EXPECT_THROW(LookupTable::load(path).require_device(local_device_info()), Error);
  EXPECT_THROW(LookupTable::load("/nonexistent/table.json"), Error);
  std::string zero_scale = text;
  const size_t scale = zero_scale.find("\"scale\": 1");
  ASSERT_NE(scale, std::string::npos);
  zero_scale.replace(scale, 10, "\"scale\": 0");
  expect_error(zero_scale, "calibration.scale: 0");
  nlohmann::json huge_scale = nlohmann::json::parse(text);
  huge_scale["calibration"]["scale"] = 1e308;
  expect_error(huge_scale.dump(1), "must be in [0.001, 1000]");
  // Entries as a device's answers are checked: a measured entry of 0 ms or 1e300 ms, a time
  // without a run.
  for (const auto& [median, runs, message] :
       std::vector<std::tuple<double, int, std::string>>{
           {0.0, 3, "median 0 ms is not a plausible latency"},
           {1e300, 3, "not a plausible latency"},
           {2.0, 0, "a time but no run"}}) {
    nlohmann::json damaged = nlohmann::json::parse(text);
    nlohmann::json& first = damaged["entries"].begin().value();
    first["median_ms"] = median;
    first["runs"] = runs;
    expect_error(damaged.dump(1), message);
  }
  std::string twice = text;
  twice.replace(twice.find("\"threads\""), 9, "\"threads\": 2, \"threads\"");
  expect_error(twice, "the key \"threads\" is given twice");
  std::remove(path.c_str());
}

TEST(LookupTable, BuildsOnAnyDeviceAndRecordsIt) {
  // The fake answers at once: the whole table, entries asked 25 per request.
  FakeDevice device;
  LookupTable table(tiny_space(), 1, device.info());
  const size_t total = table.missing();
  table.build(device, quick_protocol(), "", nullptr);
  EXPECT_EQ(table.missing(), 0u);
  EXPECT_EQ(device.measurements(), static_cast<int>((total + 24) / 25));
  table.calibrate(device, 8, 1, quick_protocol(), nullptr);
  EXPECT_EQ(table.provenance().device, "fake");
  EXPECT_EQ(table.provenance().cpu_model, "fake CPU");
  EXPECT_NO_THROW(table.require_device(device.info()));
  EXPECT_THROW(table.require_device(local_device_info()), Error);
  // The fake's latency is linear in the multiply-adds: the calibrated table predicts it closely.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 10; ++i) {
    const Architecture a = tiny_space().sample(rng);
    EXPECT_NEAR(table.predict_ms(a) / device.latency_ms(a), 1.0, 0.1);
  }
}

// `mnas lut check`'s comparison (lut_check.h): a table built and calibrated on the fake predicts
// the fake closely, without bias.
TEST(LutCheck, ComparesPredictionsWithMeasurements) {
  FakeDevice device;
  LookupTable table(tiny_space(), 1, device.info());
  table.build(device, quick_protocol(), "", nullptr);
  table.calibrate(device, 8, 1, quick_protocol(), nullptr);
  int heard = 0;
  const LutCheck r = check_lookup_table(table, device, 12, 7, quick_protocol(),
                                        [&](int done, int samples, int within) {
                                          ++heard;
                                          EXPECT_EQ(samples, 12);
                                          EXPECT_LE(within, done);
                                        });
  EXPECT_EQ(heard, 12);
  EXPECT_EQ(r.samples, 12);
  EXPECT_GE(r.within_10pct, 10);
  EXPECT_LE(r.mape_pct, r.max_error_pct);
  EXPECT_LT(std::fabs(r.bias_pct), kLutBiasWarningPct);
  EXPECT_GT(r.predictions_per_second, 0);
  EXPECT_THROW(check_lookup_table(table, device, 0, 7, quick_protocol()), Error);
}

TEST(LatencyCalibration, RecoversAnExactLinearModel) {
  std::vector<std::array<double, 3>> rows;
  std::vector<double> y;
  for (int i = 1; i <= 8; ++i) {
    const double sum = 0.1 * i, mparams = 0.5 + (i % 3);
    rows.push_back({sum, mparams, 1.0});
    y.push_back(1.2 * sum + 0.03 * mparams + 0.01);
  }
  const LatencyCalibration fit = fit_calibration(rows, y);
  EXPECT_NEAR(fit.scale, 1.2, 1e-9);
  EXPECT_NEAR(fit.ms_per_mparam, 0.03, 1e-9);
  EXPECT_NEAR(fit.offset_ms, 0.01, 1e-9);
}

TEST(LatencyCalibration, SmallNetworksCountAsMuchAsBigOnes) {
  // Ten small networks the sum predicts exactly, two big ones measured 40% over their sum: a
  // fit of absolute errors would follow the big ones and miss every small network by > 10%.
  std::vector<std::array<double, 3>> rows;
  std::vector<double> y;
  for (int i = 0; i < 10; ++i) {
    rows.push_back({0.1 + 0.01 * i, 1.0 + 0.1 * (i % 4), 1.0});
    y.push_back(rows.back()[0]);
  }
  for (double big : {10.0, 12.0}) {
    rows.push_back({big, 2.0 + big / 10, 1.0});
    y.push_back(1.4 * big);
  }
  const LatencyCalibration fit = fit_calibration(rows, y);
  for (int i = 0; i < 10; ++i) {
    const double predicted =
        fit.scale * rows[i][0] + fit.ms_per_mparam * rows[i][1] + fit.offset_ms;
    EXPECT_NEAR(predicted / y[i], 1.0, 0.10) << "small network " << i;
  }
}

TEST(LatencyCalibration, NeverFitsAScaleThatIsNotPositive) {
  // Four rows where the measured time falls as the sum grows: a free fit gives a negative scale.
  const std::vector<std::array<double, 3>> rows = {
      {0.10, 1.0, 1.0}, {0.20, 1.1, 1.0}, {0.30, 0.9, 1.0}, {0.40, 1.2, 1.0}};
  const std::vector<double> y = {0.50, 0.40, 0.30, 0.20};
  const LatencyCalibration fit = fit_calibration(rows, y);
  EXPECT_DOUBLE_EQ(fit.scale, 1.0);
  EXPECT_DOUBLE_EQ(fit.ms_per_mparam, 0.0);
}

TEST(LatencyCalibration, RejectsTooFewOrBadMeasurements) {
  EXPECT_THROW(fit_calibration({{1.0, 1.0, 1.0}}, {1.0}), Error);
  EXPECT_THROW(fit_calibration({{1.0, 1.0, 1.0}, {2.0, 1.0, 1.0}}, {1.0}), Error);
  EXPECT_THROW(fit_calibration({{1.0, 1.0, 1.0}, {2.0, 1.0, 1.0}}, {1.0, 0.0}), Error);
}

}  // namespace
}  // namespace mnas
