#include "latency/lookup_table.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/json_fields.h"
#include "base/machine.h"
#include "base/number_format.h"
#include "graph/graph.h"
#include "latency/latency_json.h"
#include "latency/measurement.h"
#include "space/cost_model.h"
#include "space/scaling.h"

namespace mnas {
namespace {

using Json = nlohmann::json;
constexpr const char* kFormat = "mnas-lut/1";

std::string shape_key(const TensorShape& s) {
  return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" +
         std::to_string(s.channels);
}

// Everything that changes a layer's cost, and nothing else: two layers with the same key run the
// same operators on the same shapes.
std::string layer_key(const LayerPlan& l) {
  std::string k =
      std::string("layer ") + to_string(l.op) + " e" + std::to_string(l.expanded / l.in.channels) +
      " k" + std::to_string(l.kernel) + " s" + std::to_string(l.stride) + " in=" + shape_key(l.in) +
      " o=" + std::to_string(l.out.channels) + " se=" + std::to_string(l.se_filters) + " skip=";
  if (l.shortcut == SkipOp::kIdentity) return k + "identity";
  if (l.shortcut == SkipOp::kNone) return k + "none";
  return k + "pool" + (l.shortcut_pools ? "+avg" : "") + (l.shortcut_projects ? "+proj" : "");
}

std::string stem_key(const Architecture& a) {
  return "stem in=" + to_string(a.input) + " o=" + std::to_string(a.stem_filters) + " s" +
         std::to_string(a.stem_stride);
}

std::string tail_key(const TensorShape& in, const Architecture& a) {
  return "tail in=" + shape_key(in) + " head=" + std::to_string(a.head_filters) +
         " classes=" + std::to_string(a.classes);
}

// A key encodes what is needed to rebuild the part it names: parse it back into an architecture
// fragment to measure. Simpler and safer than a second registry: the key is the only source.
struct KeyParts {
  std::string kind;
  std::map<std::string, std::string> fields;  // "in" → "28x28x16", "e" → "6", ...
  std::vector<std::string> words;
};

KeyParts split_key(const std::string& key) {
  KeyParts p;
  std::istringstream in(key);
  in >> p.kind;
  std::string word;
  while (in >> word) {
    p.words.push_back(word);
    const size_t eq = word.find('=');
    if (eq != std::string::npos) p.fields[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return p;
}

// A decimal integer in [lo, hi], or a damaged key.
int key_int(const std::string& text, int lo, int hi, const std::string& key) {
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    throw Error("lookup table: damaged key '" + key + "'");
  }
  const int v = std::stoi(text);
  if (v < lo || v > hi) throw Error("lookup table: damaged key '" + key + "' (out of range)");
  return v;
}

int prefixed(const std::vector<std::string>& words, char prefix, int lo, int hi,
             const std::string& key) {
  for (const std::string& w : words) {
    if (w.size() > 1 && w[0] == prefix && std::isdigit(static_cast<unsigned char>(w[1]))) {
      return key_int(w.substr(1), lo, hi, key);
    }
  }
  throw Error("lookup table: damaged key '" + key + "' (no " + std::string(1, prefix) + " field)");
}

}  // namespace

namespace {

// A key read back into what it names: one of a stem (architecture input, stem), a tail (its input
// shape, head and classes) or a layer (its resolved plan).
struct ParsedKey {
  enum class Kind { kStem, kTail, kLayer } kind = Kind::kLayer;
  Architecture arch;  // stem: input, stem filters and stride; tail: head filters and classes
  TensorShape in;     // tail input
  LayerPlan layer;
};

ParsedKey parse_key(const std::string& key) {
  if (key.size() > 512) throw Error("lookup table: a key is longer than 512 characters");
  const KeyParts p = split_key(key);
  const auto field = [&](const std::string& name) -> const std::string& {
    const auto it = p.fields.find(name);
    if (it == p.fields.end()) {
      throw Error("lookup table: damaged key '" + key + "' (no " + name + "= field)");
    }
    return it->second;
  };
  const auto number = [&](const std::string& name, int lo, int hi) {
    return key_int(field(name), lo, hi, key);
  };
  const auto shape = [&](const std::string& name) {
    // Not parse_input_shape: inner layers have more channels than a network input may.
    const std::string& text = field(name);
    const size_t x1 = text.find('x');
    const size_t x2 = x1 == std::string::npos ? x1 : text.find('x', x1 + 1);
    if (x2 == std::string::npos) throw Error("lookup table: damaged key '" + key + "'");
    TensorShape s;
    s.height = key_int(text.substr(0, x1), 1, limits::kMaxInputSide, key);
    s.width = key_int(text.substr(x1 + 1, x2 - x1 - 1), 1, limits::kMaxInputSide, key);
    s.channels = key_int(text.substr(x2 + 1), 1, limits::kMaxFilters * limits::kMaxExpansion, key);
    return s;
  };
  ParsedKey k;
  std::string rebuilt;  // the key of what was parsed: a key must name exactly one thing
  if (p.kind == "stem") {
    k.kind = ParsedKey::Kind::kStem;
    const TensorShape in = shape("in");
    if (in.channels > limits::kMaxInputChannels) {
      throw Error("lookup table: damaged key '" + key + "' (input channels)");
    }
    k.arch.input = {in.height, in.width, in.channels};
    k.arch.stem_filters = number("o", 1, limits::kMaxFilters);
    k.arch.stem_stride = prefixed(p.words, 's', 1, 2, key);
    k.arch.blocks.resize(1);
    rebuilt = stem_key(k.arch);
  } else if (p.kind == "tail") {
    k.kind = ParsedKey::Kind::kTail;
    k.in = shape("in");
    k.arch.head_filters = number("head", 1, limits::kMaxFilters);
    k.arch.classes = number("classes", 1, limits::kMaxClasses);
    rebuilt = tail_key(k.in, k.arch);
  } else if (p.kind == "layer" && !p.words.empty()) {
    BlockSpec b;
    b.op = parse_conv_op(p.words[0], "lookup table key");
    b.expansion = prefixed(p.words, 'e', 1, limits::kMaxExpansion, key);
    b.kernel = prefixed(p.words, 'k', 1, 7, key);
    b.stride = prefixed(p.words, 's', 1, 2, key);
    b.filters = number("o", 1, limits::kMaxFilters);
    const std::string& skip = field("skip");
    b.skip = skip == "identity" ? SkipOp::kIdentity
             : skip == "none"   ? SkipOp::kNone
                                : SkipOp::kPool;
    validate(b, "lookup table key '" + key + "'");
    k.layer = plan_layer(b, 0, 0, shape("in"));
    // The SE width is stored as is (it depends on the block's input filters, not on a ratio).
    LayerPlan& l = k.layer;
    l.se_filters = number("se", 0, limits::kMaxFilters);
    if (l.se_filters > 0) {
      l.se_channels = l.op == ConvOp::kConv    ? l.out.channels
                      : l.op == ConvOp::kDconv ? l.in.channels
                                               : l.expanded;
    }
    rebuilt = layer_key(l);
  } else {
    throw Error("lookup table: damaged key '" + key + "'");
  }
  if (rebuilt != key) {
    throw Error("lookup table: damaged key '" + key + "' (reads back as '" + rebuilt + "')");
  }
  return k;
}

}  // namespace

LayerCost lut_entry_cost(const std::string& key) {
  const ParsedKey k = parse_key(key);
  LayerCost cost;
  const auto mul = [](int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) throw Error("lookup table: entry too large");
    return r;
  };
  switch (k.kind) {
    case ParsedKey::Kind::kStem: {
      const Architecture& a = k.arch;
      const int64_t out_pixels = int64_t{conv_output_size(a.input.height, a.stem_stride)} *
                                 conv_output_size(a.input.width, a.stem_stride);
      cost.params = mul(9 * a.input.channels, a.stem_filters);
      cost.macs = mul(cost.params, out_pixels);
      break;
    }
    case ParsedKey::Kind::kTail: {
      const int64_t head = mul(k.in.channels, k.arch.head_filters);
      const int64_t fc = mul(k.arch.head_filters, k.arch.classes);
      cost.params = head + fc;
      cost.macs = mul(head, int64_t{k.in.height} * k.in.width) + fc;
      break;
    }
    case ParsedKey::Kind::kLayer:
      cost = estimate_layer_cost(k.layer);
      break;
  }
  return cost;
}

Graph lut_entry_graph(const std::string& key) {
  const ParsedKey k = parse_key(key);
  switch (k.kind) {
    case ParsedKey::Kind::kStem:
      return lower_stem(k.arch);
    case ParsedKey::Kind::kTail:
      return lower_tail(k.in, k.arch.head_filters, k.arch.classes);
    case ParsedKey::Kind::kLayer:
      return lower_layer_plan(k.layer);
  }
  MNAS_ASSERT(false);
}

std::vector<std::string> LookupTable::enumerate_keys(const SearchSpace& space) {
  const Architecture skeleton = space.skeleton_architecture();
  std::set<std::string> seen;
  std::vector<std::string> keys;
  const auto add = [&](const std::string& k) {
    if (seen.insert(k).second) keys.push_back(k);
  };
  add(stem_key(skeleton));
  const NetworkPlan base = plan_network(skeleton);
  std::set<int> in_channels = {skeleton.stem_filters};
  TensorShape spatial = base.stem_out;
  for (int b = 0; b < space.num_blocks(); ++b) {
    const SkeletonBlock& sk = space.skeleton().blocks[b];
    std::vector<BlockSpec> options;
    std::set<int> layer_counts;
    if (!space.is_searchable(b)) {
      options.push_back(skeleton.blocks[b]);
      layer_counts.insert(skeleton.blocks[b].layers);
    } else {
      const BlockChoices& c = space.choices(b);
      std::set<int> filters;
      for (double r : c.filter_ratios) filters.insert(round_filters(sk.filters * r));
      for (int d : c.layer_deltas) layer_counts.insert(std::max(1, sk.layers + d));
      for (const OpChoice& op : c.ops) {
        for (int k : c.kernels) {
          for (double se : c.se_ratios) {
            for (SkipOp skip : c.skips) {
              for (int f : filters) {
                BlockSpec spec;
                spec.op = op.op;
                spec.expansion = op.expansion;
                spec.kernel = k;
                spec.se_ratio = se;
                spec.skip = skip;
                spec.filters = f;
                spec.stride = sk.stride;
                options.push_back(spec);
              }
            }
          }
        }
      }
    }
    const bool repeats = *layer_counts.rbegin() > 1;
    std::set<int> out_channels;
    TensorShape next_spatial;
    for (int in_c : in_channels) {
      for (const BlockSpec& spec : options) {
        const TensorShape in{spatial.height, spatial.width, in_c};
        const LayerPlan first = plan_layer(spec, b, 0, in);
        add(layer_key(first));
        if (repeats) add(layer_key(plan_layer(spec, b, 1, first.out)));
        out_channels.insert(spec.filters);
        next_spatial = first.out;
      }
    }
    in_channels = out_channels;
    spatial = next_spatial;
  }
  for (int c : in_channels) add(tail_key({spatial.height, spatial.width, c}, skeleton));
  return keys;
}

std::vector<std::string> LookupTable::keys(const Architecture& arch) {
  const NetworkPlan plan = plan_network(arch);
  std::vector<std::string> k = {stem_key(arch)};
  for (const LayerPlan& l : plan.layers) k.push_back(layer_key(l));
  k.push_back(tail_key(plan.layers.back().out, arch));
  return k;
}

LookupTable::LookupTable(const SearchSpace& space, int threads, const DeviceInfo& device,
                         Precision precision)
    : space_(space), threads_(threads) {
  provenance_.precision = precision;
  if (threads < 1 || threads > 256) {
    throw Error("threads: " + std::to_string(threads) + " is out of range; must be in [1, 256]");
  }
  provenance_.device_id = device.id;
  provenance_.engine = device.engine;
  provenance_.engine_version = device.engine_version;
  provenance_.cpu_model = device.cpu_model;
  provenance_.logical_cpus = device.logical_cpus;
  provenance_.timestamp = utc_timestamp();
  provenance_.threads = threads;
  provenance_.input_shape = to_string(space.input());
  for (const std::string& key : enumerate_keys(space_)) entries_[key];  // runs = 0: not measured
}

size_t LookupTable::missing() const {
  size_t n = 0;
  for (const auto& [key, e] : entries_) n += e.runs == 0;
  return n;
}

void LookupTable::build(Device& device, const MeasureOptions& options, const std::string& path,
                        const std::function<void(const BuildProgress&)>& progress,
                        size_t save_every) {
  validate(options);
  MNAS_ASSERT(save_every > 0);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> todo;
  for (const auto& [key, entry] : entries_) {
    if (entry.runs == 0) todo.push_back(key);
  }
  TimingRequest request;
  request.threads = threads_;
  request.protocol = options;
  request.precision = provenance_.precision;
  provenance_.device = device.location();
  // Entries are timed hot, one run after another. Tried: evicting the caches before every run
  // (weights cold, input hot) — 77% within ±10% against 97% hot, both calibrated the same way
  // (150 networks at 28×28×1, 5-fold): inside a whole network most weights stay in the L3.
  for (size_t first = 0; first < todo.size(); first += save_every) {
    const std::vector<std::string> chunk(todo.begin() + first,
                                         todo.begin() + std::min(todo.size(), first + save_every));
    const std::vector<LutEntryTiming> timed = device.measure_lut_entries(chunk, request);
    if (timed.size() != chunk.size()) {
      throw Error("device " + device.location() + ": answered " + std::to_string(timed.size()) +
                  " lookup-table entries for " + std::to_string(chunk.size()));
    }
    for (size_t i = 0; i < timed.size(); ++i) {
      LatencyStats stats;
      stats.median_ms = timed[i].median_ms;
      stats.runs = timed[i].runs;
      const std::string why = timed[i].key != chunk[i] ? "another entry's key"
                                                       : implausible(stats, true);
      if (!why.empty()) {
        throw Error("device " + device.location() + ": a bad measurement for entry '" + chunk[i] +
                    "' (" + why + "); nothing of it was written to the table");
      }
      Entry& e = entries_.at(chunk[i]);
      e.median_ms = timed[i].median_ms;
      e.std_ms = timed[i].std_ms;
      e.runs = timed[i].runs;
    }
    provenance_.timestamp = utc_timestamp();
    if (!path.empty()) save(path);
    if (progress) {
      for (size_t i = 0; i < chunk.size(); ++i) {
        BuildProgress p;
        p.done = first + i + 1;
        p.total = todo.size();
        p.elapsed_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        p.key = &chunk[i];
        progress(p);
      }
    }
  }
}

double LookupTable::raw_sum_ms(const Architecture& arch) const {
  double sum = 0;
  for (const std::string& key : keys(arch)) {
    const auto it = entries_.find(key);
    if (it == entries_.end()) {
      throw Error("lookup table: no entry for '" + key +
                  "'; the table was built for another search space or input (" +
                  provenance_.input_shape + ")");
    }
    if (it->second.runs == 0) {
      throw Error("lookup table: entry '" + key + "' is not measured yet; finish `mnas lut build`");
    }
    sum += it->second.median_ms;
  }
  return sum;
}

bool LookupTable::covers(const Architecture& arch) const {
  for (const std::string& key : keys(arch)) {
    const auto it = entries_.find(key);
    if (it == entries_.end() || it->second.runs == 0) return false;
  }
  return true;
}

double LookupTable::predict_ms(const Architecture& arch) const {
  const double mparams = static_cast<double>(estimate_cost(arch, false).params) / 1e6;
  return scale_ * raw_sum_ms(arch) + ms_per_mparam_ * mparams + offset_ms_;
}

LatencyCalibration fit_calibration(const std::vector<std::array<double, 3>>& rows,
                                   const std::vector<double>& measured_ms) {
  if (rows.size() != measured_ms.size() || rows.size() < 2) {
    throw Error("calibration: needs at least two measured networks, one row each");
  }
  const std::vector<double>& y = measured_ms;
  for (double v : y) {
    if (!(v > 0) || !std::isfinite(v)) throw Error("calibration: a measured latency is not > 0");
  }
  LatencyCalibration fit;
  // Least squares on the relative error (each row divided by its measurement): what matters is
  // being within ±x% of every network, not a small absolute error on the biggest ones (150
  // networks at 28×28×1, 5-fold cross-validated: MAPE 2.7% against 3.7% for plain least squares).
  // Normal equations (3×3), solved by Gaussian elimination.
  double ata[3][4] = {};
  for (size_t i = 0; i < rows.size(); ++i) {
    const double w = 1.0 / (y[i] * y[i]);
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) ata[r][c] += w * rows[i][r] * rows[i][c];
      ata[r][3] += w * rows[i][r] * y[i];
    }
  }
  bool solvable = true;
  for (int col = 0; col < 3 && solvable; ++col) {
    int pivot = col;
    for (int r = col + 1; r < 3; ++r) {
      if (std::fabs(ata[r][col]) > std::fabs(ata[pivot][col])) pivot = r;
    }
    if (std::fabs(ata[pivot][col]) < 1e-12) {
      solvable = false;
      break;
    }
    std::swap(ata[col], ata[pivot]);
    for (int r = 0; r < 3; ++r) {
      if (r == col) continue;
      const double f = ata[r][col] / ata[col][col];
      for (int c = col; c < 4; ++c) ata[r][c] -= f * ata[col][c];
    }
  }
  if (solvable) {
    fit.scale = ata[0][3] / ata[0][0];
    fit.ms_per_mparam = ata[1][3] / ata[1][1];
    fit.offset_ms = ata[2][3] / ata[2][2];
  }
  // A few noisy samples can fit a scale ≤ 0 (seen: −3.6 from 4 networks), which predicts nothing
  // sensible: then, as for samples too alike, keep the sum and fit the offset only.
  if (!solvable || !(fit.scale > 0) || !std::isfinite(fit.scale)) {
    double residual = 0;
    for (size_t i = 0; i < rows.size(); ++i) residual += y[i] - rows[i][0];
    fit.scale = 1.0;
    fit.ms_per_mparam = 0.0;
    fit.offset_ms = residual / static_cast<double>(rows.size());
  }
  return fit;
}

