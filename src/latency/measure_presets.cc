#include "latency/measure_presets.h"

#include <algorithm>

#include "base/error.h"

namespace mnas {

MeasureOptions latency_command_protocol() {
  MeasureOptions m;
  m.max_cv = 0.03;
  return m;
}

MeasureOptions search_trial_protocol() {
  MeasureOptions m;
  m.warmup_seconds = 0.05;
  m.min_runs = 30;
  m.min_seconds = 0.3;
  m.max_seconds = 3;
  return m;
}

// Layers at the search's input take microseconds: fewer seconds per entry than a whole network;
// the count bound keeps the median stable.
MeasureOptions lut_entry_protocol() {
  MeasureOptions m;
  m.warmup_runs = 5;
  m.warmup_seconds = 0.01;
  m.min_runs = 30;
  m.min_seconds = 0.05;
  m.max_seconds = 2;
  m.max_attempts = 2;
  return m;
}

MeasureOptions lut_network_protocol() {
  MeasureOptions m;
  m.warmup_seconds = 0.05;
  m.min_runs = 50;
  m.min_seconds = 0.3;
  m.max_seconds = 5;
  return m;
}

MeasureOptions quick_protocol() {
  MeasureOptions m;
  m.warmup_runs = 1;
  m.warmup_seconds = 0;
  m.min_runs = 5;
  m.min_seconds = 0;
  m.max_seconds = 0.5;
  m.max_attempts = 1;
  return m;
}

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
  return {"latency", "search", "lut-entry", "lut-network", "quick"};
}

MeasureOptions measure_preset(std::string_view name) {
  if (name == "latency") return latency_command_protocol();
  if (name == "search") return search_trial_protocol();
  if (name == "lut-entry") return lut_entry_protocol();
  if (name == "lut-network") return lut_network_protocol();
  if (name == "quick") return quick_protocol();
  std::string known;
  for (const std::string& n : measure_preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("protocol: unknown preset '" + std::string(name) + "'; use one of " + known);
}

double worst_case_seconds(const MeasureOptions& o) {
  // The warm-up stops once it passed max_seconds; so do the timed runs.
  return o.max_attempts * 2 * o.max_seconds;
}

}  // namespace mnas
