#ifndef MNAS_LATENCY_MEASURE_PRESETS_H_
#define MNAS_LATENCY_MEASURE_PRESETS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/field_table.h"
#include "latency/measurement.h"

namespace mnas {

// Every measurement protocol mnas uses, in one place. Each preset is measurement.h's defaults
// with the fields its use changes; the commands, the search, the lookup table and the device
// server start from these, and a result's JSON carries the protocol it ran.
//
//   name           warm-up           runs   min s  max s  max cv  attempts  used by
//   "latency"      1 run,  0.2 s     50     1      10     0.03    3         mnas latency
//   "search"       1 run,  0.05 s    30     0.3    3      0.05    3         a search's trials, T
//   "lut-entry"    5 runs, 0.01 s    30     0.05   2      0.05    2         lut build, per layer
//   "lut-network"  1 run,  0.05 s    50     0.3    5      0.05    3         lut calibrate, check
//   "quick"        1 run,  0 s       5      0      0.5    0.05    1         tests, smoke checks
//
// "latency" re-measures above 3% CV (one network, a few more seconds are affordable); the
// search and the table keep 5% (hundreds of tiny networks, noisier by nature: mnasnet-small at
// 28×28×1 measured 4.5–8.7% here).
MeasureOptions latency_command_protocol();
MeasureOptions search_trial_protocol();
MeasureOptions lut_entry_protocol();
MeasureOptions lut_network_protocol();
MeasureOptions quick_protocol();

// The protocol for one operator of `--profile`, derived from the whole network's: short
// measurements, one attempt (a tiny operator's CV is high by nature; re-measuring would not help).
MeasureOptions operator_profile_protocol(const MeasureOptions& whole);

// A preset by the name in the table above; throws mnas::Error naming the accepted names.
MeasureOptions measure_preset(std::string_view name);
std::vector<std::string> measure_preset_names();

// MeasureOptions as data (base/field_table.h): key, `mnas latency` flag, help, range. The presets
// above, a request's protocol JSON, validate()'s ranges and `mnas latency`'s flags come from it.
const std::vector<Field<MeasureOptions>>& measure_option_fields();

// The longest one measurement under `o` can take, in seconds, not counting the inference that
// overruns a bound: per attempt the warm-up (stops at max_seconds) and the timed runs (stop at
// max_seconds). A server uses it to refuse a protocol that would exceed its per-request limit.
double worst_case_seconds(const MeasureOptions& o);

}  // namespace mnas

#endif  // MNAS_LATENCY_MEASURE_PRESETS_H_