void LookupTable::calibrate(Device& device, int samples, uint64_t seed,
                            const MeasureOptions& options,
                            const std::function<void(int, int)>& progress) {
  if (samples < 2) throw Error("calibration samples: must be ≥ 2");
  if (missing() > 0) throw Error("lookup table: measure every entry before calibrating");
  std::mt19937_64 rng(seed);
  std::vector<std::array<double, 3>> rows;  // Σ entries, Mparams, 1
  std::vector<double> y;
  for (int i = 0; i < samples; ++i) {
    const Architecture a = space_.sample(rng);
    y.push_back(device.measure(a, {threads_, options, provenance_.precision}).median_ms);
    rows.push_back(calibration_row(a));
    if (progress) progress(i + 1, samples);
  }
  set_calibration(fit_calibration(rows, y));
  calibration_samples_ = samples;
}

std::array<double, 3> LookupTable::calibration_row(const Architecture& arch) const {
  return {raw_sum_ms(arch), static_cast<double>(estimate_cost(arch).params) / 1e6, 1.0};
}

void LookupTable::set_calibration(const LatencyCalibration& c) {
  if (!(c.scale > 0) || !std::isfinite(c.scale) || !std::isfinite(c.ms_per_mparam) ||
      !std::isfinite(c.offset_ms)) {
    throw Error("lookup table: a calibration needs a finite scale > 0 and finite terms");
  }
  scale_ = c.scale;
  ms_per_mparam_ = c.ms_per_mparam;
  offset_ms_ = c.offset_ms;
}

