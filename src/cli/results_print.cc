// What `mnas results` prints (and `mnas search` at its end): results_print.h.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/printable.h"
#include "cli/commands.h"
#include "cli/results_print.h"
#include "search/fidelity.h"
#include "search/latency_check.h"
#include "search/search_config.h"
#include "search/search_loop.h"

namespace mnas::cli {
namespace {

nlohmann::json latencies_json(const std::vector<DeviceLatency>& latencies) {
  nlohmann::json j = nlohmann::json::object();
  for (const DeviceLatency& d : latencies) {
    j[d.device] = {{"latency_ms", d.latency_ms},
                   {"target_ms", d.target_ms},
                   {"ratio", d.ratio},
                   {"stats", nlohmann::json::parse(d.stats_json.empty() ? "{}" : d.stats_json)}};
    if (d.measured_ms > 0) {  // a prediction confirmed on the device
      j[d.device]["measured_ms"] = d.measured_ms;
      j[d.device]["measured_target_ms"] = d.measured_target_ms;
    }
  }
  return j;
}

// What a trial and a reference print alike (keys are printed sorted, wherever they are set).
nlohmann::json outcome_json(const StoredOutcome& o, const std::string& canonical) {
  return {{"accuracy", o.accuracy}, {"latency_ms", o.latency_ms},
          {"latencies", latencies_json(o.latencies)}, {"reward", o.reward},
          {"status", o.status}, {"failure", o.failure}, {"canonical", canonical}};
}

nlohmann::json trial_json(const StoredTrial& t) {
  nlohmann::json j = outcome_json(t, t.canonical);
  j["id"] = t.id;
  j["step"] = t.step;
  j["metrics"] = t.metrics_json.empty() ? nlohmann::json::object()
                                        : nlohmann::json::parse(t.metrics_json);
  return j;
}

double device_latency(const StoredTrial& t, const std::string& device) {
  for (const DeviceLatency& d : t.latencies) {
    if (d.device == device) return d.latency_ms;
  }
  return 0;
}

// An accuracy as a percentage ("  92.10%"); COCO's mAP × 100 as COCO prints it ("    23.00").
std::string score_text(double value, const char* score) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::string(score) == "mAP" ? "%9.2f" : "%8.2f%%", 100 * value);
  return buf;
}

void print_table(const char* title, const std::vector<StoredTrial>& rows,
                 const std::vector<std::string>& devices, const char* score) {
  std::printf("\n%s\n%6s %9s", title, "trial", score);
  if (devices.size() <= 1) {
    std::printf(" %11s", "latency ms");
  } else {
    for (const std::string& d : devices) std::printf(" %11s", (d.substr(0, 8) + " ms").c_str());
  }
  std::printf(" %8s  %s\n", "reward", "architecture");
  for (const StoredTrial& t : rows) {
    std::printf("%6lld %s", static_cast<long long>(t.id), score_text(t.accuracy, score).c_str());
    if (devices.size() <= 1) {
      std::printf(" %11.3f", t.latency_ms);
    } else {
      for (const std::string& d : devices) std::printf(" %11.3f", device_latency(t, d));
    }
    std::printf(" %8.4f  %s\n", t.reward, t.canonical.c_str());
  }
}

// What the search's predicted latency came to against its measurements (latency_check.h).
nlohmann::json latency_check_json(const std::vector<PredictionError>& errors,
                                  const std::vector<StoredCalibration>& calibrations) {
  nlohmann::json devices = nlohmann::json::array(), refits = nlohmann::json::array();
  for (const PredictionError& e : errors) {
    devices.push_back({{"device", e.device},
                       {"measured", e.measured},
                       {"median_abs_error", e.median_abs_error},
                       {"bias", e.bias}});
  }
  for (const StoredCalibration& c : calibrations) {
    refits.push_back({{"device", c.device},
                      {"after_trials", c.after_trials},
                      {"bias", c.bias},
                      {"samples", c.samples},
                      {"scale", c.scale},
                      {"ms_per_mparam", c.ms_per_mparam},
                      {"offset_ms", c.offset_ms}});
  }
  return {{"devices", devices}, {"refits", refits}};
}

