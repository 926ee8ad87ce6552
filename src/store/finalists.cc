#include "store/finalists.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/json_fields.h"
#include "space/architecture_codec.h"
#include "store/trial_latencies.h"

namespace mnas {

namespace jf = json_fields;

std::string finalists_json(const std::vector<FinalVariant>& variants) {
  nlohmann::json list = nlohmann::json::array();
  for (const FinalVariant& v : variants) {
    nlohmann::json& e = list.emplace_back(nlohmann::json{{"model", v.model},
                    {"trial", v.trial},
                    {"multiplier", v.multiplier},
                    {"input", v.input},
                    {"canonical", v.canonical},
                    {"recipe", v.recipe},
                    {"checkpoint", v.checkpoint},
                    {"status", v.status},
                    {"failure", v.failure},
                    {"test_top1", v.test_top1},
                    {"test_top5", v.test_top5},
                    {"params", v.params},
                    {"macs", v.macs},
                    {"train_seconds", v.train_seconds},
                    {"latency_ms", v.latency_ms},
                    {"latencies", nlohmann::json::parse(encode_latencies(v.latencies))}});
    // Only at int8: an fp32 list stays readable by an mnas from before int8.
    if (v.precision != "fp32") {
      e["precision"] = v.precision;
      e["fp32_top1"] = v.fp32_top1;
    }
  }
  return nlohmann::json{{"format", "mnas-finalists/1"}, {"variants", list}}.dump();
}

namespace {

double fraction(const nlohmann::json& j, const char* key, const std::string& path) {
  const double v = jf::as_double(jf::required(j, key, path), jf::child(path, key));
  if (!(v >= 0 && v <= 1)) throw Error(jf::child(path, key) + ": must be in [0, 1]");
  return v;
}

double non_negative(const nlohmann::json& j, const char* key, const std::string& path) {
  const double v = jf::as_double(jf::required(j, key, path), jf::child(path, key));
  if (!(v >= 0) || v > 1e15) throw Error(jf::child(path, key) + ": must be a number ≥ 0");
  return v;
}

std::string bounded_text(const nlohmann::json& j, const char* key, const std::string& path,
                         size_t max) {
  const std::string& s = jf::as_string(jf::required(j, key, path), jf::child(path, key));
  if (s.size() > max) throw Error(jf::child(path, key) + ": longer than " + std::to_string(max));
  return s;
}

}  // namespace

std::vector<FinalVariant> parse_finalists(const std::string& text, const std::string& where) {
  if (text.empty()) return {};
  const nlohmann::json j = jf::parse(text, where);
  jf::require_object(j, where);
  jf::reject_unknown_keys(j, {"format", "variants"}, where);
  if (jf::as_string(jf::required(j, "format", where), where + ".format") != "mnas-finalists/1") {
    throw Error(where + ".format: not mnas-finalists/1 (written by a newer mnas?)");
  }
  const nlohmann::json& list = jf::required(j, "variants", where);
  const std::string list_path = where + ".variants";
  jf::require_array(list, list_path);
  if (list.size() > 100000) throw Error(list_path + ": more than 100000 entries");
  std::vector<FinalVariant> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& e = list[i];
    const std::string p = jf::element(list_path, i);
    jf::require_object(e, p);
    jf::reject_unknown_keys(
        e,
        {"model", "trial", "multiplier", "input", "canonical", "recipe", "checkpoint", "status",
         "failure", "test_top1", "test_top5", "params", "macs", "train_seconds", "latency_ms",
         "latencies", "precision", "fp32_top1"},
        p);
    FinalVariant v;
    v.model = bounded_text(e, "model", p, 64);
    if (v.model.empty()) throw Error(p + ".model: empty");
    v.trial = static_cast<int64_t>(non_negative(e, "trial", p));
    v.multiplier = jf::as_double(jf::required(e, "multiplier", p), p + ".multiplier");
    if (!(v.multiplier >= 0.1 && v.multiplier <= 4)) throw Error(p + ".multiplier: out of range");
    v.input = jf::as_int(jf::required(e, "input", p), p + ".input", 1, 2048);
    v.canonical = bounded_text(e, "canonical", p, 16384);
    try {
      parse_architecture_string(v.canonical);
    } catch (const Error& err) {
      throw Error(p + ".canonical: " + err.what());
    }
    v.recipe = bounded_text(e, "recipe", p, 256);
    v.checkpoint = bounded_text(e, "checkpoint", p, 4096);
    v.status = bounded_text(e, "status", p, 16);
    if (v.status != "pending" && v.status != "done" && v.status != "failed") {
      throw Error(p + ".status: '" + v.status + "'; expected pending, done or failed");
    }
    v.failure = bounded_text(e, "failure", p, 4096);
    v.test_top1 = fraction(e, "test_top1", p);
    v.test_top5 = fraction(e, "test_top5", p);
    v.params = static_cast<int64_t>(non_negative(e, "params", p));
    v.macs = static_cast<int64_t>(non_negative(e, "macs", p));
    v.train_seconds = non_negative(e, "train_seconds", p);
    v.latency_ms = non_negative(e, "latency_ms", p);
    v.latencies = decode_latencies(jf::required(e, "latencies", p).dump(), p + ".latencies");
    if (e.contains("precision")) {
      v.precision = bounded_text(e, "precision", p, 8);
      if (v.precision != "fp32" && v.precision != "int8") {
        throw Error(p + ".precision: '" + v.precision + "'; expected fp32 or int8");
      }
      v.fp32_top1 = fraction(e, "fp32_top1", p);
    }
    out.push_back(std::move(v));
  }
  return out;
}

double accuracy_at_latency(const std::vector<FinalVariant>& variants, const std::string& model,
                           double latency_ms) {
  std::vector<std::pair<double, double>> curve;
  for (const FinalVariant& v : variants) {
    if (v.model == model && v.status == "done" && v.latency_ms > 0)
      curve.emplace_back(v.latency_ms, v.test_top1);
  }
  std::sort(curve.begin(), curve.end());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (curve.size() < 2 || latency_ms < curve.front().first || latency_ms > curve.back().first)
    return nan;
  for (size_t i = 1; i < curve.size(); ++i) {
    const auto& [x0, y0] = curve[i - 1];
    const auto& [x1, y1] = curve[i];
    if (latency_ms <= x1)
      return x1 == x0 ? std::max(y0, y1) : y0 + (y1 - y0) * (latency_ms - x0) / (x1 - x0);
  }
  return curve.back().second;
}

}  // namespace mnas
