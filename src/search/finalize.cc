#include "search/finalize.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>

#include "base/comma_list.h"
#include "base/error.h"
#include "base/file_io.h"
#include "base/number_format.h"
#include "search/search_loop.h"
#include "search/synthetic_surrogate.h"
#include "space/architecture_codec.h"
#include "space/cost_model.h"
#include "space/scaling.h"
#include "space/zoo.h"
#include "train/xnnpack_eval.h"

namespace mnas {
namespace {

struct Stopped {};  // thrown from the training's progress when asked to stop

// A file name per training (a fingerprint of FinalVariant::training_key): the same training finds
// its checkpoint again, at either precision.
std::string checkpoint_name(const std::string& key) {
  return "f-" + fingerprint_hex(key) + ".ckpt";
}

TrainOptions training_options(const SearchConfig& config, const FinalizeOptions& o) {
  TrainOptions t = train_recipe(o.recipe);
  t.dataset = config.proxy.dataset;
  t.data_dir = o.data_dir;
  if (o.epochs > 0) t.epochs = o.epochs;
  if (o.train_images > 0) t.train_images = o.train_images;
  if (o.holdout >= 0) t.holdout = o.holdout;
  t.threads = o.threads;
  return t;
}

std::string recipe_text(const FinalizeOptions& o, const TrainOptions& t) {
  return o.recipe + ": " + std::to_string(t.epochs) + " epoch" + (t.epochs == 1 ? "" : "s") +
         ", " + (t.train_images > 0 ? std::to_string(t.train_images) + " images" : "all images") +
         " of " + t.dataset +
         // Only when asked for: the keys of finalists trained before the option stay the same.
         (o.holdout >= 0 ? ", " + std::to_string(t.holdout) + " held out" : "");
}

// The finished trials (full proxy, one per architecture) whose latency is within T on every
// device (a trial of a store from before per-device ratios has none to tell: left out).
std::vector<StoredTrial> within_target(const std::vector<StoredTrial>& trials) {
  std::vector<StoredTrial> out;
  std::set<std::string> seen;
  for (const StoredTrial& t : trials) {
    if (t.status != "done" || t.partial || !seen.insert(t.canonical).second) continue;
    bool within = !t.latencies.empty();
    for (const DeviceLatency& d : t.latencies) within = within && d.ratio <= 1.0;
    if (within) out.push_back(t);
  }
  return out;
}

using F = Field<FinalizeOptions>;

// --references none, or zoo names.
void apply_references(FinalizeOptions& o, const std::string& text, const std::string& flag) {
  o.references.clear();
  if (text != "none") o.references = comma_list(text, flag);
}

std::vector<F> make_finalize_option_fields() {
  std::vector<F> t;
  t.push_back(F("top", FieldKind::kInteger, MNAS_FIELD(FinalizeOptions, top))
                  .flag("--top", "Candidates: the best as --rank orders them")
                  .range(0, 100));
  t.push_back(F("rank", FieldKind::kText, MNAS_FIELD(FinalizeOptions, rank))
                  .flag("--rank",
                        "reward (the Pareto front's best by reward) or accuracy (the most accurate "
                        "trials within T on every device: for a hard latency budget)"));
  t.push_back(F("multipliers", FieldKind::kRealList, MNAS_FIELD(FinalizeOptions, multipliers))
                  .flag("--multipliers",
                        "Width multipliers (MnasNet's \"depth multipliers\": channels) each "
                        "network is trained at",
                        "0.5,0.75,1.0,1.4"));
  t.push_back(F("inputs", FieldKind::kIntegerList, MNAS_FIELD(FinalizeOptions, inputs))
                  .flag("--inputs", "Square input sides, e.g. 96,128,160", "the search's input")
                  .range(8, 1024));
  t.push_back(F("references", FieldKind::kTextList, MNAS_FIELD(FinalizeOptions, references))
                  .flag("--references", "Zoo models scaled the same way, or none")
                  .applies_text(apply_references));
  t.push_back(F("recipe", FieldKind::kText, MNAS_FIELD(FinalizeOptions, recipe))
                  .flag("--recipe", "Training recipe: full or proxy"));
  t.push_back(F("epochs", FieldKind::kInteger, MNAS_FIELD(FinalizeOptions, epochs))
                  .flag("--epochs", "Epochs instead of the recipe's", "the recipe's; full: 30")
                  .range(0, 10000));
  t.push_back(F("train_images", FieldKind::kInteger, MNAS_FIELD(FinalizeOptions, train_images))
                  .flag("--train-images", "Training images instead of the recipe's",
                        "the recipe's; full: all but the held-out ones")
                  .at_least(0));
  t.push_back(F("holdout", FieldKind::kInteger, MNAS_FIELD(FinalizeOptions, holdout))
                  .flag("--holdout",
                        "Training images held out (and not trained on) instead of the recipe's; "
                        "0 trains on all (a small data set)",
                        "the recipe's; full: 5,000")
                  .range(-1, 1000000));
  t.push_back(F("data_dir", FieldKind::kText, MNAS_FIELD(FinalizeOptions, data_dir))
                  .flag("--data-dir", "Directory of the data set files"));
  t.push_back(F("threads", FieldKind::kInteger, MNAS_FIELD(FinalizeOptions, threads))
                  .flag("--threads", "Training threads", "every core")
                  .range(0, 256));
  t.push_back(
      F("folder", FieldKind::kText, MNAS_FIELD(FinalizeOptions, folder))
          .flag("--folder", "Where the checkpoints go", "the store's name with .finalists"));
  t.push_back(F("remeasure", FieldKind::kSwitch, MNAS_FIELD(FinalizeOptions, remeasure))
                  .flag("--remeasure",
                        "Measure the networks already done again on the search's device(s): for "
                        "finalists trained on another machine (scripts/finalize_parallel.sh) or "
                        "after the device changed"));
  t.push_back(F("precision", FieldKind::kText, MNAS_FIELD(FinalizeOptions, precision))
                  .flag("--precision",
                        "fp32 or int8: int8 compares each network quantized after training "
                        "(calibrated on 512 of its training images; the int8 XNNPACK network's "
                        "test accuracy) at int8 latency. Networks trained for the other precision "
                        "are not trained again",
                        "the search's: int8 when every device is"));
  return t;
}

}  // namespace

const std::vector<Field<FinalizeOptions>>& finalize_option_fields() {
  static const std::vector<F> table = make_finalize_option_fields();
  return table;
}

void validate_finalize_options(const FinalizeOptions& o) {
  field_table::check_ranges(finalize_option_fields(), o);
  if (o.multipliers.empty()) throw Error::about("multipliers", "none given");
  for (double m : o.multipliers) validate_multiplier(m, "multipliers");
  for (const std::string& r : o.references) {
    if (!is_zoo_name(r)) throw Error::about("references", "'" + r + "' is not a zoo model");
  }
  if (o.rank != "reward" && o.rank != "accuracy") {
    throw Error::about("rank",
                       "'" + o.rank + "'; use reward or accuracy (the most accurate within T)");
  }
  if (!o.precision.empty()) parse_precision(o.precision, "precision");
  if (o.top == 0 && o.references.empty()) {
    throw Error::about("top", "0 and no references: nothing to do");
  }
}

Precision finalize_precision(const SearchConfig& config, const FinalizeOptions& options) {
  if (!options.precision.empty()) return parse_precision(options.precision, "precision");
  return quantized_accuracy(config) ? Precision::kInt8 : Precision::kFp32;
}

SearchConfig finalize_measurement_config(const SearchConfig& config, Precision precision) {
  SearchConfig c = config;
  const std::string wanted = to_string(precision);
  bool changed = false;
  for (DeviceObjective& d : c.devices) {
    if (precision == Precision::kInt8 && d.url.rfind("cmd:", 0) == 0) {
      throw Error::about("precision", "int8: device " + d.name +
                                          " is a cmd: device, which times the fp32 ONNX file; "
                                          "finalize it at fp32");
    }
    changed = changed || d.precision != wanted;
    d.precision = wanted;
  }
  if (precision == Precision::kInt8 && c.latency == "surrogate") {
    throw Error::about("precision", "int8: the search's latency is the synthetic surrogate's, "
                                    "which has no int8");
  }
  // The search's table predicts its own precision; at the other one, measure.
  if (changed && c.latency.rfind("lut:", 0) == 0) c.latency = "measured";
  return c;
}

std::vector<FinalVariant> plan_finalists(const Store& store, const SearchConfig& config,
                                         const FinalizeOptions& options) {
  validate_finalize_options(options);
  if (config.task == "detection") {
    throw Error::about("task", "detection: finalize trains classifiers so far; train a detection "
                               "search's best with `mnas train ARCH --task detection --dataset "
                               "coco:PATH` (docs/detection.md)");
  }
  const TrainOptions train = training_options(config, options);
  validate(train);
  const std::string recipe = recipe_text(options, train);
  const std::string folder =
      options.folder.empty() ? sibling_path(store.path(), ".finalists") : options.folder;
  const std::string precision = to_string(finalize_precision(config, options));
  const InputShape search_input = config.space.input();
  std::vector<int> inputs = options.inputs;
  if (inputs.empty()) inputs = {search_input.height};

  // The candidates: the Pareto front's best by reward, or the most accurate within T.
  std::vector<StoredTrial> front = options.rank == "accuracy" ? within_target(store.trials())
                                                              : pareto_front(store.trials());
  std::stable_sort(front.begin(), front.end(), [&](const StoredTrial& a, const StoredTrial& b) {
    return options.rank == "accuracy" ? a.accuracy > b.accuracy : a.reward > b.reward;
  });
  if (options.top > 0 && front.empty()) {
    throw Error("store '" + store.path() + "': " +
                (options.rank == "accuracy"
                     ? std::string("no finished trial is within T on every device (rank: "
                                   "accuracy); rank by reward instead")
                     : std::string("no finished trial to finalize")));
  }
  if (static_cast<int>(front.size()) > options.top) front.resize(options.top);

  std::map<std::string, FinalVariant> stored;
  for (FinalVariant& v : store.finalists()) stored[v.key()] = std::move(v);

  std::vector<FinalVariant> plan;
  const auto add = [&](const std::string& model, int64_t trial, double m, int side,
                       Architecture arch) {
    arch.input = InputShape{side, side, search_input.channels};
    validate(arch);
    FinalVariant v;
    v.model = model;
    v.trial = trial;
    v.multiplier = m;
    v.input = side;
    v.canonical = to_canonical_string(arch);
    v.recipe = recipe;
    v.precision = precision;
    const auto old = stored.find(v.key());
    if (old != stored.end() && old->second.status != "pending") {
      v = old->second;
    } else {
      const CostReport cost = estimate_cost(arch, false);
      v.params = cost.params;
      v.macs = cost.macs;
      v.checkpoint = folder + "/" + checkpoint_name(v.training_key());
    }
    plan.push_back(std::move(v));
  };
  for (const StoredTrial& t : front) {
    const Architecture arch = parse_architecture_string(t.canonical);
    for (double m : options.multipliers)
      for (int side : inputs)
        add("trial " + std::to_string(t.id), t.id, m, side, scale_depth(arch, m));
  }
  for (const std::string& name : options.references) {
    for (double m : options.multipliers) {
      for (int side : inputs) {
        add(name, 0, m, side,
            zoo_model(name, ZooOptions{InputShape{side, side, search_input.channels},
                                       config.space.classes(), m}));
      }
    }
  }
  return plan;
}

bool run_finalize(Store& store, const SearchConfig& config, const FinalizeOptions& options,
                  LatencyObjective* objective, std::vector<FinalVariant>& plan,
                  const std::function<void(const FinalizeProgress&)>& progress,
                  const std::atomic<bool>* stop) {
  TrainOptions recipe = training_options(config, options);
  const std::string folder =
      options.folder.empty() ? sibling_path(store.path(), ".finalists") : options.folder;
  if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST) {
    throw Error("folder '" + folder + "': cannot be made", Error::Kind::kIo);
  }
  const SyntheticSurrogate surrogate(config.space, config.seed);
  const bool int8 = finalize_precision(config, options) == Precision::kInt8;
  // What the store keeps: every variant of this plan and those of earlier plans it does not hold.
  const auto save = [&] {
    std::vector<FinalVariant> all = plan;
    for (const FinalVariant& old : store.finalists()) {
      const bool in_plan = std::any_of(plan.begin(), plan.end(), [&](const FinalVariant& v) {
        return v.key() == old.key();
      });
      if (!in_plan) all.push_back(old);
    }
    store.set_finalists(all);
  };