void print_latency_check(const std::vector<PredictionError>& errors,
                         const std::vector<StoredCalibration>& calibrations) {
  for (const PredictionError& e : errors) {
    std::printf(
        "  device %s: latency predicted by a lookup table, checked on %d measured trials: median "
        "error %.1f%%, bias %+.1f%%\n",
        e.device.c_str(), e.measured, 100 * e.median_abs_error, 100 * e.bias);
  }
  for (const StoredCalibration& c : calibrations) {
    std::printf(
        "  device %s: the table's calibration refit after trial %lld (bias %+.1f%% over %d "
        "measurements; now scale %.3f, %.4f ms/Mparam, offset %.4f ms)\n",
        c.device.c_str(), static_cast<long long>(c.after_trials), 100 * c.bias, c.samples,
        c.scale, c.ms_per_mparam, c.offset_ms);
  }
}

// A multi-fidelity search's rungs (summarize_rungs, search/fidelity.h) as JSON.
nlohmann::json fidelity_json(const std::vector<StoredRung>& rungs,
                             const std::optional<SearchConfig>& config) {
  if (!config || config->fidelity.rungs.empty()) return nullptr;
  nlohmann::json list = nlohmann::json::array();
  for (const RungSummary& r : summarize_rungs(rungs, config->fidelity.rungs)) {
    list.push_back({{"images", r.images},
                    {"evaluated", r.evaluated},
                    {"failed", r.failed},
                    {"seconds", r.seconds},
                    {"median_accuracy", r.median_accuracy},
                    {"gain_to_last", r.gain_to_last}});
  }
  return {{"keep", config->fidelity.keep},
          {"continue", config->fidelity.continue_runs},
          {"rungs", list}};
}

void print_fidelity(const nlohmann::json& fidelity) {
  if (fidelity.is_null()) return;
  std::printf("  multi-fidelity, the best 1/%d of each rung going on%s:\n",
              fidelity["keep"].get<int>(),
              fidelity["continue"].get<bool>() ? " (continuing its run)" : "");
  for (const nlohmann::json& r : fidelity["rungs"]) {
    std::printf("    %6lld images: %d evaluated (%d failed) in %.0f s, median accuracy %.2f%%",
                static_cast<long long>(r["images"].get<int64_t>()), r["evaluated"].get<int>(),
                r["failed"].get<int>(), r["seconds"].get<double>(),
                100 * r["median_accuracy"].get<double>());
    if (&r != &fidelity["rungs"].back()) {
      std::printf(", %+.2f%% to the full proxy (median gain)",
                  100 * r["gain_to_last"].get<double>());
    }
    std::printf("\n");
  }
}

}  // namespace

