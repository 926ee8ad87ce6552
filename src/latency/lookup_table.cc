#include "latency/lookup_table.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "latency/graph.h"
#include "latency/latency_json.h"
#include "latency/xnnpack_network.h"
#include "space/cost_model.h"
#include "space/error.h"
#include "space/file_io.h"
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

int prefixed(const std::vector<std::string>& words, char prefix) {
  for (const std::string& w : words) {
    if (w.size() > 1 && w[0] == prefix && std::isdigit(static_cast<unsigned char>(w[1]))) {
      return std::stoi(w.substr(1));
    }
  }
  throw Error("lookup table: damaged key (no " + std::string(1, prefix) + " field)");
}

Graph graph_for_key(const std::string& key) {
  const KeyParts p = split_key(key);
  const auto shape = [&](const std::string& field) {
    const auto it = p.fields.find(field);
    if (it == p.fields.end()) throw Error("lookup table: damaged key '" + key + "'");
    // Not parse_input_shape: inner layers have more channels than a network input may.
    TensorShape s;
    char x1 = 0, x2 = 0;
    std::istringstream in(it->second);
    if (!(in >> s.height >> x1 >> s.width >> x2 >> s.channels) || x1 != 'x' || x2 != 'x' ||
        s.height < 1 || s.width < 1 || s.channels < 1 ||
        s.channels > limits::kMaxFilters * limits::kMaxExpansion) {
      throw Error("lookup table: damaged key '" + key + "'");
    }
    return s;
  };
  if (p.kind == "stem") {
    Architecture a;
    const TensorShape in = shape("in");
    a.input = {in.height, in.width, in.channels};
    a.stem_filters = std::stoi(p.fields.at("o"));  // stem input is the network input: validated
    a.stem_stride = prefixed(p.words, 's');
    a.blocks.resize(1);
    return lower_stem(a);
  }
  if (p.kind == "tail") {
    return lower_tail(shape("in"), std::stoi(p.fields.at("head")),
                      std::stoi(p.fields.at("classes")));
  }
  if (p.kind == "layer" && !p.words.empty()) {
    BlockSpec b;
    b.op = parse_conv_op(p.words[0], "lookup table key");
    b.expansion = prefixed(p.words, 'e');
    b.kernel = prefixed(p.words, 'k');
    b.stride = prefixed(p.words, 's');
    b.filters = std::stoi(p.fields.at("o"));
    const std::string skip = p.fields.at("skip");
    b.skip = skip == "identity" ? SkipOp::kIdentity
             : skip == "none"   ? SkipOp::kNone
                                : SkipOp::kPool;
    LayerPlan l = plan_layer(b, 0, 0, shape("in"));
    // The SE width is stored as is (it depends on the block's input filters, not on a ratio).
    l.se_filters = std::stoi(p.fields.at("se"));
    if (l.se_filters > 0) {
      l.se_channels = l.op == ConvOp::kConv    ? l.out.channels
                      : l.op == ConvOp::kDconv ? l.in.channels
                                               : l.expanded;
    }
    MNAS_ASSERT(layer_key(l) == key);
    return lower_layer_plan(l);
  }
  throw Error("lookup table: damaged key '" + key + "'");
}

Provenance provenance_from_json(const Json& j) {
  Provenance p;
  p.engine = j.at("engine").get<std::string>();
  p.engine_version = j.at("engine_version").get<std::string>();
  p.cpu_model = j.at("cpu_model").get<std::string>();
  p.logical_cpus = j.at("logical_cpus").get<int>();
  p.pinned_cpu = j.at("pinned_cpu").get<int>();
  p.threads = j.at("threads").get<int>();
  p.input_shape = j.at("input_shape").get<std::string>();
  p.timestamp = j.at("timestamp").get<std::string>();
  return p;
}

}  // namespace

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

LookupTable::LookupTable(const SearchSpace& space, int threads) : space_(space), threads_(threads) {
  if (threads < 1 || threads > 256) {
    throw Error("threads: " + std::to_string(threads) + " is out of range; must be in [1, 256]");
  }
  provenance_ = machine_provenance();
  provenance_.engine = "xnnpack";
  provenance_.engine_version = xnnpack_version();
  provenance_.threads = threads;
  provenance_.input_shape = to_string(space.input());
  for (const std::string& key : enumerate_keys(space_)) entries_[key];  // runs = 0: not measured
}

size_t LookupTable::missing() const {
  size_t n = 0;
  for (const auto& [key, e] : entries_) n += e.runs == 0;
  return n;
}

