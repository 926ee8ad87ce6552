#include "search/search_setup.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>

#include "base/error.h"
#include "data/dataset.h"
#include "search/command_evaluator.h"
#include "search/detection_evaluator.h"
#include "search/latency_objective.h"
#include "search/proxy_evaluator.h"
#include "search/recent_map.h"
#include "search/synthetic_surrogate.h"
#include "space/architecture_codec.h"
#include "train/trainer.h"

namespace mnas {
namespace {

// The surrogate with a fixed cost per trial, slept rather than computed, so that ranks on one
// machine do not compete for its cores (bench/mpi_scaling.sh).
class CostlySurrogate : public Evaluator {
 public:
  CostlySurrogate(const SearchSpace& space, uint64_t seed, double cost_ms)
      : surrogate_(space, seed), cost_ms_(cost_ms) {}
  std::string name() const override { return surrogate_.name(); }
  Evaluation evaluate(const Architecture& arch) override {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(cost_ms_));
    return surrogate_.evaluate(arch);
  }
  // A rung costs its share of the full budget.
  Evaluation evaluate_at(const Architecture& arch, int64_t train_images,
                         int64_t holdout) override {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(
        cost_ms_ * std::min(1.0, static_cast<double>(train_images) / full_images_)));
    return surrogate_.evaluate_at(arch, train_images, holdout);
  }
  // A rung that continues a run costs only the images since the rung below.
  Evaluation evaluate_rung(const Architecture& arch, int64_t train_images, int64_t run_images,
                           int64_t holdout) override {
    const std::string key = to_canonical_string(arch);
    const int64_t* stopped = done_.find(key);
    const int64_t before = stopped ? std::min(*stopped, train_images) : 0;
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(
        cost_ms_ * std::min(1.0, static_cast<double>(train_images - before) / full_images_)));
    if (train_images < run_images) {
      done_.set(key, train_images);
    } else {
      done_.erase(key);
    }
    return surrogate_.evaluate_at(arch, train_images, holdout);
  }
  void set_full_images(int64_t images) {
    full_images_ = images;
    surrogate_.set_full_images(images);
  }

 private:
  SyntheticSurrogate surrogate_;
  double cost_ms_;
  int64_t full_images_ = 5000;
  // Images a run stopped at, by architecture; a forgotten run costs its whole rung again, as
  // one the proxy evaluator no longer holds.
  RecentMap<int64_t> done_{1024};
};

// Refuses a data set of `channels` and `labels` `what` ("classes", "categories") that the
// space's networks cannot take; `converted`: its images become the input's channels.
void refuse_unless_space_fits(const SearchSpace& space, const std::string& dataset, int channels,
                              bool converted, int labels, const std::string& what) {
  if ((converted || channels == space.input().channels) && labels == space.classes()) return;
  throw Error("space.input/space.classes: " + dataset + " has " + std::to_string(channels) +
              " channels and " + std::to_string(labels) + " " + what + "; the space has " +
              std::to_string(space.input().channels) + " and " + std::to_string(space.classes()));
}

}  // namespace

TrainOptions proxy_train_options(const SearchConfig& config, const EvaluatorRuntime& runtime) {
  TrainOptions t = proxy_options();
  t.dataset = config.proxy.dataset;
  t.data_dir = runtime.data_dir;
  t.epochs = config.proxy.epochs;
  t.train_images = config.proxy.train_images;
  t.holdout = config.proxy.holdout;
  t.batch = config.proxy.batch;
  t.threads = runtime.threads;
  t.device = runtime.train_device;
  return t;
}

std::unique_ptr<Evaluator> make_evaluator(const SearchConfig& config,
                                          const EvaluatorRuntime& runtime) {
  if (!(runtime.surrogate_cost_ms >= 0 && runtime.surrogate_cost_ms <= 600000)) {
    throw Error("surrogate cost: must be in [0, 600000] ms");
  }
  if (config.evaluator == "surrogate") {
    if (runtime.surrogate_cost_ms > 0) {
      auto costly = std::make_unique<CostlySurrogate>(config.space, config.seed,
                                                      runtime.surrogate_cost_ms);
      costly->set_full_images(config.proxy.train_images);
      return costly;
    }
    auto surrogate = std::make_unique<SyntheticSurrogate>(config.space, config.seed);
    surrogate->set_full_images(config.proxy.train_images);
    return surrogate;
  }
  if (runtime.surrogate_cost_ms > 0) {
    throw Error("surrogate cost: only the surrogate evaluator has one (evaluator is '" +
                config.evaluator + "')");
  }
  if (config.evaluator == "external") {
    throw Error::about("evaluator",
                       "external: the search's trials are evaluated by the program that asks "
                       "for them (mnas.Search's ask and tell, docs/python.md); resume it from "
                       "there, mnas cannot evaluate them");
  }
  if (config.evaluator.rfind("cmd:", 0) == 0) {
    CommandEvaluatorOptions o;
    o.command = config.evaluator.substr(4);
    o.timeout_seconds = config.command_timeout;
    o.work_root = runtime.work_dir;
    o.threads = runtime.threads;
    return std::make_unique<CommandEvaluator>(o);
  }
  const TrainOptions t = proxy_train_options(config, runtime);
  if (config.task == "detection") {
    const DetectionDatasetInfo info = detection_dataset_info(t.dataset);
    refuse_unless_space_fits(config.space, t.dataset, info.channels, false,
                             static_cast<int>(info.categories.size()), "categories");
    return std::make_unique<DetectionEvaluator>(t);
  }
  const DatasetInfo info = dataset_info(t.dataset);
  const bool folder = t.dataset.rfind("folder:", 0) == 0;  // converted to the input's channels
  if (info.classes < 2) {
    throw Error("proxy.dataset: " + t.dataset + " has " + std::to_string(info.classes) +
                " class; a search needs at least 2");
  }
  refuse_unless_space_fits(config.space, t.dataset, info.channels, folder, info.classes, "classes");
  auto proxy = std::make_unique<ProxyEvaluator>(t);
  proxy->hold_at_most(static_cast<size_t>(std::max(1, config.batch)));  // a step's proposals
  if (quantized_accuracy(config)) proxy->quantize_accuracy(QuantizeOptions{});
  return proxy;
}

RewardOptions make_reward(SearchConfig& config) {
  RewardOptions reward = RewardOptions::preset(config.reward, 1.0);
  reward.alpha = config.alpha;
  reward.beta = config.beta;
  if (config.latency == "surrogate") {
    // The surrogate's latency against a fixed T from the target model, computed once and stored.
    DeviceObjective& d = config.devices.front();
    if (d.target_ms <= 0) {
      const auto [factor, model] = target_model(d.target, config.space);
      d.target_ms = factor * SyntheticSurrogate(config.space, config.seed).latency_ms(model);
    }
    reward.target_ms = d.target_ms;
  } else if (config.latency == "told") {
    reward.target_ms = config.devices.front().target_ms;  // validate(): fixed
  }
  return reward;
}

}  // namespace mnas
