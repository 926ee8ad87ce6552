#include "latency/latency_json.h"

#include <cstdint>
#include <cstdio>
#include <limits>

#include "base/error.h"
#include "base/field_table.h"
#include "base/json_fields.h"
#include "latency/measure_presets.h"
#include "latency/measurement.h"

namespace mnas {
namespace {

using Json = nlohmann::json;
namespace jf = json_fields;

double non_negative(const Json& object, const char* key, const std::string& path) {
  const std::string field = jf::child(path, key);
  const double v = jf::as_double(jf::required(object, key, path), field);
  if (v < 0) throw Error(field + ": must be ≥ 0");
  return v;
}

int count(const Json& object, const char* key, const std::string& path) {
  return jf::as_int(jf::required(object, key, path), jf::child(path, key), 0,
                    std::numeric_limits<int>::max());
}

const std::string& text(const Json& object, const char* key, const std::string& path) {
  return jf::as_string(jf::required(object, key, path), jf::child(path, key));
}

// A device's words about itself (names, versions): printed and stored, so short.
const std::string& short_text(const Json& object, const char* key, const std::string& path) {
  const std::string& v = text(object, key, path);
  if (v.size() > 256) {
    throw Error(jf::child(path, key) + ": " + std::to_string(v.size()) +
                " characters; at most 256");
  }
  return v;
}

LatencyStats stats_from_json(const Json& j, const std::string& path, bool full) {
  jf::require_object(j, path);
  LatencyStats s;
  s.median_ms = non_negative(j, "median_ms", path);
  s.cv = non_negative(j, "cv", path);
  s.runs = count(j, "runs", path);
  if (full) {
    s.min_ms = non_negative(j, "min_ms", path);
    s.mean_ms = non_negative(j, "mean_ms", path);
    s.std_ms = non_negative(j, "std_ms", path);
    s.p90_ms = non_negative(j, "p90_ms", path);
  } else {
    s.min_ms = s.mean_ms = s.p90_ms = s.median_ms;
  }
  if (const std::string why = implausible(s, !full); !why.empty()) {
    throw Error(path + ": " + why);
  }
  return s;
}

}  // namespace

Json provenance_json(const Provenance& p) {
  Json j = {{"device", p.device},           {"device_id", p.device_id},
            {"engine", p.engine},           {"engine_version", p.engine_version},
            {"cpu_model", p.cpu_model},     {"logical_cpus", p.logical_cpus},
            {"pinned_cpu", p.pinned_cpu},   {"threads", p.threads},
            {"input_shape", p.input_shape}, {"timestamp", p.timestamp},
            {"precision", to_string(p.precision)}};
  if (p.detector_categories > 0) j["detector_categories"] = p.detector_categories;
  return j;
}

Provenance provenance_from_json(const Json& j, const std::string& path) {
  jf::require_object(j, path);
  Provenance p;
  if (j.contains("device")) p.device = text(j, "device", path);
  if (j.contains("device_id")) p.device_id = text(j, "device_id", path);
  p.engine = text(j, "engine", path);
  p.engine_version = text(j, "engine_version", path);
  p.cpu_model = text(j, "cpu_model", path);
  p.logical_cpus = count(j, "logical_cpus", path);
  p.pinned_cpu =
      jf::as_int(jf::required(j, "pinned_cpu", path), jf::child(path, "pinned_cpu"), -1, 1 << 20);
  p.threads = jf::as_int(jf::required(j, "threads", path), jf::child(path, "threads"), 1, 256);
  p.input_shape = text(j, "input_shape", path);
  p.timestamp = text(j, "timestamp", path);
  if (j.contains("precision")) {  // absent before int8: fp32
    p.precision = parse_precision(text(j, "precision", path), jf::child(path, "precision"));
  }
  if (j.contains("detector_categories")) {  // absent for a classifier
    p.detector_categories = jf::as_int(j["detector_categories"],
                                       jf::child(path, "detector_categories"), 1,
                                       kMaxDetectorCategories);
  }
  return p;
}

Json protocol_json(const MeasureOptions& o) {
  Json j = Json::object();
  field_table::write(measure_option_fields(), o, j);
  return j;
}

// A preset's name, or {"preset": NAME, FIELD: VALUE, ...}: the preset ("latency" unless named)
// with the fields given on top.
MeasureOptions protocol_from_json(const Json& j, const std::string& path) {
  if (j.is_string()) {
    try {
      return measure_preset(j.get<std::string>());
    } catch (const Error& e) {
      throw Error(path + ": " + e.what());
    }
  }
  jf::require_object(j, path);
  MeasureOptions o;
  try {
    o = measure_preset(j.contains("preset") ? text(j, "preset", path) : "latency");
  } catch (const Error& e) {
    throw Error(jf::child(path, "preset") + ": " + e.what());
  }
  field_table::read(measure_option_fields(), j, o, path, /*partial=*/true, {"preset"});
  try {
    validate(o);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return o;
}

Json latency_json(const LatencyResult& r) {
  const LatencyStats& s = r.measurement.stats;
  Json attempts = Json::array();
  for (const LatencyStats& a : r.measurement.attempts) {
    attempts.push_back({{"median_ms", a.median_ms}, {"cv", a.cv}, {"runs", a.runs}});
  }
  return {{"median_ms", r.median_ms},
          {"min_ms", s.min_ms},
          {"mean_ms", s.mean_ms},
          {"std_ms", s.std_ms},
          {"p90_ms", s.p90_ms},
          {"cv", s.cv},
          {"runs", s.runs},
          {"engine", r.provenance.engine},
          {"provenance", provenance_json(r.provenance)},
          {"attempts", attempts}};
}

LatencyResult latency_result_from_json(const Json& j, const std::string& path) {
  jf::require_object(j, path);
  LatencyResult r;
  r.measurement.stats = stats_from_json(j, path, true);
  r.median_ms = r.measurement.stats.median_ms;
  r.provenance =
      provenance_from_json(jf::required(j, "provenance", path), jf::child(path, "provenance"));
  const Json& attempts = jf::required(j, "attempts", path);
  const std::string apath = jf::child(path, "attempts");
  jf::require_array(attempts, apath);
  if (attempts.size() > 100) throw Error(apath + ": more than 100 attempts");
  for (size_t i = 0; i < attempts.size(); ++i) {
    r.measurement.attempts.push_back(stats_from_json(attempts[i], jf::element(apath, i), false));
  }
  return r;
}

ValueShape value_shape_from_string(const std::string& text, const std::string& path) {
  ValueShape s;
  char rest = 0;
  if (text.size() > 32 ||
      std::sscanf(text.c_str(), "%dx%dx%d%c", &s.height, &s.width, &s.channels, &rest) != 3 ||
      s.height < 1 || s.width < 1 || s.channels < 1) {
    throw Error(path + ": '" + text + "' is not a shape HxWxC");
  }
  if (static_cast<int64_t>(s.height) * s.width * s.channels > (int64_t{1} << 31)) {
    throw Error(path + ": '" + text + "' holds more than 2^31 values");
  }
  return s;
}

Json operators_json(const std::vector<OperatorTiming>& ops) {
  Json list = Json::array();
  for (const OperatorTiming& t : ops) {
    list.push_back({{"op", t.op},
                    {"kind", t.kind},
                    {"name", t.name},
                    {"input", to_string(t.in)},
                    {"output", to_string(t.out)},
                    {"kernel", t.kernel},
                    {"stride", t.stride},
                    {"macs", t.macs},
                    {"median_ms", t.median_ms}});
  }
  return list;
}

std::vector<OperatorTiming> operators_from_json(const Json& j, const std::string& path) {
  jf::require_array(j, path);
  // A network of the space lowers to some hundreds of operators at most.
  if (j.empty() || j.size() > 10000) {
    throw Error(path + ": " + std::to_string(j.size()) + " operators; a profile has 1 to 10,000");
  }
  std::vector<OperatorTiming> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string p = jf::element(path, i);
    const Json& o = j[i];
    jf::require_object(o, p);
    OperatorTiming t;
    t.op = count(o, "op", p);
    t.kind = short_text(o, "kind", p);
    t.name = short_text(o, "name", p);
    t.in = value_shape_from_string(text(o, "input", p), jf::child(p, "input"));
    t.out = value_shape_from_string(text(o, "output", p), jf::child(p, "output"));
    t.kernel = count(o, "kernel", p);
    t.stride = count(o, "stride", p);
    const Json& macs = jf::required(o, "macs", p);
    if (!macs.is_number_integer() || macs.get<int64_t>() < 0) {
      throw Error(jf::child(p, "macs") + ": expected an integer ≥ 0");
    }
    t.macs = macs.get<int64_t>();
    t.median_ms = non_negative(o, "median_ms", p);
    if (t.median_ms > kMaxPlausibleMs) {
      throw Error(jf::child(p, "median_ms") + ": not a plausible latency");
    }
    out.push_back(t);
  }
  return out;
}

Json device_info_json(const DeviceInfo& d) {
  return {{"id", d.id},
          {"cpu_model", d.cpu_model},
          {"machine", d.machine},
          {"logical_cpus", d.logical_cpus},
          {"engine", d.engine},
          {"engine_version", d.engine_version},
          {"mnas_version", d.mnas_version}};
}

DeviceInfo device_info_from_json(const Json& j, const std::string& path) {
  jf::require_object(j, path);
  DeviceInfo d;
  d.id = short_text(j, "id", path);
  d.cpu_model = short_text(j, "cpu_model", path);
  d.machine = short_text(j, "machine", path);
  d.logical_cpus = count(j, "logical_cpus", path);
  if (d.logical_cpus < 1 || d.logical_cpus > 65536) {
    throw Error(jf::child(path, "logical_cpus") + ": must be in [1, 65536]");
  }
  d.engine = short_text(j, "engine", path);
  d.engine_version = short_text(j, "engine_version", path);
  d.mnas_version = short_text(j, "mnas_version", path);
  return d;
}

Json paired_latency_json(const PairedLatency& p) {
  return {{"candidate", latency_json(p.candidate)}, {"reference", latency_json(p.reference)}};
}

PairedLatency paired_latency_from_json(const Json& j, const std::string& path) {
  jf::require_object(j, path);
  return {
      latency_result_from_json(jf::required(j, "candidate", path), jf::child(path, "candidate")),
      latency_result_from_json(jf::required(j, "reference", path), jf::child(path, "reference"))};
}

Json lut_entries_json(const std::vector<LutEntryTiming>& entries) {
  Json list = Json::array();
  for (const LutEntryTiming& e : entries) {
    list.push_back(
        {{"key", e.key}, {"median_ms", e.median_ms}, {"std_ms", e.std_ms}, {"runs", e.runs}});
  }
  return list;
}

std::vector<LutEntryTiming> lut_entries_from_json(const Json& j, const std::string& path) {
  jf::require_array(j, path);
  std::vector<LutEntryTiming> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string p = jf::element(path, i);
    jf::require_object(j[i], p);
    out.push_back({text(j[i], "key", p), non_negative(j[i], "median_ms", p),
                   non_negative(j[i], "std_ms", p), count(j[i], "runs", p)});
    LatencyStats stats;
    stats.median_ms = out.back().median_ms;
    stats.runs = out.back().runs;
    if (const std::string why = implausible(stats, true); !why.empty()) {
      throw Error(p + ": " + why);
    }
    if (!(out.back().std_ms <= kMaxPlausibleMs)) throw Error(p + ".std_ms: out of range");
  }
  return out;
}

}  // namespace mnas
