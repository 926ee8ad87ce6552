// A property of the device boundary and the store: whatever a device answers, either the answer
// is refused where it is read (the trial fails, with the reason) or everything made from it —
// the trial's latencies, its reward, the store's row — reads back from the store exactly. No
// device can write a store that `mnas results` then refuses.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "latency/fake_device.h"
#include "latency/latency_json.h"
#include "latency/measure_presets.h"
#include "search/latency_objective.h"
#include "search/scoring.h"
#include "search/search_loop.h"
#include "space/architecture_codec.h"
#include "space/zoo.h"
#include "store/store.h"
#include "store/trial_latencies.h"

namespace mnas {
namespace {

// Answers what the test last set: a paired measurement as a device's JSON would give it.
class Scripted : public FakeDevice {
 public:
  PairedLatency next;
  PairedLatency measure_paired(const Architecture&, const Architecture&,
                               const TimingRequest&) override {
    return next;
  }
};

// One random change to a valid answer's JSON: a value replaced by an extreme, a wrong type or
// hostile text, a field removed or added.
void mutate(nlohmann::json& j, std::mt19937_64& rng) {
  const std::vector<nlohmann::json> values = {
      0,       -1,       1e-300,  1e-12,   1e-6,  0.001, 1,     1e3,   1e6,  1e9,
      1e15,    1e300,    -1e300,  4294967296LL, 9007199254740993LL, 0.5, true, nullptr,
      "",      "1.5",    "NaN",   "inf",   std::string(5000, 'x'), "\x1b[2J\r\nforged",
      "\xc3\xa9t\xc3\xa9", nlohmann::json::array(), nlohmann::json::object(),
      nlohmann::json::array({1, 2, 3})};
  // Every leaf's path, then one of them changed.
  std::vector<nlohmann::json::json_pointer> leaves;
  const std::function<void(const nlohmann::json&, const nlohmann::json::json_pointer&)> walk =
      [&](const nlohmann::json& v, const nlohmann::json::json_pointer& at) {
        if (v.is_object()) {
          for (const auto& [k, child] : v.items()) walk(child, at / k);
        } else if (v.is_array()) {
          for (size_t i = 0; i < v.size(); ++i) walk(v[i], at / i);
        } else {
          leaves.push_back(at);
        }
      };
  walk(j, nlohmann::json::json_pointer());
  if (leaves.empty()) return;
  const nlohmann::json::json_pointer at = leaves[rng() % leaves.size()];
  switch (rng() % 6) {
    case 0: {  // a field removed
      nlohmann::json& parent = j[at.parent_pointer()];
      if (parent.is_object()) parent.erase(at.back());
      break;
    }
    case 1:  // a field added
      if (j[at.parent_pointer()].is_object()) {
        j[at.parent_pointer()]["extra"] = values[rng() % values.size()];
      }
      break;
    case 2: {  // a number scaled (statistics that contradict each other)
      if (j[at].is_number()) j[at] = j[at].get<double>() * std::pow(10.0, double(rng() % 13) - 6);
      break;
    }
    default:
      j[at] = values[rng() % values.size()];
  }
}

TEST(DeviceAnswers, WhatTheBoundaryAcceptsTheStoreReadsBack) {
  const SearchSpace space = SearchConfig::default_space();
  auto device = std::make_shared<Scripted>();
  LatencyObjective::Target t;
  t.objective.name = "board";
  t.objective.url = "http://board:8765";
  t.objective.target = "mobilenetv2";
  std::tie(t.factor, t.reference) = target_model("mobilenetv2", space);
  t.device = device;
  LatencyObjective objective({t}, {1, quick_protocol()});

  const std::string path =
      "/tmp/mnas_device_answers_" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  std::vector<StoredTrial> written;
  int refused = 0, failed = 0;
  {
    Store store(path, Store::Mode::kCreate);
    std::mt19937_64 rng(11);
    FakeDevice honest;
    for (int i = 0; i < 600; ++i) {
      const Architecture arch = space.sample(rng);
      nlohmann::json answer = paired_latency_json(
          honest.measure_paired(arch, t.reference, TimingRequest{1, quick_protocol()}));
      const int changes = static_cast<int>(rng() % 4);  // 0: an honest answer now and then
      for (int k = 0; k < changes; ++k) mutate(answer, rng);
      // The boundary: what a remote device's answer goes through (latency_json.h).
      try {
        device->next = paired_latency_from_json(answer, "device board");
      } catch (const Error&) {
        ++refused;
        continue;
      }
      StoredTrial trial;
      trial.step = i;
      trial.canonical = to_canonical_string(arch);
      trial.tokens = {1};
      trial.status = "done";
      trial.accuracy = 0.5;
      trial.seconds = 1;
      try {
        trial.latencies = objective.measure(arch);
        Evaluation e;
        e.accuracy = trial.accuracy;
        e.latencies = trial.latencies;
        trial.reward = score(e, RewardOptions::soft(1.0), 0).reward;
        trial.latency_ms = trial.latencies.at(0).latency_ms;
        trial.latency_json = encode_latencies(trial.latencies);
      } catch (const Error& e) {  // refused by the objective: the trial fails, with the reason
        ++failed;
        trial.status = "failed";
        trial.failure = e.what();
        trial.accuracy = trial.reward = trial.latency_ms = 0;
        trial.latencies.clear();
        trial.latency_json = "{}";
      }
      ASSERT_TRUE(std::isfinite(trial.reward)) << answer.dump().substr(0, 2000);
      ASSERT_NO_THROW(store.add_trial(trial)) << answer.dump().substr(0, 2000);
      written.push_back(trial);
    }
  }
  std::printf("600 answers: %d refused where read, %d failing their trial, %d stored as done\n",
              refused, failed, static_cast<int>(written.size()) - failed);
  // Both kinds of answer occurred: the property was exercised, not skipped.
  EXPECT_GT(refused, 50);
  EXPECT_GT(static_cast<int>(written.size()) - failed, 100);

  const Store back(path, Store::Mode::kReadOnly);
  std::vector<StoredTrial> read;
  ASSERT_NO_THROW(read = back.trials());
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].status, written[i].status);
    EXPECT_EQ(read[i].reward, written[i].reward);
    ASSERT_EQ(read[i].latencies.size(), written[i].latencies.size());
    for (size_t d = 0; d < read[i].latencies.size(); ++d) {
      EXPECT_EQ(read[i].latencies[d].latency_ms, written[i].latencies[d].latency_ms);
      EXPECT_EQ(read[i].latencies[d].ratio, written[i].latencies[d].ratio);
    }
  }
  EXPECT_NO_THROW(pareto_front(read));
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

}  // namespace
}  // namespace mnas
