#include "search/search_config.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <set>

#include "base/error.h"
#include "base/field_table.h"
#include "base/json_fields.h"
#include "base/number_format.h"
#include "latency/precision.h"
#include "search/reward.h"
#include "search/search_config_fields.h"
#include "search/strategy_factory.h"
#include "space/zoo.h"
#include "table/nb201_table.h"

namespace mnas {
namespace {

using Json = nlohmann::json;
namespace jf = json_fields;

constexpr const char* kFormat = "mnas-search/2";

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// "mobilenetv2" or "0.8x:mnasnet-a1": throws naming `field` unless it reads like that.
void check_target(const std::string& spec, const std::string& field) {
  std::string name = spec;
  const size_t colon = spec.find("x:");
  if (colon != std::string::npos) {
    const double factor = parse_double(spec.substr(0, colon),
                                       field + ": '" + spec + "' should read like 0.8x:mnasnet-a1");
    if (!(factor > 0) || !std::isfinite(factor)) throw Error(field + ": the factor must be > 0");
    name = spec.substr(colon + 2);
  }
  if (!is_zoo_name(name)) {
    throw Error(field + ": '" + name + "' is not a zoo model (see `mnas describe --help`)");
  }
}

// The configuration mnas wrote before it was typed: {"flags": {"--strategy": "ppo", ...},
// "target_ms": T, "space": {...}}. T was measured once at the start: a fixed target.
SearchConfig from_flags(const Json& j, const std::string& path) {
  const Json& f = j.at("flags");
  jf::require_object(f, jf::child(path, "flags"));
  const auto flag = [&](const char* name, const std::string& fallback) {
    const auto it = f.find(name);
    return it != f.end() && it->is_string() ? it->get<std::string>() : fallback;
  };
  const auto number = [&](const char* name, const std::string& fallback) {
    return parse_double(flag(name, fallback),
                        jf::child(path, "flags") + "." + name + ": not a number");
  };
  SearchConfig c;
  c.strategy = flag("--strategy", "ppo");
  c.seed = static_cast<uint64_t>(number("--seed", "1"));
  c.space_file = flag("--space", "");
  c.space = SearchSpace::from_json(jf::required(j, "space", path).dump());
  c.reward = flag("--reward", "soft");
  const RewardOptions preset = RewardOptions::preset(c.reward, 1.0);
  c.alpha = flag("--alpha", "").empty() ? preset.alpha : number("--alpha", "");
  c.beta = flag("--beta", "").empty() ? preset.beta : number("--beta", "");
  c.evaluator = flag("--evaluator", "proxy");
  const std::string latency = flag("--latency", "xnnpack");
  c.latency = c.evaluator == "surrogate" ? "surrogate"
              : latency == "xnnpack"     ? "measured"
                                         : latency;
  c.devices[0].target = flag("--target", "mobilenetv2");
  c.devices[0].target_ms =
      jf::as_double(jf::required(j, "target_ms", path), jf::child(path, "target_ms"));
  c.proxy.dataset = flag("--dataset", "fashion-mnist");
  c.proxy.epochs = static_cast<int>(number("--epochs", "1"));
  c.proxy.train_images = static_cast<int64_t>(number("--train-images", "5000"));
  c.proxy.holdout = static_cast<int64_t>(number("--holdout", "2000"));
  c.batch = static_cast<int>(number("--batch", "6"));
  c.failed_reward = number("--failed-reward", "0");
  c.controller_lr = kStoredControllerLr;
  return c;
}

}  // namespace

double default_controller_lr(int64_t trials) {
  constexpr double kShort = 200, kLong = 2000;  // kDefaultControllerLr up to kShort trials
  if (trials <= kShort) return kDefaultControllerLr;
  if (trials >= kLong) return kStoredControllerLr;
  return kDefaultControllerLr * kShort / static_cast<double>(trials);
}

Fidelity default_fidelity(int64_t train_images) {
  Fidelity f;
  if (train_images < 1000) return f;
  f.rungs = {train_images / 10, train_images};
  f.continue_runs = true;
  return f;
}

SearchSpace SearchConfig::default_space() {
  SearchSpace s;
  s.set_input({28, 28, 1});
  s.set_classes(10);
  return s;
}

namespace {

// 1 to 16 devices, each with a valid name of its own.
void check_device_names(const std::vector<DeviceObjective>& devices) {
  if (devices.empty()) throw Error("devices: at least one");
  if (devices.size() > 16) throw Error("devices: at most 16");
  std::set<std::string> names;
  for (size_t i = 0; i < devices.size(); ++i) {
    const std::string& name = devices[i].name;
    const std::string p = jf::element("devices", i);
    if (!valid_name(name)) {
      throw Error(p + ".name: '" + name +
                  "' is not a device name (letters, digits, '-', '_', '.'; at most 32)");
    }
    if (!names.insert(name).second) throw Error(p + ".name: '" + name + "' is used twice");
  }
}

// A table space (SearchConfig::table_space): what is looked up, and nothing that trains or times.
void validate_table_space(const SearchConfig& c) {
  if (c.table_space.empty()) {
    throw Error("evaluator: '" + c.evaluator +
                "' is a table's accuracy column; it goes with a table space (--space nb201)");
  }
  if (c.table_space != "nb201") {
    throw Error("table_space: unknown '" + c.table_space + "'; use nb201");
  }
  const Nb201Table& table = Nb201Table::embedded();
  if (!is_table_url(c.evaluator)) {
    throw Error("evaluator: '" + c.evaluator +
                "' trains networks; a table space has none: use table:DATASET (the table's " +
                "datasets: cifar10, cifar100, imagenet16_120)");
  }
  try {
    table.dataset(c.evaluator.substr(6));
  } catch (const Error& e) {
    throw Error(std::string("evaluator: ") + e.what());
  }
  if (c.latency != "measured") {
    throw Error("latency: '" + c.latency + "'; a table space looks its latency up (measured)");
  }
  if (!c.fidelity.rungs.empty() || c.fidelity.continue_runs) {
    throw Error("fidelity: a table space trains nothing; leave the rungs out");
  }
  check_device_names(c.devices);
  for (size_t i = 0; i < c.devices.size(); ++i) {
    const DeviceObjective& d = c.devices[i];
    const std::string p = jf::element("devices", i);
    if (!is_table_url(d.url)) {
      throw Error(p + ".url: '" + d.url + "'; a table space's devices are its latency columns, " +
                  "table:DEVICE (e.g. pixel3=table:pixel3)");
    }
    try {
      table.device(d.url.substr(6));
    } catch (const Error& e) {
      throw Error(p + ".url: " + e.what());
    }
    if (!(d.target_ms > 0) || !std::isfinite(d.target_ms)) {
      throw Error(p + ".target_ms: a table's device needs T in milliseconds (--target-ms)");
    }
    if (d.latency_stat != "median") {
      throw Error(p + ".latency_stat: '" + d.latency_stat +
                  "'; a table holds one latency per cell (median)");
    }
    if (d.precision != "fp32") {
      throw Error::about(p + ".precision", d.precision + ": a table holds fp32 latencies");
    }
  }
}

}  // namespace

bool quantized_accuracy(const SearchConfig& config) {
  for (const DeviceObjective& d : config.devices) {
    if (d.precision != "int8") return false;
  }
  return !config.devices.empty();
}

namespace {

// What a detection search may combine (SearchConfig::task), and a classification search may not.
void validate_task(const SearchConfig& c) {
  const bool coco = c.proxy.dataset.rfind("coco:", 0) == 0;  // data/detection_dataset.h
  if (c.task == "classification") {
    if (coco && c.evaluator == "proxy") {
      throw Error::about("proxy.dataset", c.proxy.dataset +
                                              " is a detection set; search detectors with task "
                                              "detection (--task detection)");
    }
    return;
  }
  if (c.task != "detection") {
    throw Error::about("task", "unknown '" + c.task + "'; use classification or detection");
  }
  if (c.evaluator == "proxy" && !coco) {
    throw Error::about("proxy.dataset", "'" + c.proxy.dataset +
                                            "' is a classification set; a detection search "
                                            "trains on coco:PATH (mnas data make-scenes)");
  }
  if (c.latency != "measured" && c.latency != "surrogate") {
    throw Error::about("latency", c.latency +
                                      ": a detection search measures its detectors on the "
                                      "devices (a lookup table predicts classifiers)");
  }
  for (size_t i = 0; i < c.devices.size(); ++i) {
    const DeviceObjective& d = c.devices[i];
    if (d.url.rfind("cmd:", 0) == 0) {
      throw Error::about(jf::element("devices", i) + ".url",
                         "a cmd: device times classifiers' ONNX files only so far; time "
                         "detectors here or on an mnas-device server");
    }
    if (d.precision != "fp32") {
      throw Error::about(jf::element("devices", i) + ".precision",
                         d.precision + ": a detection search runs fp32 only so far");
    }
  }
  if (c.fidelity.continue_runs) {
    throw Error::about("fidelity.continue", "a detection search trains each rung from scratch "
                                            "(--no-fidelity-continue)");
  }
}

}  // namespace

void validate(const SearchConfig& c) {
  field_table::check_ranges(search_config_fields(), c);  // each number in its range
  for (size_t i = 0; i < c.devices.size(); ++i) {
    field_table::check_ranges(device_objective_fields(), c.devices[i], jf::element("devices", i));
  }
  const std::vector<std::string> strategies = strategy_names();
  if (std::find(strategies.begin(), strategies.end(), c.strategy) == strategies.end()) {
    std::string list;
    for (const std::string& s : strategies) list += (list.empty() ? "" : ", ") + s;
    throw Error("strategy: unknown '" + c.strategy + "'; use one of " + list);
  }
  RewardOptions reward = RewardOptions::preset(c.reward, 1.0);
  reward.alpha = c.alpha;
  reward.beta = c.beta;
  validate(reward);
  const bool command = c.evaluator.rfind("cmd:", 0) == 0;
  if (!c.table_space.empty() || is_table_url(c.evaluator)) {
    validate_table_space(c);
    return;
  }
  for (size_t i = 0; i < c.devices.size(); ++i) {
    if (is_table_url(c.devices[i].url)) {
      throw Error(jf::element("devices", i) + ".url: '" + c.devices[i].url +
                  "' is a table's device; it goes with a table space (--space nb201)");
    }
  }
  const bool external = c.evaluator == "external";
  if (c.evaluator != "proxy" && c.evaluator != "surrogate" && !command && !external) {
    throw Error("evaluator: unknown '" + c.evaluator +
                "'; use proxy, surrogate, cmd:COMMAND (your own trainer) or external (the "
                "trials told by an ask/tell caller, mnas.Search)");
  }
  if (command && c.evaluator.find_first_not_of(" \t", 4) == std::string::npos) {
    throw Error("evaluator: cmd: needs a command, e.g. cmd:python3 train.py");
  }
  const bool lut = c.latency.rfind("lut:", 0) == 0;
  if (c.latency != "measured" && c.latency != "surrogate" && c.latency != "told" &&
      !(lut && c.latency.size() > 4)) {
    throw Error("latency: unknown '" + c.latency + "'; use measured, lut:FILE, surrogate or told");
  }
  if (c.latency == "told") {  // the ask/tell caller tells each trial's latency: T must be fixed
    if (!external) throw Error("latency: told goes with the external evaluator (ask/tell) only");
    if (c.devices.size() != 1 || !(c.devices[0].target_ms > 0)) {
      throw Error("latency: told needs one device with T fixed (devices[0].target_ms > 0): the "
                  "told latencies are judged against it");
    }
  }
  if (c.latency == "surrogate" && c.evaluator != "surrogate") {
    throw Error("latency: the synthetic latency goes with the surrogate evaluator only");
  }
  check_device_names(c.devices);
  if (c.latency == "surrogate" && (c.devices.size() != 1 || c.devices[0].url != "local")) {
    throw Error("latency: surrogate is synthetic; measure real devices (latency measured)");
  }
  // A table predicts the one device it was measured on: this machine or an mnas-device server
  // (`mnas lut build --device URL`); whole-network cmd: devices build no table.
  if (lut && (c.devices.size() != 1 || c.devices[0].url.rfind("cmd:", 0) == 0)) {
    throw Error("latency: " + c.latency +
                " predicts one device, the one the table was built on (local or an mnas-device "
                "URL); measure several devices or a cmd: device (latency measured)");
  }
  for (size_t i = 0; i < c.devices.size(); ++i) {
    const DeviceObjective& d = c.devices[i];
    const std::string p = jf::element("devices", i);
    if (d.url != "local" && d.url.rfind("http://", 0) != 0 && d.url.rfind("https://", 0) != 0 &&
        (d.url.rfind("cmd:", 0) != 0 || d.url.size() == 4)) {
      throw Error(p + ".url: '" + d.url + "' is not local, an http:// URL or cmd:COMMAND");
    }
    if (d.target_ms == 0) check_target(d.target, p + ".target");
    if (d.latency_stat != "median" && d.latency_stat != "p90") {
      throw Error(p + ".latency_stat: '" + d.latency_stat + "'; use median or p90");
    }
    if (parse_precision(d.precision, p + ".precision") == Precision::kInt8) {
      if (d.url.rfind("cmd:", 0) == 0) {
        throw Error::about(p + ".precision",
                           "int8: a cmd: device times the fp32 ONNX file; time int8 on this "
                           "machine or an mnas-device server");
      }
      if (c.latency == "surrogate") {
        throw Error::about(p + ".precision", "int8: the synthetic surrogate latency has none");
      }
    }
  }
  if (!c.fidelity.rungs.empty()) {
    const std::vector<int64_t>& r = c.fidelity.rungs;
    if (r.size() < 2 || r.size() > 8) throw Error("fidelity.rungs: 2 to 8 rungs, or none");
    for (size_t i = 0; i < r.size(); ++i) {
      if (r[i] < 1 || (i > 0 && r[i] <= r[i - 1])) {
        throw Error("fidelity.rungs: training images per rung, each ≥ 1 and more than the last");
      }
    }
    if (r.back() != c.proxy.train_images) {
      throw Error("fidelity.rungs: the last rung is the full proxy: " +
                  std::to_string(r.back()) + " images, but proxy.train_images is " +
                  std::to_string(c.proxy.train_images));
    }
    if (c.evaluator.rfind("cmd:", 0) == 0) {
      throw Error("fidelity: a cmd: evaluator trains as it likes; rungs need the proxy (or the "
                  "surrogate)");
    }
  }
  if (c.fidelity.continue_runs && c.fidelity.rungs.empty()) {
    throw Error("fidelity.continue: only with fidelity.rungs");
  }
  validate_task(c);
}

Json search_config_json(const SearchConfig& c) {
  Json j = {{"format", kFormat},
            {"space", Json::parse(c.space.to_json())},
            {"devices", Json::array()},
            {"created_by", "mnas " MNAS_VERSION}};
  field_table::write(search_config_fields(), c, j);
  for (const DeviceObjective& d : c.devices) {
    Json device = Json::object();
    field_table::write(device_objective_fields(), d, device);
    j["devices"].push_back(device);
  }
  return j;
}

SearchConfig search_config_from_json(const Json& j, const std::string& path) {
  jf::require_object(j, path);
  SearchConfig c;
  try {
    if (j.contains("flags") && !j.contains("format")) {
      c = from_flags(j, path);
    } else {
      const std::string format = jf::as_string(jf::required(j, "format", path),
                                                jf::child(path, "format"));
      if (format != kFormat) {
        throw Error(jf::child(path, "format") + ": not '" + kFormat +
                    "' (written by a newer mnas?)");
      }
      field_table::read(search_config_fields(), j, c, path, /*partial=*/false,
                        {"format", "space", "devices", "created_by"});
      try {
        c.space = SearchSpace::from_json(jf::required(j, "space", path).dump());
      } catch (const Error& e) {
        throw Error(jf::child(path, "space") + ": " + e.what());
      }
      const Json& devices = jf::required(j, "devices", path);
      jf::require_array(devices, jf::child(path, "devices"));
      if (devices.size() > 16) throw Error(jf::child(path, "devices") + ": at most 16");
      c.devices.clear();
      for (size_t i = 0; i < devices.size(); ++i) {
        DeviceObjective d;
        field_table::read(device_objective_fields(), devices[i], d,
                          jf::element(jf::child(path, "devices"), i), /*partial=*/false);
        c.devices.push_back(d);
      }
    }
    validate(c);
  } catch (const Error& e) {
    const std::string m = e.what();
    if (m.rfind(path, 0) == 0) throw;
    throw Error(path + ": " + m, e.kind());
  } catch (const Json::exception& e) {
    throw Error(path + ": damaged (" + e.what() + ")");
  }
  return c;
}

SearchConfig search_config_from_text(const std::string& text, const std::string& path) {
  nlohmann::json j;
  try {
    j = json_fields::parse(text, path);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (the store is damaged)", Error::Kind::kIo);
  }
  return search_config_from_json(j, path);
}

std::string first_difference(const SearchConfig& a, const SearchConfig& b) {
  Json ja = search_config_json(a), jb = search_config_json(b);
  for (Json* j : {&ja, &jb}) {
    j->erase("created_by");
    for (Json& d : (*j)["devices"]) d.erase("url");
  }
  const Json patch = Json::diff(ja, jb);
  if (patch.empty()) return "";
  // "/devices/1/target" → "devices[1].target"
  std::string pointer = patch[0].at("path").get<std::string>(), out;
  size_t start = 1;
  while (start <= pointer.size()) {
    const size_t slash = std::min(pointer.find('/', start), pointer.size());
    const std::string part = pointer.substr(start, slash - start);
    const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    out += index ? "[" + part + "]" : (out.empty() ? "" : ".") + part;
    start = slash + 1;
  }
  // A change inside the space names the space: its inner paths mean little to a user.
  if (out.rfind("space", 0) == 0 && ja["space"]["input"] != jb["space"]["input"])
    return "space.input";
  if (out.rfind("space", 0) == 0 && ja["space"]["classes"] != jb["space"]["classes"])
    return "space.classes";
  if (out.rfind("space", 0) == 0) return "space";
  if (out.rfind("devices[", 0) == 0 && ja["devices"].size() != jb["devices"].size())
    return "devices";
  return out;
}

std::pair<std::string, std::string> split_named(const std::string& text, const std::string& field,
                                                const std::string& default_name) {
  const size_t eq = text.find('=');
  if (eq != std::string::npos && text.find("://") > eq) {
    const std::string name = text.substr(0, eq), value = text.substr(eq + 1);
    if (!valid_name(name)) {
      throw Error(field + ": '" + name +
                  "' is not a device name (letters, digits, '-', '_', '.'; at most 32)");
    }
    if (value.empty()) throw Error(field + ": '" + text + "' has no value after '='");
    return {name, value};
  }
  if (text.empty()) throw Error(field + ": empty");
  return {default_name, text};
}

}  // namespace mnas
