#ifndef MNAS_SEARCH_SEARCH_CONFIG_H_
#define MNAS_SEARCH_SEARCH_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "space/search_space.h"

namespace mnas {

// The length of a search when nothing says otherwise (a per-run setting, stored beside the
// configuration so that a resume keeps it), and its proposals per strategy step. `mnas search`
// given neither --trials nor --time-budget also stops starting trials after
// kDefaultTimeBudgetSeconds: the main job's bound (multi-fidelity PPO reaches 126 to 200 trials
// in it on 2 cores, docs/search-strategies.md), which leaves time for the zoo references.
constexpr int kDefaultTrials = 200;
constexpr double kDefaultTimeBudgetSeconds = 19 * 60;
constexpr int kDefaultBatch = 6;
constexpr double kDefaultControllerLr = 3.5e-3;
constexpr double kStoredControllerLr = 3.5e-4;  // what searches before the field ran with

// The controller learning rate a new search of `trials` trials gets: 3.5e-3 up to 200 trials,
// then falling as 1/trials to NASNet's 3.5e-4 at 2,000 and beyond. Measured on the synthetic
// surrogate (bench/strategy_efficiency, docs/search-strategies.md): a high rate learns within a
// short search's few policy updates, and converges too early in a long one.
double default_controller_lr(int64_t trials);

// Whether an evaluator or a device URL names a column of the built-in table ("table:NAME").
inline bool is_table_url(const std::string& url) { return url.rfind("table:", 0) == 0; }

// One device the search optimises for, and its latency target T.
struct DeviceObjective {
  std::string name = "local";  // how results name it: letters, digits, '-', '_', '.'; ≤ 32 chars
  std::string url = "local";   // "local" (this machine) or an mnas-device URL; Default: local
  // T as a zoo model measured on this device at the search's input, optionally scaled:
  // "mobilenetv2" (Default: the paper's choice) or "0.8x:mnasnet-a1". Each candidate is then
  // timed alternately with that model (measure_interleaved) and the reward uses the ratio of the
  // two, which a machine that speeds up or slows down mid-search does not bias.
  std::string target = "mobilenetv2";
  double target_ms = 0;  // > 0: T fixed in ms instead (`target` unused); Default: 0
  std::string latency_stat =
      "median";  // the statistic LAT and T are: median | p90; Default: median
  // The arithmetic the device runs networks in, T's model included: fp32 | int8 (latency/
  // precision.h). Part of the device's identity: a resume may not change it. Default: fp32.
  std::string precision = "fp32";
};


// The proxy task an evaluator trains candidates on (the trainer's proxy_options() otherwise).
struct ProxyRecipe {
  std::string dataset = "fashion-mnist";  // data/dataset.h names; Default: fashion-mnist
  int epochs = 1;                         // Default: 1
  int64_t train_images = 5000;            // Default: 5,000
  int64_t holdout = 2000;                 // held-out training images scored; Default: 2,000
  int batch = 128;                        // the trainer's batch size; Default: 128
};

// How a search with predicted latency (latency "lut:FILE") checks its predictions
// (search/latency_check.h): every trial that enters the Pareto front, and this share of the
// others at random, is also measured on the device; when the median bias of the predictions
// exceeds `drift`, the table's calibration is refit from those measurements.
struct LatencyCheckOptions {
  double confirm_share = 0.05;  // in [0, 1]; Default: 5% of the trials off the front
  double drift = 0.05;          // in (0, 1]; Default: 5%, `mnas lut check`'s bound
};

// Multi-fidelity (search/fidelity.h): successive halving inside each strategy step. Every
// proposal trains on rungs[0] images first; the best 1/keep of each rung (by reward at that
// rung) go on to the next, from scratch or (continue_runs) continuing the run the rung below
// stopped; the last rung is the full proxy (proxy.train_images). Empty rungs: every proposal
// trains on the full proxy.
struct Fidelity {
  std::vector<int64_t> rungs;  // training images per rung, increasing; Default: none
  int keep = 3;                // reduction factor, in [2, 100]; Default: 3
  // Each proposal is one proxy run, scored at every rung it reaches (the first rungs[k] images
  // of the run, its learning-rate schedule the full run's); a promoted proposal trains only the
  // images between two rungs. Default: off here and in stores written before it; a new
  // multi-fidelity search turns it on unless it chose otherwise (new_search.h).
  bool continue_runs = false;
};

// The rungs a new proxy search gets unless it chose its own (new_search.h): a tenth of the proxy's
// training images, then all of them, each step's best third going on and continuing its run.
// Below 1,000 images a rung would be too small to rank anything: none then. In the main job it
// found better models than one rung in the same time (docs/search-strategies.md).
Fidelity default_fidelity(int64_t train_images);

// Everything that defines a search: stored with it (the store's config, as JSON), so that a
// resumed search — or any other process — rebuilds the same search from the store. Per-run
// settings (trials to reach, time budget, threads, tokens) are not part of it.
struct SearchConfig {
  std::string strategy = "ppo";  // ppo | reinforce | evolution | random; Default: ppo
  // What the candidates are: "classification" (Default) or "detection": each candidate the
  // backbone of SSDLite (docs/detection.md), the proxy training the detector on a COCO-format
  // set (proxy.dataset coco:PATH) and scoring COCO's mAP (AP@[.5:.95]) as the accuracy, every
  // device timing the detector (latency/device.h, TimingRequest::detector_categories), T's model
  // too. Measured latency in fp32 only; rungs train from scratch (no continue).
  std::string task = "classification";
  uint64_t seed = 1;             // Default: 1
  std::string space_file;        // where the space came from ("" = the paper's); for the record
  SearchSpace space = default_space();  // with its input and classes; Default: paper's, 28×28×1, 10
  // "" (Default): MnasNet's space above. "nb201": NAS-Bench-201's cell space instead, every
  // candidate's accuracy and latency looked up in the built-in table (search/table_trials.h):
  // the evaluator is then "table:DATASET" and every device's url "table:DEVICE", with T fixed.
  std::string table_space;
  std::string reward = "soft";          // preset: soft | hard; Default: soft
  double alpha = -0.07;                 // exponent at or under T; Default: the preset's
  double beta = -0.07;                  // exponent over T; Default: the preset's
  // Where latency comes from: "measured" on the devices (Default), "lut:FILE" (predicted by a
  // lookup table, for the one device "local"), or "surrogate" (synthetic, with the surrogate
  // evaluator only: for trying strategies).
  std::string latency = "measured";
  std::vector<DeviceObjective> devices = {DeviceObjective{}};  // Default: this machine
  LatencyCheckOptions latency_check;  // with latency lut:FILE
  // proxy (proxy training) | surrogate (synthetic accuracy) | cmd:COMMAND (the user's trainer,
  // search/command_evaluator.h) | table:DATASET (a table space's accuracy column); Default: proxy
  std::string evaluator = "proxy";
  double command_timeout = 3600;  // seconds a cmd: evaluator may take per trial; Default: 3600
  ProxyRecipe proxy;
  Fidelity fidelity;
  int batch = kDefaultBatch;  // proposals per strategy step; Default: 6
  // The controller's Adam learning rate (ppo, reinforce). Default: kDefaultControllerLr; a new
  // search gets default_controller_lr(trials) unless it chose one (new_search.h). A stored
  // search without the field ran with 3.5e-4 and reads as that.
  double controller_lr = kDefaultControllerLr;
  double failed_reward = 0;  // what a failed trial teaches the strategy; Default: 0

