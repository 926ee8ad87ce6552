// Benchmark (not a test): how quickly each search strategy finds high-reward architectures, on the
// SYNTHETIC surrogate evaluator (search/synthetic_surrogate.h) with MnasNet's soft reward and
// T = the surrogate latency of the space's skeleton (MobileNetV2, the paper's choice of T).
//
// For every strategy and seed it runs the same trial budget in batches and records the best reward
// so far. It prints, per strategy, the mean best reward and the mean number of trials needed to
// reach random search's final best on the same seed (same surrogate landscape).
//
//   ./build/bench/strategy_efficiency [--trials 2000] [--seeds 5] [--batch 16] [--json]
#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>

#include "base/error.h"
#include "search/reward.h"
#include "search/strategy_factory.h"
#include "search/synthetic_surrogate.h"

namespace {

struct Run {
  std::vector<double> best_so_far;  // after each trial
  double seconds = 0;
};

Run run(const std::string& strategy_name, const mnas::SearchSpace& space, uint64_t seed, int trials,
        int batch, const mnas::StrategyOptions& options, bool parts) {
  mnas::SyntheticSurrogate surrogate(space, seed);
  const mnas::RewardOptions reward =
      mnas::RewardOptions::soft(surrogate.latency_ms(space.skeleton_architecture()));
  mnas::StrategyOptions o = options;
  if (parts) mnas::model_reward_parts(o.predictor, reward);  // as mnas search sets it
  auto strategy = mnas::make_strategy(strategy_name, space, seed, o);
  Run r;
  double best = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int step = 0; static_cast<int>(r.best_so_far.size()) < trials; ++step) {
    const int n = std::min(batch, trials - static_cast<int>(r.best_so_far.size()));
    std::vector<mnas::Trial> observed;
    for (mnas::Proposal& p : strategy->propose(n)) {
      mnas::Trial t;
      t.evaluation = surrogate.evaluate(p.arch);
      t.reward = mnas::compute_reward(t.evaluation.accuracy, t.evaluation.latency_ms, reward);
      t.tokens = std::move(p.tokens);
      t.arch = std::move(p.arch);
      t.step = step;
      best = std::max(best, t.reward);
      r.best_so_far.push_back(best);
      observed.push_back(std::move(t));
    }
    strategy->observe(observed);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Compare search strategies on the synthetic surrogate (a benchmark, not a result)"};
  int trials = 2000, seeds = 5, batch = 16;
  bool json = false;
  std::vector<std::string> strategies = {"random", "ppo", "reinforce", "evolution", "predictor"};
  mnas::StrategyOptions options;
  std::string input = "224x224x3";
  app.add_option("--trials", trials, "Trials per run (default 2000)")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--seeds", seeds, "Seeds per strategy (default 5)")->check(CLI::Range(1, 1000));
  app.add_option("--batch", batch, "Proposals per strategy step (default 16)")
      ->check(CLI::Range(1, 10000));
  app.add_option("--strategies", strategies, "Strategies to run (random always runs first)");
  app.add_option("--input", input, "Input shape of the space (default 224x224x3)");
  app.add_option("--lr", options.controller.learning_rate, "Controller learning rate");
  app.add_option("--ppo-epochs", options.controller.ppo_epochs, "PPO epochs per batch");
  app.add_option("--entropy", options.controller.entropy_weight, "Controller entropy weight");
  app.add_option("--population", options.evolution.population, "Evolution population");
  app.add_option("--tournament", options.evolution.sample_size, "Evolution tournament size");
  bool parts = true;
  app.add_option("--predictor-parts", parts,
                 "Predictor: model accuracy and latency apart, as mnas search does (default 1)");
  app.add_flag("--json", json, "Machine-readable output");
  CLI11_PARSE(app, argc, argv);
  try {
    for (const std::string& name : strategies) {
      const std::vector<std::string> known = mnas::strategy_names();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        throw mnas::Error("--strategies: unknown '" + name + "' (separate names with spaces)");
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strategy_efficiency: %s\n", e.what());
    return 2;
  }

  mnas::SearchSpace space;
  space.set_input(mnas::parse_input_shape(input, "--input"));
  if (strategies.empty() || strategies.front() != "random")
    strategies.insert(strategies.begin(), "random");

  std::map<uint64_t, double> random_best;
  nlohmann::json results = nlohmann::json::array();
  std::printf("%-10s %16s %28s %10s %8s\n", "strategy", "mean best reward",
              "trials to random's best", "reached", "seconds");
  for (const std::string& name : strategies) {
    double best_sum = 0, trials_sum = 0, seconds = 0;
    int reached = 0;
    nlohmann::json per_seed = nlohmann::json::array();
    for (uint64_t seed = 1; seed <= static_cast<uint64_t>(seeds); ++seed) {
      const Run r = run(name, space, seed, trials, batch, options, parts);
      if (name == "random") random_best[seed] = r.best_so_far.back();
      const double target = random_best[seed];
      int needed = trials;
      bool hit = false;
      for (int i = 0; i < trials; ++i) {
        if (r.best_so_far[i] >= target) {
          needed = i + 1;
          hit = true;
          break;
        }
      }
      reached += hit;
      best_sum += r.best_so_far.back();
      trials_sum += needed;
      seconds += r.seconds;
      per_seed.push_back({{"seed", seed},
                          {"best_reward", r.best_so_far.back()},
                          {"trials_to_random_best", needed},
                          {"reached", hit}});
    }
    const double mean_trials = trials_sum / seeds;
    std::printf("%-10s %16.5f %20.0f (%4.2f) %7d/%d %8.1f\n", name.c_str(), best_sum / seeds,
                mean_trials, mean_trials / trials, reached, seeds, seconds);
    std::fflush(stdout);
    results.push_back({{"strategy", name},
                       {"mean_best_reward", best_sum / seeds},
                       {"mean_trials_to_random_best", mean_trials},
                       {"fraction_of_budget", mean_trials / trials},
                       {"reached", reached},
                       {"seeds", per_seed},
                       {"seconds", seconds}});
  }
  if (json) {
    std::cout << nlohmann::json{{"evaluator", "synthetic-surrogate (not a measurement)"},
                                {"trials", trials},
                                {"batch", batch},
                                {"results", results}}
                     .dump(2)
              << "\n";
  }
  return 0;
}