void print_results(const Store& store, bool json, int top) {
  const std::vector<StoredTrial> trials = store.trials();
  std::optional<SearchConfig> config;
  if (!store.config().empty()) {
    config = search_config_from_text(store.config(), "store '" + store.path() + "': config");
  }
  std::vector<StoredTrial> best;
  for (const StoredTrial& t : trials) {
    if (t.status == "done" && !t.cached && !t.partial) best.push_back(t);
  }
  std::sort(best.begin(), best.end(),
            [](const StoredTrial& a, const StoredTrial& b) { return a.reward > b.reward; });
  if (best.size() > static_cast<size_t>(top)) best.resize(top);
  const std::vector<std::string> devices = measured_devices(trials);
  const std::vector<StoredReference> references = store.references();
  int failed = 0;
  int partial = 0;
  for (const StoredTrial& t : trials) {
    failed += t.status == "failed";
    partial += t.partial;
  }
  // T of the first device: fixed, or as the trials measured it alongside.
  double target_ms = config ? config->devices.front().target_ms : 0;
  if (!devices.empty()) target_ms = typical_target_ms(trials, devices.front());
  const std::vector<PredictionError> prediction = prediction_errors(trials);
  const nlohmann::json fidelity = fidelity_json(store.rungs(), config);
  const std::vector<StoredCalibration> refits = store.latency_calibrations();
  if (json) {
    nlohmann::json top_json = nlohmann::json::array(), front_json = nlohmann::json::array(),
                   references_json = nlohmann::json::array(), fronts = nlohmann::json::object(),
                   targets = nlohmann::json::object();
    for (const StoredTrial& t : best) top_json.push_back(trial_json(t));
    for (const StoredTrial& t : pareto_front(trials)) front_json.push_back(trial_json(t));
    for (const std::string& d : devices) {
      nlohmann::json list = nlohmann::json::array();
      for (const StoredTrial& t : pareto_front(on_device(trials, d))) list.push_back(t.id);
      fronts[d] = list;
      targets[d] = typical_target_ms(trials, d);
    }
    for (const StoredReference& r : references) {
      nlohmann::json j = outcome_json(r, r.canonical);
      j["name"] = r.name;
      references_json.push_back(j);
    }
    std::cout << nlohmann::json{{"store", store.path()},
                                {"trials", trials.size()},
                                {"failed", failed},
                                {"partial", partial},
                                {"target_ms", target_ms},
                                {"devices", devices},
                                {"targets_ms", targets},
                                {"top", top_json},
                                {"pareto", front_json},
                                {"pareto_by_device", fronts},
                                {"references", references_json},
                                {"train_devices", store.train_devices()},
                                {"latency_check", latency_check_json(prediction, refits)},
                                {"fidelity", fidelity},
                                {"config", config ? search_config_json(*config) : nlohmann::json()}}
                     .dump(2)
              << "\n";
    return;
  }
  std::printf("%s: %zu trials (%d failed%s), strategy %s, evaluator %s\n", store.path().c_str(),
              trials.size(), failed,
              partial > 0 ? (", " + std::to_string(partial) + " stopped at a lower rung").c_str()
                          : "", config ? config->strategy.c_str() : "?",
              config ? config->evaluator.c_str() : "?");
  if (const std::vector<std::string> trained_on = store.train_devices(); !trained_on.empty()) {
    std::string list;
    for (const std::string& d : trained_on) list += (list.empty() ? "" : ", ") + d;
    std::printf("proxy training on: %s\n", list.c_str());
  }
  for (const std::string& d : devices) {
    std::string how;
    if (config) {
      for (const DeviceObjective& o : config->devices) {
        if (o.name != d) continue;
        how = o.target_ms > 0
                  ? " (fixed)"
                  : " (" + o.target + " timed alongside each trial; median over trials)";
        how += o.latency_stat == "p90" ? ", p90" : "";
        how += o.precision == "fp32" ? "" : ", " + o.precision;
      }
    }
    std::printf("  device %s: T = %.3f ms%s\n", d.c_str(), typical_target_ms(trials, d),
                how.c_str());
  }
  if (devices.empty() && target_ms > 0) {
    std::printf("  target %.3f ms\n", target_ms);
  } else if (devices.empty() && config) {  // no trial was measured (all failed, or none yet)
    for (const DeviceObjective& d : config->devices) {
      std::printf("  device %s: T = %s timed alongside each trial (no trial measured yet)\n",
                  d.name.c_str(), d.target.c_str());
    }
  }
  print_latency_check(prediction, refits);
  print_fidelity(fidelity);
  // A detection search's accuracy is COCO's mAP (AP@[.5:.95]), printed as COCO does: × 100.
  const bool detection = config && config->task == "detection";
  const char* score = detection ? "mAP" : "accuracy";
  print_table("Best by reward:", best, devices, score);
  if (devices.size() <= 1) {
    print_table(detection ? "Pareto front (held-out mAP vs latency):"
                          : "Pareto front (held-out accuracy vs latency):",
                pareto_front(trials), devices, score);
  } else {
    for (const std::string& d : devices) {
      const std::string title = "Pareto front on " + d + " (held-out accuracy vs its latency):";
      print_table(title.c_str(), pareto_front(on_device(trials, d)), devices, score);
    }
  }
  if (!references.empty()) {
    const bool table = references.front().canonical.rfind('|', 0) == 0;  // a table space's optimum
    std::printf("\n%s\n%-16s %9s",
                table ? "The table's optimum (every cell enumerated), scored the same way:"
                      : "Zoo references, evaluated the same way:",
                "model", score);
    if (devices.size() <= 1) {
      std::printf(" %11s", "latency ms");
    } else {
      for (const std::string& d : devices) std::printf(" %11s", (d.substr(0, 8) + " ms").c_str());
    }
    std::printf(" %8s\n", "reward");
    for (const StoredReference& r : references) {
      if (r.status != "done") {
        std::printf("%-16s failed: %s\n", r.name.c_str(), printable(r.failure, 2000).c_str());
        continue;
      }
      std::printf("%-16s %s", r.name.c_str(), score_text(r.accuracy, score).c_str());
      if (devices.size() <= 1) {
        std::printf(" %11.3f", r.latency_ms);
      } else {
        for (const std::string& d : devices) {
          double ms = 0;
          for (const DeviceLatency& l : r.latencies) ms = l.device == d ? l.latency_ms : ms;
          std::printf(" %11.3f", ms);
        }
      }
      std::printf(" %8.4f\n", r.reward);
    }
  }
}

}  // namespace mnas::cli
