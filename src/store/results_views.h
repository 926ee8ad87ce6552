#ifndef MNAS_STORE_RESULTS_VIEWS_H_
#define MNAS_STORE_RESULTS_VIEWS_H_

// What a search's results mean, read from its store: the Pareto front, the trials as one device
// of several saw them, the devices measured and T on each. Part of the store's library
// (mnas_store, torch-free): `mnas results`, the report, finalize, the end of a search and the
// Python module use the same views.

#include <string>
#include <vector>

#include "store/store.h"

namespace mnas {

// The non-dominated trials (no other done trial is both at least as accurate and at least as fast,
// and better in one), sorted by latency; one per architecture. Partial multi-fidelity trials
// (accuracy of a lower rung) are left out.
std::vector<StoredTrial> pareto_front(const std::vector<StoredTrial>& trials);

// The trials (or references) as seen on one device of a multi-device search: latency_ms is that
// device's latency (StoredTrial::latencies); done trials without a measurement there are left
// out. So pareto_front(on_device(trials, "b")) is device b's front.
std::vector<StoredTrial> on_device(const std::vector<StoredTrial>& trials,
                                   const std::string& device);
std::vector<StoredReference> on_device(const std::vector<StoredReference>& references,
                                       const std::string& device);

// The names of the devices the trials were measured on, in the order of the first trial that
// has them; empty when no trial carries per-device latencies (older or surrogate searches).
std::vector<std::string> measured_devices(const std::vector<StoredTrial>& trials);

// T on a device as the trials saw it: the median of their T (fixed, or the target model timed
// alongside each); 0 without measurements.
double typical_target_ms(const std::vector<StoredTrial>& trials, const std::string& device);

}  // namespace mnas

#endif  // MNAS_STORE_RESULTS_VIEWS_H_
