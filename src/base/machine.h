#ifndef MNAS_BASE_MACHINE_H_
#define MNAS_BASE_MACHINE_H_

#include <string>

namespace mnas {

// The CPUs this process may run on (its affinity mask); at least 1.
int usable_cpus();

// The current time, UTC, ISO 8601 ("2026-11-26T11:06:04Z").
std::string utc_timestamp();

}  // namespace mnas

#endif  // MNAS_BASE_MACHINE_H_