void LookupTable::require_device(const DeviceInfo& device) const {
  if (device.cpu_model != provenance_.cpu_model) {
    throw Error("lookup table: measured on '" + provenance_.cpu_model + "', the device is '" +
                device.cpu_model + "'");
  }
  if (device.engine_version != provenance_.engine_version) {
    throw Error("lookup table: measured with " + provenance_.engine + " " +
                provenance_.engine_version + ", the device uses " + device.engine_version);
  }
}

void LookupTable::require_space(const SearchSpace& space) const {
  if (!(space == space_)) {
    throw Error("lookup table: built for another search space or input (" +
                provenance_.input_shape + ")");
  }
}

void LookupTable::save(const std::string& path) const {
  Json entries = Json::object();
  for (const auto& [key, e] : entries_) {
    entries[key] = {{"median_ms", e.median_ms}, {"std_ms", e.std_ms}, {"runs", e.runs}};
  }
  const Json j{{"format", kFormat},
               {"space", Json::parse(space_.to_json())},
               {"threads", threads_},
               {"provenance", provenance_json(provenance_)},
               {"entries", entries},
               {"calibration",
                {{"scale", scale_},
                 {"ms_per_mparam", ms_per_mparam_},
                 {"offset_ms", offset_ms_},
                 {"samples", calibration_samples_}}}};
  write_file_atomically(path, j.dump(1) + "\n", "lookup table");
}

