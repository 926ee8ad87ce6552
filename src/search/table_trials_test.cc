#include "search/table_trials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "search/search_loop.h"
#include "search/search_setup.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

std::string temp_store(const std::string& name) {
  return testing::fresh_path("table_trials_test", name);
}

// MnasNet's hard reward at Pixel 3's median latency, CIFAR-10 accuracy: the benchmark's task (b).
SearchConfig hard_pixel3(const std::string& strategy) {
  SearchConfig c;
  c.table_space = "nb201";
  c.strategy = strategy;
  c.evaluator = "table:cifar10";
  c.reward = "hard";
  c.alpha = 0;
  c.beta = -1;
  c.devices[0].name = "pixel3";
  c.devices[0].url = "table:pixel3";
  c.devices[0].target_ms = default_table_target_ms("table:pixel3", "test");
  return c;
}

std::vector<StoredTrial> search(const SearchConfig& config, const std::string& path, int trials) {
  SearchConfig c = config;
  const RewardOptions reward = make_reward(c);
  Store store(path);
  if (store.config().empty()) store.set_config(search_config_json(c).dump());
  TableTrialRunner runner(c);
  StrategyOptions so;
  model_reward_parts(so.predictor, reward);
  auto strategy = make_table_strategy(c, so);
  SearchOptions o;
  o.trials = trials;
  o.batch = c.batch;
  o.reward = reward;
  run_search(store, *strategy, runner, o, nullptr, true);
  return store.trials();
}

double best_reward(const std::vector<StoredTrial>& trials) {
  double best = 0;
  for (const StoredTrial& t : trials) best = std::max(best, t.reward);
  return best;
}

TEST(TableTrials, ACellGetsTheTablesAccuracyAndEveryDevicesLatencyAgainstItsTarget) {
  SearchConfig c = hard_pixel3("random");
  DeviceObjective pi;
  pi.name = "pi";
  pi.url = "table:raspi4";
  pi.target_ms = 100;
  c.devices.push_back(pi);
  const TableTrialRunner runner(c);
  const Nb201Table& table = Nb201Table::embedded();
  const Evaluation e = runner.evaluate(table.tokens(0));
  ASSERT_TRUE(e.ok) << e.failure;
  EXPECT_NEAR(e.accuracy, 0.8586, 1e-4);  // NAS-Bench-201's index 0 on CIFAR-10
  ASSERT_EQ(e.latencies.size(), 2u);
  EXPECT_EQ(e.latencies[0].device, "pixel3");
  EXPECT_DOUBLE_EQ(e.latencies[0].latency_ms, table.latency_ms(table.device("pixel3"), 0));
  EXPECT_NEAR(c.devices[0].target_ms, 10.68, 0.01);  // Pixel 3's median over the table
  EXPECT_DOUBLE_EQ(e.latencies[1].ratio, table.latency_ms(table.device("raspi4"), 0) / 100);
  EXPECT_FALSE(runner.evaluate({0, 0, 0}).ok);  // not a cell
}

TEST(TableTrials, TheStrategyProposesCellStringsTheStoreKeepsAndReadsBack) {
  const std::string path = temp_store("cells");
  const std::vector<StoredTrial> trials = search(hard_pixel3("random"), path, 12);
  ASSERT_EQ(trials.size(), 12u);
  for (const StoredTrial& t : trials) {
    EXPECT_EQ(t.canonical, Nb201Table::cell_string(t.tokens));
    EXPECT_EQ(t.status, "done");
    ASSERT_EQ(t.latencies.size(), 1u);
    EXPECT_EQ(t.latencies[0].device, "pixel3");
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

// The loop's known answer: the table's optimum, enumerated. Seeded, so deterministic.
TEST(TableTrials, ThePredictorBeatsRandomsExactRegretAndAResumeGivesTheSameSearch) {
  SearchConfig c = hard_pixel3("predictor");
  SearchConfig cc = c;
  const StoredReference optimum = table_optimum(c, make_reward(cc));
  EXPECT_NEAR(optimum.accuracy, 0.9366, 0.001);  // the best cell under Pixel 3's median
  EXPECT_LE(optimum.latencies.at(0).latency_ms, c.devices[0].target_ms);

  const std::string whole = temp_store("whole"), split = temp_store("split");
  const std::vector<StoredTrial> a = search(c, whole, 100);
  search(c, split, 42);  // stopped after 7 steps, then resumed
  const std::vector<StoredTrial> b = search(c, split, 100);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].canonical, b[i].canonical) << i;
    EXPECT_EQ(a[i].reward, b[i].reward) << i;
  }
  // Mean regret over 5 seeds at 100 trials (measured: 0.42 points); random search's exact
  // expectation there is 0.72 (docs/benchmarks.md).
  double regret = optimum.reward - best_reward(a);
  for (uint64_t seed = 2; seed <= 5; ++seed) {
    c.seed = seed;
    const std::string path = temp_store("seed" + std::to_string(seed));
    regret += optimum.reward - best_reward(search(c, path, 100));
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
  EXPECT_LT(100 * regret / 5, 0.6);
  for (const std::string& p : {whole, split}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p + suffix).c_str());
  }
}

TEST(TableTrials, ATableSpaceRefusesWhatTrainsOrTimesAndEveryUnknownName) {
  SearchConfig c = hard_pixel3("ppo");
  EXPECT_EQ(testing::error_of([&] { validate(c); }), "");
  SearchConfig proxy = c;
  proxy.evaluator = "proxy";
  EXPECT_NE(testing::error_of([&] { validate(proxy); }).find("evaluator: 'proxy' trains networks"),
            std::string::npos);
  SearchConfig dataset = c;
  dataset.evaluator = "table:imagenet";
  EXPECT_NE(testing::error_of([&] { validate(dataset); }).find("cifar100"), std::string::npos);
  SearchConfig device = c;
  device.devices[0].url = "table:iphone";
  EXPECT_NE(
      testing::error_of([&] { validate(device); }).find("devices[0].url: unknown device 'iphone'"),
      std::string::npos);
  SearchConfig local = c;
  local.devices[0].url = "local";
  EXPECT_NE(testing::error_of([&] { validate(local); }).find("table:DEVICE"), std::string::npos);
  SearchConfig untargeted = c;
  untargeted.devices[0].target_ms = 0;
  EXPECT_NE(testing::error_of([&] { validate(untargeted); }).find("--target-ms"),
            std::string::npos);
  SearchConfig rungs = c;
  rungs.fidelity.rungs = {100, 5000};
  EXPECT_NE(testing::error_of([&] { validate(rungs); }).find("fidelity"), std::string::npos);
  // A table's evaluator or device in MnasNet's space.
  SearchConfig mnas;
  mnas.evaluator = "table:cifar10";
  EXPECT_NE(testing::error_of([&] { validate(mnas); }).find("--space nb201"), std::string::npos);
  SearchConfig mnas_device;
  mnas_device.devices[0].url = "table:pixel3";
  EXPECT_NE(testing::error_of([&] { validate(mnas_device); }).find("--space nb201"),
            std::string::npos);
  // The store's configuration keeps the table space; one before the field is MnasNet's.
  EXPECT_EQ(search_config_from_json(search_config_json(c), "x").table_space, "nb201");
  nlohmann::json old = search_config_json(SearchConfig{});
  old.erase("table_space");
  EXPECT_EQ(search_config_from_json(old, "x").table_space, "");
}

}  // namespace
}  // namespace mnas
