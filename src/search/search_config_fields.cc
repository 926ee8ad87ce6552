#include "search/search_config_fields.h"

#include <cmath>
#include <limits>

#include "base/comma_list.h"
#include "base/error.h"
#include "base/json_fields.h"
#include "base/number_format.h"
#include "search/reward.h"

namespace mnas {
namespace {

using Json = nlohmann::json;
using F = Field<SearchConfig>;
using D = Field<DeviceObjective>;

// --space FILE (keeping the input and classes already chosen) or nb201, a table space.
void apply_space(SearchConfig& c, const std::string& text, const std::string&) {
  if (text == "nb201") {
    c.table_space = text;
    return;
  }
  c.table_space.clear();
  c.space_file = text;
  const InputShape input = c.space.input();
  const int classes = c.space.classes();
  c.space = SearchSpace::from_file(text);
  c.space.set_input(input);
  c.space.set_classes(classes);
}

void apply_multiplier(SearchConfig& c, const std::string& text, const std::string& flag) {
  c.space.scale_width(parse_double(text, flag + ": '" + text + "' is not a number"), flag);
}

void apply_input(SearchConfig& c, const std::string& text, const std::string& flag) {
  c.space.set_input(parse_input_shape(text, flag));
}

void apply_classes(SearchConfig& c, const std::string& text, const std::string& flag) {
  const std::string problem = integer_text_problem(text, false);
  if (!problem.empty()) throw Error(flag + ": " + problem);
  c.space.set_classes(static_cast<int>(std::min<double>(std::stod(text), 1e9)));
}

// A preset sets both exponents; --alpha and --beta, applied after it, override one.
void apply_reward(SearchConfig& c, const std::string& text, const std::string&) {
  const RewardOptions preset = RewardOptions::preset(text, 1.0);
  c.reward = text;
  c.alpha = preset.alpha;
  c.beta = preset.beta;
}

// `mnas search --latency xnnpack` is what measured was called before devices had names.
void apply_latency(SearchConfig& c, const std::string& text, const std::string&) {
  c.latency = text == "xnnpack" ? "measured" : text;
}

// "1000,5000" (training images per rung) or none.
void apply_rungs(SearchConfig& c, const std::string& text, const std::string& flag) {
  c.fidelity.rungs.clear();
  if (text == "none") return;
  for (const std::string& part : comma_list(text, flag)) {
    const double images = parse_double(part, flag + ": '" + part + "' is not a number of images");
    if (!(images >= 1 && images <= 1e9) || images != std::floor(images)) {
      throw Error(flag + ": '" + part + "' is not a number of training images");
    }
    c.fidelity.rungs.push_back(static_cast<int64_t>(images));
  }
}

void apply_target(DeviceObjective& d, const std::string& text, const std::string&) {
  d.target = text;
  d.target_ms = 0;
}

void apply_target_ms(DeviceObjective& d, const std::string& text, const std::string& flag) {
  d.target_ms = parse_double(text, flag + ": '" + text + "' is not a number of milliseconds");
  if (!(d.target_ms > 0)) throw Error(flag + ": must be > 0");
}

std::vector<F> make_search_config_fields() {
  std::vector<F> t;
  t.push_back(F("strategy", FieldKind::kText, MNAS_FIELD(SearchConfig, strategy))
                  .flag("--strategy",
                        "ppo (MnasNet's controller), predictor (boosted-tree models of accuracy "
                        "and latency propose what to try), reinforce, evolution or random"));
  t.push_back(F("task", FieldKind::kText, MNAS_FIELD(SearchConfig, task))
                  .flag("--task",
                        "classification, or detection: each candidate is SSDLite's backbone, "
                        "trained as a detector on --dataset coco:PATH and scored by COCO's mAP on "
                        "held-out images (1,000 and batches of 32 unless --holdout and "
                        "--proxy-batch say), its latency the whole detector's (NMS excluded; "
                        "docs/detection.md)")
                  .added_later());
  t.push_back(F("seed", FieldKind::kInteger, MNAS_FIELD(SearchConfig, seed))
                  .flag("--seed", "Seed of the strategy")
                  .range(0, std::numeric_limits<double>::infinity()));
  t.push_back(F("space_file", FieldKind::kText, MNAS_FIELD(SearchConfig, space_file)));
  t.push_back(F("table_space", FieldKind::kText, MNAS_FIELD(SearchConfig, table_space))
                  .added_later());
  t.push_back(F("space", FieldKind::kText, nullptr, nullptr)
                  .flag("--space",
                        "Search-space JSON file, or nb201: NAS-Bench-201's 15,625 cells with "
                        "their accuracy and real devices' latency looked up in the built-in table "
                        "(a 200-trial search takes about a second; its exact optimum is the "
                        "reference; docs/benchmarks.md)",
                        "the paper's space")
                  .applies_text(apply_space));
  t.push_back(F("space.input", FieldKind::kText, nullptr, nullptr)
                  .flag("--input", "Input shape",
                        "28x28x1, or the --dataset's own: an image folder's first image, 224x224 "
                        "at most")
                  .applies_text(apply_input));
  t.push_back(F("space.multiplier", FieldKind::kReal, nullptr, nullptr)
                  .flag("--multiplier",
                        "Width multiplier of the space's skeleton (stem and block filters, rounded "
                        "to multiples of 8): below 1 for latency targets as small as "
                        "MnasNet-small's",
                        "1.0")
                  .applies_text(apply_multiplier));
  t.push_back(F("space.classes", FieldKind::kInteger, nullptr, nullptr)
                  .flag("--classes", "Classes", "10, or the --dataset's")
                  .applies_text(apply_classes));
  t.push_back(F("reward.preset", FieldKind::kText, MNAS_FIELD(SearchConfig, reward))
                  .flag("--reward", "soft (alpha = beta = -0.07) or hard (alpha = 0, beta = -1)")
                  .applies_text(apply_reward));
  t.push_back(F("reward.alpha", FieldKind::kReal, MNAS_FIELD(SearchConfig, alpha))
                  .flag("--alpha", "Exponent at or under the target (overrides the preset)",
                        "the preset's"));
  t.push_back(F("reward.beta", FieldKind::kReal, MNAS_FIELD(SearchConfig, beta))
                  .flag("--beta", "Exponent over the target (overrides the preset)",
                        "the preset's"));
  t.push_back(F("evaluator", FieldKind::kText, MNAS_FIELD(SearchConfig, evaluator))
                  .flag("--evaluator",
                        "proxy (proxy training), surrogate (synthetic accuracy, and synthetic "
                        "latency unless --device is given: for trying strategies), cmd:COMMAND "
                        "(your own trainer, run once per trial with the architecture on stdin; it "
                        "prints {\"accuracy\": ...}: docs/evaluators.md) or, with --space nb201, "
                        "table:DATASET (cifar10 (default), cifar100, imagenet16_120)"));
  t.push_back(F("command_timeout", FieldKind::kReal, MNAS_FIELD(SearchConfig, command_timeout))
                  .flag("--command-timeout",
                        "Seconds a cmd: evaluator may take per trial before it is killed and the "
                        "trial failed")
                  .range(0, 7 * 86400, true)
                  .added_later());
  t.push_back(F("proxy.dataset", FieldKind::kText, MNAS_FIELD(SearchConfig, proxy.dataset))
                  .flag("--dataset",
                        "Proxy data set: fashion-mnist, mnist, cifar10, cifar100 or folder:PATH "
                        "(PATH/train/<class>/ and PATH/test/<class>/ images, or PATH/<class>/ for "
                        "training only; PNG, JPEG, BMP or GIF, resized to the input)"));
  t.push_back(F("proxy.epochs", FieldKind::kInteger, MNAS_FIELD(SearchConfig, proxy.epochs))
                  .flag("--epochs", "Proxy training epochs")
                  .range(1, 1000));
  t.push_back(
      F("proxy.train_images", FieldKind::kInteger, MNAS_FIELD(SearchConfig, proxy.train_images))
          .flag("--train-images", "Proxy training images")
          .range(1, 1e9));
  t.push_back(F("proxy.holdout", FieldKind::kInteger, MNAS_FIELD(SearchConfig, proxy.holdout))
                  .flag("--holdout", "Held-out images the accuracy is measured on")
                  .range(1, 1e9));
  t.push_back(F("proxy.batch", FieldKind::kInteger, MNAS_FIELD(SearchConfig, proxy.batch))
                  .flag("--proxy-batch",
                        "Proxy training batch size: larger keeps a GPU busy, smaller gives a short "
                        "proxy more steps")
                  .range(1, 65536)
                  .added_later());  // searches before it trained at the trainer's 128
  t.push_back(F("latency", FieldKind::kText, MNAS_FIELD(SearchConfig, latency))
                  .flag("--latency",
                        "measured (on the devices) or lut:FILE (a lookup table predicts the "
                        "latency of the one device it was built on: this machine, or a board's "
                        "mnas-device with --device NAME=URL; docs/latency.md)")
                  .applies_text(apply_latency));
  t.push_back(F("latency_check.confirm_share", FieldKind::kReal,
                MNAS_FIELD(SearchConfig, latency_check.confirm_share))
                  .flag("--confirm-share",
                        "With --latency lut:FILE: the share of trials (besides every one entering "
                        "the Pareto front) also measured on the device to check the table")
                  .range(0, 1)
                  .added_later());
  t.push_back(F("latency_check.drift", FieldKind::kReal,
                MNAS_FIELD(SearchConfig, latency_check.drift))
                  .flag("--drift-threshold",
                        "With --latency lut:FILE: the median bias of predictions over "
                        "measurements beyond which the table's calibration is refit from the "
                        "search's own measurements")
                  .range(0, 1, true)
                  .added_later());
  t.push_back(F("fidelity.rungs", FieldKind::kIntegerList, MNAS_FIELD(SearchConfig, fidelity.rungs))
                  .flag("--fidelity",
                        "Multi-fidelity proxy: training images per rung, e.g. 1000,5000 (the last "
                        "is the full proxy and sets --train-images): every proposal of a step "
                        "trains on the first, the best 1/--fidelity-keep of each rung go on to "
                        "the next",
                        "for a new proxy search a tenth of --train-images, then all, from 1,000 "
                        "images up; none: one rung")
                  .range(1, 1e9)
                  .added_later()
                  .applies_text(apply_rungs));
  t.push_back(F("fidelity.keep", FieldKind::kInteger, MNAS_FIELD(SearchConfig, fidelity.keep))
                  .flag("--fidelity-keep",
                        "With --fidelity: the reduction factor between rungs (K: the best 1/K of "
                        "each rung goes on)")
                  .range(2, 100)
                  .added_later());
  t.push_back(F("fidelity.continue", FieldKind::kSwitch,
                MNAS_FIELD(SearchConfig, fidelity.continue_runs))
                  .flag("--fidelity-continue,!--no-fidelity-continue",
                        "With --fidelity: a proposal is one proxy training, scored at each rung "
                        "it reaches (after the rung's first images, on the full run's schedule), "
                        "and one that goes on continues it (a promoted proposal costs the full "
                        "proxy, not the full proxy plus the rungs below). --no-fidelity-continue "
                        "trains each rung from scratch; a resume keeps what the search ran with",
                        "on for a new multi-fidelity search")
                  .added_later(false));
  t.push_back(F("batch", FieldKind::kInteger, MNAS_FIELD(SearchConfig, batch))
                  .flag("--batch", "Proposals per strategy step")
                  .range(1, 10000));
  t.push_back(F("failed_reward", FieldKind::kReal, MNAS_FIELD(SearchConfig, failed_reward))
                  .flag("--failed-reward", "Reward of a failed trial"));
  t.push_back(F("controller.learning_rate", FieldKind::kReal,
                MNAS_FIELD(SearchConfig, controller_lr))
                  .flag("--controller-lr",
                        "The controller's Adam learning rate, ppo and reinforce; kept by the store",
                        "3.5e-3 up to 200 --trials, falling as 1/trials to NASNet's 3.5e-4 at "
                        "2,000")
                  .range(0, 1, true)
                  .added_later(kStoredControllerLr));  // what searches before the field ran with
  return t;
}

std::vector<D> make_device_objective_fields() {
  std::vector<D> t;
  t.push_back(D("name", FieldKind::kText, MNAS_FIELD(DeviceObjective, name)));
  t.push_back(D("url", FieldKind::kText, MNAS_FIELD(DeviceObjective, url)));
  t.push_back(D("target", FieldKind::kText, MNAS_FIELD(DeviceObjective, target))
                  .flag("--target",
                        "T as a zoo model timed on the device alongside each candidate (the "
                        "reward uses the ratio of the two, which a drifting machine does not "
                        "bias): mobilenetv2 (the paper's choice) or e.g. 0.8x:mnasnet-a1; "
                        "NAME=SPEC for one device")
                  .applies_text(apply_target));
  t.push_back(D("target_ms", FieldKind::kReal, MNAS_FIELD(DeviceObjective, target_ms))
                  .flag("--target-ms",
                        "T fixed in milliseconds instead of --target; NAME=MS for one device",
                        "none, T from --target")
                  .range(0, 1e7)
                  .applies_text(apply_target_ms));
  t.push_back(D("latency_stat", FieldKind::kText, MNAS_FIELD(DeviceObjective, latency_stat))
                  .flag("--latency-stat",
                        "The statistic LAT and T are: median or p90; NAME=STAT for one device "
                        "(the store keeps every statistic either way)"));
  t.push_back(D("precision", FieldKind::kText, MNAS_FIELD(DeviceObjective, precision))
                  .flag("--precision",
                        "The arithmetic the device runs networks in: fp32 or int8 (per-channel "
                        "int8 weights, calibrated activations: docs/int8.md); NAME=PRECISION for "
                        "one device. When every device runs int8, a trial's accuracy is its "
                        "network's quantized after the proxy training (calibrated on training "
                        "images, scored on the held-out ones)")
                  .added_later());
  return t;
}

}  // namespace

const std::vector<Field<SearchConfig>>& search_config_fields() {
  static const std::vector<F> table = make_search_config_fields();
  return table;
}

const std::vector<Field<DeviceObjective>>& device_objective_fields() {
  static const std::vector<D> table = make_device_objective_fields();
  return table;
}

std::string search_flag_of(const std::string& field) {
  if (field.rfind("devices", 0) == 0) {
    const size_t dot = field.find("].");
    if (dot == std::string::npos) return "--device";
    const std::string key = field.substr(dot + 2);
    for (const D& f : device_objective_fields()) {
      if (key.rfind(f.key, 0) == 0 && (key.size() == f.key.size() || key[f.key.size()] == '.')) {
        return f.flag_name.empty() ? "--device" : f.cli_name();
      }
    }
    return "--device";
  }
  if (field == "space") return "--space or --multiplier";  // the space as a whole: either
  // The longest key that is the field or holds it ("fidelity.keep" before "fidelity").
  const F* best = nullptr;
  for (const F& f : search_config_fields()) {
    const bool holds = field == f.key || field.rfind(f.key + ".", 0) == 0;
    if (holds && !f.flag_name.empty() && (!best || f.key.size() > best->key.size())) best = &f;
  }
  if (best) return best->cli_name();
  return field == "fidelity" ? "--fidelity" : "";
}

std::vector<std::string> apply_search_request(SearchConfig& c, const Json& request,
                                              const std::string& path) {
  json_fields::require_object(request, path);
  Json fields = request;
  std::vector<std::string> given;
  // The space's parts first: a file replaces the space, then its input, width and classes.
  if (fields.contains("space")) {
    const Json& space = fields["space"];
    const std::string name = json_fields::child(path, "space");
    if (space.is_string()) {
      apply_space(c, space.get<std::string>(), name);
      given.push_back("space");
    } else {
      json_fields::require_object(space, name);
      json_fields::reject_unknown_keys(space, {"file", "input", "multiplier", "classes"}, name);
      if (space.contains("file")) {
        apply_space(c, json_fields::as_string(space["file"], name + ".file"), name + ".file");
        given.push_back("space");
      }
      if (space.contains("input")) {
        apply_input(c, json_fields::as_string(space["input"], name + ".input"), name + ".input");
        given.push_back("space.input");
      }
      if (space.contains("multiplier")) {
        c.space.scale_width(json_fields::as_double(space["multiplier"], name + ".multiplier"),
                            name + ".multiplier");
        given.push_back("space.multiplier");
      }
      if (space.contains("classes")) {
        c.space.set_classes(json_fields::as_int(space["classes"], name + ".classes", 2, 100000));
        given.push_back("space.classes");
      }
    }
    fields.erase("space");
  }
  if (fields.contains("reward") && fields["reward"].is_object() &&
      fields["reward"].contains("preset")) {  // the preset first; alpha and beta override it
    apply_reward(c, json_fields::as_string(fields["reward"]["preset"], path + ".reward.preset"),
                 "");
  }
  if (fields.contains("devices")) {
    const Json& devices = fields["devices"];
    const std::string name = json_fields::child(path, "devices");
    json_fields::require_array(devices, name);
    if (devices.empty() || devices.size() > 16) throw Error::about(name, "1 to 16 devices");
    c.devices.clear();
    for (size_t i = 0; i < devices.size(); ++i) {
      DeviceObjective d;
      field_table::read(device_objective_fields(), devices[i], d, json_fields::element(name, i),
                        /*partial=*/true);
      c.devices.push_back(d);
    }
    given.push_back("devices");
    fields.erase("devices");
  }
  const std::vector<std::string> set =
      field_table::read(search_config_fields(), fields, c, path, /*partial=*/true);
  given.insert(given.end(), set.begin(), set.end());
  return given;
}

}  // namespace mnas
