#ifndef MNAS_CLI_RESULTS_PRINT_H_
#define MNAS_CLI_RESULTS_PRINT_H_

#include "store/store.h"

namespace mnas::cli {

// What `mnas results` prints (and `mnas search` at its end): the best `top` trials by reward, the
// Pareto front (one per device in a multi-device search), the zoo references; as a table, or as
// JSON for machines.
void print_results(const Store& store, bool json, int top);

}  // namespace mnas::cli

#endif  // MNAS_CLI_RESULTS_PRINT_H_
