// Every strategy on NAS-Bench-201's table (src/table), where every cell's accuracy and latency on
// real devices is known: many seeded searches per strategy and task, each compared with the
// task's exact optimum (the table enumerated). docs/benchmarks.md has the figures and charts.
//
//   table_search [--tasks accuracy,hard,soft,two_devices] [--strategies ppo,...] [--seeds 100]
//                [--queries 25,50,100,150,200,400] [--batch 6] [--jobs 2] [--csv FILE]
//                [--svg-dir DIR]
//
// Tasks (T = a device's median latency over the table):
//   accuracy     CIFAR-10 accuracy alone (NAS-Bench-201's own setting); regret in points
//   hard         MnasNet's hard reward (alpha 0, beta -1) at T = Pixel 3's median; regret: the
//                best accuracy under T minus the best found under T
//   soft         the soft reward (alpha = beta = -0.07) at the same T; regret: the optimum's
//                reward minus the best found, ×100 (points of accuracy at T)
//   two_devices  the hard reward on Pixel 3 and Raspberry Pi 4, each at its median; regret as
//                for hard, under both
// A query is one cell evaluated for the first time (what a real search pays to train); a
// proposal of a cell already seen is answered from the table again (as the store answers it) and
// costs nothing. A search stops at the last checkpoint's queries, or once 100 proposals in a row
// (or 20 times the queries in all) found no new cell: the strategy has converged, and its best
// stands for the checkpoints it did not reach.
#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "base/error.h"
#include "report/svg_chart.h"
#include "search/reward.h"
#include "search/search_config.h"
#include "search/strategy_factory.h"
#include "table/nb201_table.h"

