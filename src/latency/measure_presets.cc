#include "latency/measure_presets.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "base/error.h"

namespace mnas {

namespace {

using F = Field<MeasureOptions>;

std::vector<F> make_measure_option_fields() {
  std::vector<F> t;
  t.push_back(F("warmup_runs", FieldKind::kInteger, MNAS_FIELD(MeasureOptions, warmup_runs))
                  .flag("--warmup", "Warm-up runs; the warm-up also lasts 0.2 s at least")
                  .range(0, 1e6));
  t.push_back(F("warmup_seconds", FieldKind::kReal, MNAS_FIELD(MeasureOptions, warmup_seconds))
                  .range(0, 86400));  // a day at most: more is a mistake or an attack
  t.push_back(F("min_runs", FieldKind::kInteger, MNAS_FIELD(MeasureOptions, min_runs))
                  .flag("--runs", "Minimum timed runs per attempt")
                  .range(1, 1e7));
  t.push_back(F("min_seconds", FieldKind::kReal, MNAS_FIELD(MeasureOptions, min_seconds))
                  .flag("--min-secs", "Minimum seconds of timed runs per attempt")
                  .range(0, 86400));
  t.push_back(F("max_seconds", FieldKind::kReal, MNAS_FIELD(MeasureOptions, max_seconds))
                  .flag("--max-secs", "Maximum seconds of timed runs per attempt")
                  .range(0, 86400, true));
  t.push_back(F("max_cv", FieldKind::kReal, MNAS_FIELD(MeasureOptions, max_cv))
                  .flag("--max-cv", "Re-measure when the coefficient of variation is above this")
                  .range(0, std::numeric_limits<double>::infinity(), true));
  t.push_back(F("max_attempts", FieldKind::kInteger, MNAS_FIELD(MeasureOptions, max_attempts))
                  .flag("--attempts", "Attempts at most")
                  .range(1, 100));
  t.push_back(F("cpu", FieldKind::kInteger, MNAS_FIELD(MeasureOptions, cpu))
                  .flag("--cpu", "Pin the measurement to this logical CPU", "no pinning, -1")
                  .range(-1, 1 << 20));
  return t;
}

// Each preset: measurement.h's defaults with the fields its use changes (the table in the header).
constexpr std::pair<const char*, const char*> kPresets[] = {
    {"latency", R"({"max_cv": 0.03})"},
    {"search", R"({"warmup_seconds": 0.05, "min_runs": 30, "min_seconds": 0.3, "max_seconds": 3})"},
    // Layers at the search's input take microseconds: fewer seconds per entry than a whole
    // network; the count bound keeps the median stable.
    {"lut-entry", R"({"warmup_runs": 5, "warmup_seconds": 0.01, "min_runs": 30,
                      "min_seconds": 0.05, "max_seconds": 2, "max_attempts": 2})"},
    {"lut-network", R"({"warmup_seconds": 0.05, "min_runs": 50, "min_seconds": 0.3,
                        "max_seconds": 5})"},
    {"quick", R"({"warmup_runs": 1, "warmup_seconds": 0, "min_runs": 5, "min_seconds": 0,
                  "max_seconds": 0.5, "max_attempts": 1})"},
};

}  // namespace

const std::vector<Field<MeasureOptions>>& measure_option_fields() {
  static const std::vector<F> table = make_measure_option_fields();
  return table;
}

MeasureOptions latency_command_protocol() { return measure_preset("latency"); }
MeasureOptions search_trial_protocol() { return measure_preset("search"); }
MeasureOptions lut_entry_protocol() { return measure_preset("lut-entry"); }
MeasureOptions lut_network_protocol() { return measure_preset("lut-network"); }
MeasureOptions quick_protocol() { return measure_preset("quick"); }

MeasureOptions operator_profile_protocol(const MeasureOptions& whole) {
  MeasureOptions each = whole;
  each.min_runs = std::min(whole.min_runs, 20);
  each.min_seconds = std::min(whole.min_seconds, 0.05);
  each.max_seconds = std::max(each.min_seconds, std::min(whole.max_seconds, 1.0));
  each.warmup_seconds = std::min(whole.warmup_seconds, 0.02);
  each.max_attempts = 1;
  return each;
}

std::vector<std::string> measure_preset_names() {
  std::vector<std::string> names;
  for (const auto& [name, fields] : kPresets) names.push_back(name);
  return names;
}

MeasureOptions measure_preset(std::string_view name) {
  for (const auto& [preset, fields] : kPresets) {
    if (name != preset) continue;
    MeasureOptions m;
    field_table::read(measure_option_fields(), nlohmann::json::parse(fields), m,
                      std::string("preset ") + preset, /*partial=*/true);
    return m;
  }
  std::string known;
  for (const std::string& n : measure_preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("protocol: unknown preset '" + std::string(name) + "'; use one of " + known);
}

double worst_case_seconds(const MeasureOptions& o) {
  // The warm-up stops once it passed max_seconds; so do the timed runs.
  return o.max_attempts * 2 * o.max_seconds;
}

}  // namespace mnas