  const auto measure = [&](FinalVariant& v, const Architecture& arch) {
    if (objective) {
      v.latencies = objective->measure(arch);
    } else {
      // The search's synthetic latency (surrogate searches: for trying the pipeline).
      DeviceLatency d;
      d.device = config.devices.front().name;
      d.latency_ms = surrogate.latency_ms(arch);
      d.target_ms = config.devices.front().target_ms > 0 ? config.devices.front().target_ms : 1;
      d.ratio = d.latency_ms / d.target_ms;
      v.latencies = {d};
    }
    v.latency_ms = v.latencies.front().latency_ms;
  };

  // A done variant of the same training at the other precision, whose checkpoint is still there.
  const std::vector<FinalVariant> stored = store.finalists();
  const auto trained_for_other_precision = [&](const FinalVariant& v) -> const FinalVariant* {
    for (const FinalVariant& old : stored) {
      if (old.status == "done" && old.training_key() == v.training_key() &&
          old.precision != v.precision && path_exists(old.checkpoint)) {
        return &old;
      }
    }
    return nullptr;
  };

  int done = 0;
  for (const FinalVariant& v : plan) done += v.status != "pending";
  if (options.remeasure) {
    int measured = 0;
    for (FinalVariant& v : plan) {
      if (v.status != "done") continue;
      if (stop && *stop) {
        if (measured > 0) save();  // what was measured again is kept
        return false;
      }
      measure(v, parse_architecture_string(v.canonical));
      ++measured;
      if (progress) progress({measured, done, &v, nullptr, 0, true});
    }
    if (measured > 0) save();
  }
  double seconds_this_run = 0;
  int finished_this_run = 0;
  const auto eta = [&] {
    const int left = static_cast<int>(plan.size()) - done;
    return finished_this_run > 0 ? left * seconds_this_run / finished_this_run : 0.0;
  };
  for (FinalVariant& v : plan) {
    if (v.status != "pending") continue;
    if (stop && *stop) return false;
    const auto start = std::chrono::steady_clock::now();
    if (progress) progress({done, static_cast<int>(plan.size()), &v, nullptr, eta()});
    const Architecture arch = parse_architecture_string(v.canonical);
    try {
      TrainResult r;
      if (const FinalVariant* trained = trained_for_other_precision(v)) {
        v.checkpoint = trained->checkpoint;  // its training is done: not again
        v.train_seconds = trained->train_seconds;
        r.status = "done";
      } else {
        recipe.checkpoint = v.checkpoint;
        const bool resume = path_exists(v.checkpoint);
        r = train(
            arch, recipe,
            [&](const TrainProgress& p) {
              if (stop && *stop) throw Stopped{};
              if (progress) progress({done, static_cast<int>(plan.size()), &v, &p, eta()});
            },
            resume ? v.checkpoint : "");
        v.train_seconds += r.seconds;
      }
      if (r.status != "done") {
        v.status = "failed";
        v.failure = r.status + ": " + r.reason;
      } else {
        const EvalResult e = evaluate_checkpoint(v.checkpoint, "test", options.data_dir);
        v.test_top1 = e.top1;
        v.test_top5 = e.top5;
        if (int8) {
          // The int8 network the device runs, quantized on the run's training images.
          const EvalResult q = evaluate_checkpoint_xnnpack(v.checkpoint, "test", options.data_dir,
                                                           Precision::kInt8);
          v.fp32_top1 = e.top1;
          v.test_top1 = q.top1;
          v.test_top5 = q.top5;
        }
        measure(v, arch);
        v.status = "done";
      }
    } catch (const Stopped&) {
      return false;
    } catch (const DeviceUnreachable&) {
      throw;
    } catch (const Error& e) {
      v.status = "failed";
      v.failure = e.what();
    }
    ++done;
    ++finished_this_run;
    seconds_this_run +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    save();
    if (progress) progress({done, static_cast<int>(plan.size()), &v, nullptr, eta()});
  }
  return true;
}

}  // namespace mnas