namespace {

using mnas::Nb201Table;

struct Task {
  std::string name, title;
  mnas::RewardOptions reward_options;       // exponents (T is in the ratios)
  std::vector<std::vector<double>> ratios;  // per row: LAT/T per device (none: accuracy alone)
  std::vector<double> accuracy;             // per row, in [0, 1]
  std::vector<double> reward;  // per row: what the strategies learn from
  std::vector<double> metric;  // per row: what regret is measured on; NaN: infeasible
  double optimum = 0;
};

Task make_task(const std::string& name, const Nb201Table& t) {
  Task task;
  task.name = name;
  task.reward_options =
      name == "soft" ? mnas::RewardOptions::soft(1) : mnas::RewardOptions::hard(1);
  const int acc = t.dataset("cifar10");
  const int p3 = t.device("pixel3"), pi = t.device("raspi4");
  const double t_p3 = t.median_latency_ms(p3), t_pi = t.median_latency_ms(pi);
  char title[200];
  for (int r = 0; r < Nb201Table::kCells; ++r) {
    const double a = t.accuracy(acc, r);
    const double lat = t.latency_ms(p3, r);
    double reward = 0, metric = 0;
    if (name == "accuracy") {
      reward = a / 100;
      metric = a;
    } else if (name == "hard") {
      reward = mnas::compute_reward(a / 100, lat, mnas::RewardOptions::hard(t_p3));
      metric = lat <= t_p3 ? a : NAN;
    } else if (name == "soft") {
      reward = mnas::compute_reward(a / 100, lat, mnas::RewardOptions::soft(t_p3));
      metric = 100 * reward;
    } else if (name == "two_devices") {
      const double lat_pi = t.latency_ms(pi, r);
      reward = mnas::compute_reward(a / 100, {lat / t_p3, lat_pi / t_pi},
                                    mnas::RewardOptions::hard(t_p3));
      metric = lat <= t_p3 && lat_pi <= t_pi ? a : NAN;
    } else {
      throw mnas::Error("--tasks: unknown '" + name +
                        "'; use accuracy, hard, soft or two_devices");
    }
    task.reward.push_back(reward);
    task.metric.push_back(metric);
    task.accuracy.push_back(a / 100);
    if (name == "hard" || name == "soft") task.ratios.push_back({lat / t_p3});
    if (name == "two_devices") task.ratios.push_back({lat / t_p3, t.latency_ms(pi, r) / t_pi});
    if (!std::isnan(metric)) task.optimum = std::max(task.optimum, metric);
  }
  if (name == "accuracy") {
    std::snprintf(title, sizeof title, "CIFAR-10 accuracy alone (optimum %.2f%%)", task.optimum);
  } else if (name == "hard") {
    std::snprintf(title, sizeof title,
                  "hard reward at T = Pixel 3's median %.2f ms (best under T: %.2f%%)", t_p3,
                  task.optimum);
  } else if (name == "soft") {
    std::snprintf(title, sizeof title,
                  "soft reward at T = Pixel 3's median %.2f ms (optimum reward x100: %.2f)", t_p3,
                  task.optimum);
  } else {
    std::snprintf(title, sizeof title,
                  "hard reward on Pixel 3 (T %.2f ms) and Raspberry Pi 4 (T %.2f ms) (best "
                  "under both: %.2f%%)",
                  t_p3, t_pi, task.optimum);
  }
  task.title = title;
  return task;
}

// The mean best metric of n distinct cells drawn uniformly (exactly, from the sorted values):
// P(best ≤ v_k) = C(k, n) / C(N, n). An infeasible cell counts as 0.
double random_expectation(const Task& task, int n) {
  std::vector<double> v;
  for (double m : task.metric) v.push_back(std::isnan(m) ? 0.0 : m);
  std::sort(v.begin(), v.end());
  const int total = static_cast<int>(v.size());
  const auto log_choose = [](int a, int b) {
    return std::lgamma(a + 1.0) - std::lgamma(b + 1.0) - std::lgamma(a - b + 1.0);
  };
  const double denominator = log_choose(total, n);
  double expectation = 0, previous = 0;
  for (int k = n; k <= total; ++k) {
    const double cdf = std::exp(log_choose(k, n) - denominator);
    expectation += v[k - 1] * (cdf - previous);
    previous = cdf;
  }
  return expectation;
}

struct Run {
  std::vector<double> best;  // best metric after q queries, q = 1..max (0 while none feasible)
  double seconds = 0;
  int proposals = 0;
  int queries = 0;     // distinct cells evaluated (fewer than the maximum: converged)
  int infeasible = 0;  // queries of cells the task's metric does not count (over T)
};

Run search(const std::string& strategy, const Task& task, const Nb201Table& table, uint64_t seed,
           int max_queries, int batch, mnas::StrategyOptions options, bool model_parts) {
  const auto start = std::chrono::steady_clock::now();
  if (model_parts) mnas::model_reward_parts(options.predictor, task.reward_options);
  auto s = mnas::make_strategy(strategy, Nb201Table::decision_space(), seed, options);
  Run run;
  std::vector<char> seen(Nb201Table::kCells, 0);
  double best = 0;
  int queries = 0, repeats = 0;
  while (queries < max_queries && run.proposals < 20 * max_queries && repeats < 100) {
    std::vector<mnas::Trial> trials;
    for (const mnas::Proposal& p : s->propose(batch)) {
      ++run.proposals;
      const int row = table.row(p.tokens);
      mnas::Trial t;
      t.tokens = p.tokens;
      t.reward = task.reward[row];
      t.evaluation.accuracy = task.accuracy[row];
      if (!task.ratios.empty()) {
        for (double ratio : task.ratios[row]) {
          mnas::DeviceLatency d;
          d.ratio = ratio;
          t.evaluation.latencies.push_back(d);
        }
      }
      trials.push_back(t);
      if (seen[row]) {
        ++repeats;
        continue;
      }
      repeats = 0;
      seen[row] = 1;
      if (!std::isnan(task.metric[row])) {
        best = std::max(best, task.metric[row]);
      } else if (queries < max_queries) {
        ++run.infeasible;
      }
      if (++queries <= max_queries) run.best.push_back(best);
    }
    s->observe(trials);
  }
  run.queries = std::min(queries, max_queries);
  run.best.resize(max_queries, best);
  run.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

const char* color_of(const std::string& strategy) {
  static const std::map<std::string, const char*> colors = {{"random", "#7f7f7f"},
                                                            {"evolution", "#2ca02c"},
                                                            {"ppo", "#1f77b4"},
                                                            {"reinforce", "#9467bd"},
                                                            {"predictor", "#d62728"}};
  const auto it = colors.find(strategy);
  return it == colors.end() ? "#000000" : it->second;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Every strategy on NAS-Bench-201 with real device latencies, against the optimum"};
  std::string tasks_text = "accuracy,hard,soft,two_devices";
  std::string strategies_text = "random,evolution,ppo,reinforce,predictor";
  std::string queries_text = "25,50,100,150,200,400", csv_path, svg_dir;
  int seeds = 100, batch = 6;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.add_option("--tasks", tasks_text, "accuracy, hard, soft, two_devices (comma-separated)");
  app.add_option("--strategies", strategies_text, "strategies to compare (comma-separated)");
  app.add_option("--seeds", seeds, "searches per strategy and task (seeds 1..N)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--queries", queries_text, "checkpoints: queries at which regret is reported");
  app.add_option("--batch", batch, "proposals per strategy step (mnas search's default: 6)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--jobs", jobs, "searches at once (default: every core)")
      ->check(CLI::Range(1, 256));
  app.add_option("--csv", csv_path, "write every search's best at each checkpoint here");
  app.add_option("--svg-dir", svg_dir, "write one chart per task here (regret vs queries)");
  mnas::StrategyOptions options;
  mnas::PredictorOptions& p = options.predictor;
  app.add_option("--predictor-initial", p.initial, "predictor: random proposals first");
  app.add_option("--predictor-members", p.members, "predictor: ensemble members");
  app.add_option("--predictor-trees", p.trees.trees, "predictor: trees per member");
  app.add_option("--predictor-depth", p.trees.depth, "predictor: tree depth");
  app.add_option("--predictor-lr", p.trees.learning_rate, "predictor: boosting learning rate");
  app.add_option("--predictor-parents", p.parents, "predictor: best trials whose neighbours count");
  app.add_option("--predictor-mutations", p.mutations, "predictor: mutation candidates");
  app.add_option("--predictor-random", p.random_candidates, "predictor: random candidates");
  app.add_option("--predictor-kappa", p.kappa, "predictor: mean + kappa * spread");
  app.add_option("--predictor-counts", p.choice_counts, "predictor: choice counts as features");
  app.add_option("--predictor-ranks", p.rank_targets, "predictor: learn the rewards' ranks");
  bool model_parts = true;
  app.add_option("--predictor-parts", model_parts,
                 "predictor: model accuracy and each latency ratio, not the reward (default 1)");
  app.add_option("--evolution-population", options.evolution.population, "evolution: population");
  app.add_option("--evolution-sample", options.evolution.sample_size, "evolution: tournament");
  app.add_option("--controller-entropy", options.controller.entropy_weight,
                 "ppo, reinforce: entropy weight");
  double controller_lr = 0;
  app.add_option("--controller-lr", controller_lr,
                 "ppo, reinforce: learning rate (default: mnas search's for the last checkpoint)");
  CLI11_PARSE(app, argc, argv);
  try {
    torch::set_num_threads(1);  // the controller's tensors are tiny; searches run side by side
    const Nb201Table& table = Nb201Table::embedded();
    std::vector<int> checkpoints;
    for (const std::string& q : split_list(queries_text)) {
      const int v = std::atoi(q.c_str());
      if (v < 1 || v > Nb201Table::kCells) throw mnas::Error("--queries: '" + q + "'");
      checkpoints.push_back(v);
    }
    std::sort(checkpoints.begin(), checkpoints.end());
    const int max_queries = checkpoints.back();
    options.controller.learning_rate =
        controller_lr > 0 ? controller_lr : mnas::default_controller_lr(max_queries);
    std::vector<Task> tasks;
    for (const std::string& name : split_list(tasks_text)) tasks.push_back(make_task(name, table));
    const std::vector<std::string> strategies = split_list(strategies_text);
    for (const std::string& s : strategies) {
      const auto names = mnas::strategy_names();
      if (std::find(names.begin(), names.end(), s) == names.end()) {
        throw mnas::Error("--strategies: unknown '" + s + "'");
      }
    }
    // Every (task, strategy, seed), in that order; workers take the next one.
    struct Job {
      size_t task, strategy;
      int seed;
    };
    std::vector<Job> all;
    for (size_t t = 0; t < tasks.size(); ++t) {
      for (size_t s = 0; s < strategies.size(); ++s) {
        for (int seed = 1; seed <= seeds; ++seed) all.push_back({t, s, seed});
      }
    }
    std::vector<Run> runs(all.size());
    std::atomic<size_t> next{0}, done{0};
    std::mutex error_mutex;
    std::string error;
    const auto start = std::chrono::steady_clock::now();
    const auto work = [&] {
      for (size_t i; (i = next++) < all.size();) {
        try {
          runs[i] = search(strategies[all[i].strategy], tasks[all[i].task], table, all[i].seed,
                           max_queries, batch, options, model_parts);
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(error_mutex);
          error = e.what();
        }
        const size_t d = ++done;
        if (d % 100 == 0 || d == all.size()) {
          std::fprintf(stderr, "table_search: %zu/%zu searches, %.0f s\n", d, all.size(),
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                           .count());
        }
      }
    };
    std::vector<std::thread> workers;
    for (int j = 0; j < jobs; ++j) workers.emplace_back(work);
    for (std::thread& w : workers) w.join();
    if (!error.empty()) throw mnas::Error(error);

    std::ofstream csv;
    if (!csv_path.empty()) {
      csv.open(csv_path);
      if (!csv) throw mnas::Error("--csv: cannot write '" + csv_path + "'", mnas::Error::Kind::kIo);
      csv << "task,strategy,seed,queries,best,regret\n";
    }
    for (size_t t = 0; t < tasks.size(); ++t) {
      const Task& task = tasks[t];
      std::printf("\n## %s: %s\n\nmean regret ± std over %d seeds (mean best in brackets)\n\n",
                  task.name.c_str(), task.title.c_str(), seeds);
      std::printf("| strategy |");
      for (int q : checkpoints) std::printf(" %d queries |", q);
      std::printf(" s/search | queries over T | converged early |\n|---|");
      for (size_t i = 0; i < checkpoints.size(); ++i) std::printf("---|");
      std::printf("---|---|---|\n| random, exact expectation |");
      for (int q : checkpoints) {
        const double e = random_expectation(task, q);
        std::printf(" %.3f (%.2f) |", task.optimum - e, e);
      }
      std::printf(" | | |\n");
      mnas::SvgChart chart(task.title, "queries", "mean regret (points)", 760, 420);
      for (size_t s = 0; s < strategies.size(); ++s) {
        std::printf("| %s |", strategies[s].c_str());
        double seconds = 0;
        std::vector<double> curve_x, curve_y;
        for (int q = 1; q <= max_queries; ++q) {
          double sum = 0;
          for (size_t i = 0; i < all.size(); ++i) {
            if (all[i].task == t && all[i].strategy == s) sum += task.optimum - runs[i].best[q - 1];
          }
          curve_x.push_back(q);
          curve_y.push_back(sum / seeds);
        }
        for (int q : checkpoints) {
          double sum = 0, sq = 0, best = 0;
          for (size_t i = 0; i < all.size(); ++i) {
            if (all[i].task != t || all[i].strategy != s) continue;
            const double r = task.optimum - runs[i].best[q - 1];
            sum += r;
            sq += r * r;
            best += runs[i].best[q - 1];
            if (csv.is_open()) {
              csv << task.name << ',' << strategies[s] << ',' << all[i].seed << ',' << q << ','
                  << runs[i].best[q - 1] << ',' << r << '\n';
            }
          }
          const double mean = sum / seeds;
          const double std = std::sqrt(std::max(0.0, sq / seeds - mean * mean));
          std::printf(" %.3f ± %.3f (%.2f) |", mean, std, best / seeds);
        }
        double infeasible = 0, queried = 0;
        int early = 0;
        for (size_t i = 0; i < all.size(); ++i) {
          if (all[i].task != t || all[i].strategy != s) continue;
          seconds += runs[i].seconds;
          infeasible += runs[i].infeasible;
          queried += runs[i].queries;
          early += runs[i].queries < max_queries;
        }
        std::printf(" %.3f | %.0f%% | %d of %d |\n", seconds / seeds, 100 * infeasible / queried,
                    early, seeds);
        chart.add_line(curve_x, curve_y, color_of(strategies[s]), 2);
        chart.add_legend(strategies[s], color_of(strategies[s]));
      }
      if (!svg_dir.empty()) {
        chart.set_x_range(0, max_queries);
        const std::string path = svg_dir + "/table_" + task.name + ".svg";
        std::ofstream svg(path);
        svg << chart.render();
        if (!svg)
          throw mnas::Error("--svg-dir: cannot write '" + path + "'", mnas::Error::Kind::kIo);
      }
    }
    std::printf("\n%zu searches in %.0f s with %d jobs\n", all.size(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                jobs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "table_search: %s\n", e.what());
    return 2;
  }
  return 0;
}