void LookupTable::build(const MeasureOptions& options, const std::string& path,
                        const std::function<void(const BuildProgress&)>& progress,
                        size_t save_every) {
  validate(options);
  const auto start = std::chrono::steady_clock::now();
  const size_t total = missing();
  size_t done = 0;
  // Entries are timed hot, one run after another. Tried: evicting the caches before every run
  // (weights cold, input hot) — 77% within ±10% against 97% hot, both calibrated the same way
  // (150 networks at 28×28×1, 5-fold): inside a whole network most weights stay in the L3.
  for (auto& [key, entry] : entries_) {
    if (entry.runs > 0) continue;
    XnnpackNetwork net(graph_for_key(key), threads_);
    const Measurement m = measure([&net] { net.run(); }, options);
    entry.median_ms = m.stats.median_ms;
    entry.std_ms = m.stats.std_ms;
    entry.runs = m.stats.runs;
    ++done;
    if (!path.empty() && (done % save_every == 0 || done == total)) save(path);
    if (progress) {
      BuildProgress p;
      p.done = done;
      p.total = total;
      p.elapsed_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      p.key = &key;
      progress(p);
    }
  }
  provenance_.timestamp = machine_provenance().timestamp;
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
  } else {  // samples too alike to separate the terms: keep the sum, fit the offset
    double residual = 0;
    for (size_t i = 0; i < rows.size(); ++i) residual += y[i] - rows[i][0];
    fit.scale = 1.0;
    fit.ms_per_mparam = 0.0;
    fit.offset_ms = residual / static_cast<double>(rows.size());
  }
  return fit;
}

void LookupTable::calibrate(int samples, uint64_t seed, const MeasureOptions& options,
                            const std::function<void(int, int)>& progress) {
  if (samples < 2) throw Error("calibration samples: must be ≥ 2");
  if (missing() > 0) throw Error("lookup table: measure every entry before calibrating");
  std::mt19937_64 rng(seed);
  std::vector<std::array<double, 3>> rows;  // Σ entries, Mparams, 1
  std::vector<double> y;
  for (int i = 0; i < samples; ++i) {
    const Architecture a = space_.sample(rng);
    XnnpackNetwork net(lower_architecture(a), threads_);
    y.push_back(measure([&net] { net.run(); }, options).stats.median_ms);
    rows.push_back({raw_sum_ms(a), static_cast<double>(estimate_cost(a).params) / 1e6, 1.0});
    if (progress) progress(i + 1, samples);
  }
  const LatencyCalibration fit = fit_calibration(rows, y);
  scale_ = fit.scale;
  ms_per_mparam_ = fit.ms_per_mparam;
  offset_ms_ = fit.offset_ms;
  calibration_samples_ = samples;
}

void LookupTable::require_this_device() const {
  const Provenance here = machine_provenance();
  if (here.cpu_model != provenance_.cpu_model) {
    throw Error("lookup table: measured on '" + provenance_.cpu_model + "', this machine is '" +
                here.cpu_model + "'");
  }
  if (xnnpack_version() != provenance_.engine_version) {
    throw Error("lookup table: measured with XNNPACK " + provenance_.engine_version +
                ", this binary uses " + xnnpack_version());
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
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw Error(where + "not valid JSON (truncated or damaged?): " + e.what());
  }
  try {
    if (!j.is_object() || j.value("format", "") != kFormat) {
      throw Error(where + "not an mnas lookup table (format is not '" + kFormat + "')");
    }
    LookupTable t(SearchSpace::from_json(j.at("space").dump()), j.at("threads").get<int>());
    t.provenance_ = provenance_from_json(j.at("provenance"));
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
      if (!std::isfinite(e->second.median_ms) || e->second.median_ms < 0 || e->second.runs < 0) {
        throw Error(where + "entry '" + it.key() + "' has an invalid measurement");
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
    return t;
  } catch (const Json::exception& e) {
    throw Error(where + "damaged (" + e.what() + ")");
  } catch (const Error& e) {
    const std::string m = e.what();
    if (m.rfind(where, 0) == 0) throw;
    throw Error(where + m, e.kind());
  }
}

LatencyResult LookupTableLatency::latency(const Architecture& arch) {
  LatencyResult r;
  r.median_ms = table_.predict_ms(arch);
  r.measurement.stats.median_ms = r.measurement.stats.mean_ms = r.measurement.stats.min_ms =
      r.measurement.stats.p90_ms = r.median_ms;
  r.provenance = table_.provenance();
  r.provenance.engine = "lut(" + table_.provenance().engine + ")";
  return r;
}

}  // namespace mnas