LookupTable LookupTable::load(const std::string& path) {
  const std::string text = read_whole_file(path, "lookup table");
  const std::string where = "lookup table '" + path + "': ";
  Json j;
  try {
    j = json_fields::parse(text, "lookup table '" + path + "'");
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (truncated or damaged?)");
  }
  try {
    if (!j.is_object() || j.value("format", "") != kFormat) {
      throw Error(where + "not an mnas lookup table (format is not '" + kFormat + "')");
    }
    LookupTable t(SearchSpace::from_json(j.at("space").dump()), j.at("threads").get<int>(),
                  DeviceInfo{});
    t.provenance_ = provenance_from_json(j.at("provenance"), "provenance");
    const Json& entries = j.at("entries");
    if (!entries.is_object()) throw Error(where + "entries: expected an object");
    for (auto it = entries.begin(); it != entries.end(); ++it) {
      auto e = t.entries_.find(it.key());
      if (e == t.entries_.end()) {
        throw Error(where + "entry '" + it.key() + "' is not a layer of the table's space");
      }
      e->second.median_ms = it.value().at("median_ms").get<double>();
      e->second.std_ms = it.value().at("std_ms").get<double>();
      e->second.runs = it.value().at("runs").get<int>();
      // A measured entry (runs ≥ 1) meets the rules every device's answer meets; an entry not
      // measured yet has no time.
      LatencyStats stats;
      stats.median_ms = e->second.median_ms;
      stats.runs = e->second.runs;
      const std::string why =
          e->second.runs > 0          ? implausible(stats, true)
          : e->second.median_ms == 0 ? ""
                                     : "a time but no run";
      if (!why.empty() || !(e->second.std_ms >= 0 && e->second.std_ms <= kMaxPlausibleMs)) {
        throw Error(where + "entry '" + it.key() + "' has an invalid measurement" +
                    (why.empty() ? std::string(" (std_ms)") : " (" + why + ")"));
      }
    }
    const Json& c = j.at("calibration");
    t.scale_ = c.at("scale").get<double>();
    t.offset_ms_ = c.at("offset_ms").get<double>();
    t.ms_per_mparam_ = c.at("ms_per_mparam").get<double>();
    t.calibration_samples_ = c.at("samples").get<int>();
    if (!std::isfinite(t.scale_) || !std::isfinite(t.offset_ms_) ||
        !std::isfinite(t.ms_per_mparam_)) {
      throw Error(where + "calibration: not finite");
    }
    // A calibration maps the table's own device onto itself: a factor far from 1 is damage.
    if (!(t.scale_ >= 1e-3 && t.scale_ <= 1e3)) {
      throw Error(where + "calibration.scale: " + format_double(t.scale_) +
                  "; must be in [0.001, 1000] (`mnas lut build --out FILE --recalibrate` fits "
                  "it again)");
    }
    if (!(std::abs(t.offset_ms_) <= kMaxPlausibleMs) ||
        !(std::abs(t.ms_per_mparam_) <= kMaxPlausibleMs)) {
      throw Error(where + "calibration: offset_ms or ms_per_mparam out of range");
    }
    if (t.calibration_samples_ < 0) throw Error(where + "calibration.samples: must be ≥ 0");
    // A calibration that predicts a non-positive latency would fail every trial: refused here,
    // once, rather than then (checked on an architecture of the space, seeded).
    std::mt19937_64 rng(1);
    const double predicted = t.missing() == 0 ? t.predict_ms(t.space_.sample(rng)) : 1.0;
    if (!(predicted >= kMinPlausibleMs && predicted <= kMaxPlausibleMs)) {
      throw Error(where +
                  "calibration: predicts no time for the space's networks; refit it with "
                  "`mnas lut build --out FILE --recalibrate`");
    }
    return t;
  } catch (const Json::exception& e) {
    throw Error(where + "damaged (" + e.what() + ")");
  } catch (const Error& e) {
    const std::string m = e.what();
    if (m.rfind(where, 0) == 0) throw;
    throw Error(where + m, e.kind());
  }
}

LatencyResult LookupTable::predict(const Architecture& arch) const {
  LatencyResult r;
  r.median_ms = predict_ms(arch);
  r.measurement.stats.median_ms = r.measurement.stats.mean_ms = r.measurement.stats.min_ms =
      r.measurement.stats.p90_ms = r.median_ms;
  r.provenance = provenance();
  r.provenance.engine = "lut(" + provenance().engine + ")";
  return r;
}

}  // namespace mnas