  static SearchSpace default_space();  // the paper's space at 28×28×1 and 10 classes
};

// Whether a trial's accuracy is its network's quantized to int8 (post-training quantization,
// train/xnnpack_eval.h) rather than fp32's: when every device of the search runs int8, so that
// the reward scores what the devices will run. Only the proxy evaluator quantizes; another
// evaluator's accuracy is what it reports.
bool quantized_accuracy(const SearchConfig& config);

// Throws mnas::Error naming the field ("devices[1].latency_stat: ...") for anything invalid:
// unknown names, duplicate device names, a lut latency with remote devices, ...
void validate(const SearchConfig& config);

// The JSON the store keeps (every field written) and back. Reading validates and refuses unknown
// fields; a configuration written by mnas before the typed configuration ({"flags": {...},
// "target_ms": T, "space": ...}) is read as what it meant: one local device with T fixed.
nlohmann::json search_config_json(const SearchConfig& config);
SearchConfig search_config_from_json(const nlohmann::json& j, const std::string& path);
// The same from the JSON text (the store's config), a damaged text named by `path`.
SearchConfig search_config_from_text(const std::string& text, const std::string& path);

// The path of the first field where `a` and `b` differ ("batch", "devices[0].target"), or ""
// when they are the same search. Device URLs are not compared: a board may move.
std::string first_difference(const SearchConfig& a, const SearchConfig& b);

// Reads "NAME=VALUE" (or a bare "VALUE", which gets `default_name`): the form of --device,
// --target, --target-ms and --latency-stat. Throws mnas::Error naming `field`.
std::pair<std::string, std::string> split_named(const std::string& text, const std::string& field,
                                                const std::string& default_name);

}  // namespace mnas

#endif  // MNAS_SEARCH_SEARCH_CONFIG_H_
