#ifndef MNAS_REPORT_REPORT_H_
#define MNAS_REPORT_REPORT_H_

#include <string>

#include "store/store.h"

namespace mnas {

struct ReportOptions {
  int top = 10;             // best trials listed by reward; Default: 10
  int moving_average = 10;  // window of the reward's moving average, in trials; Default: 10
  int histogram_bins = 20;  // bins of the latency histogram; Default: 20
};

// One self-contained HTML page (inline SVG and CSS, no scripts, nothing fetched) describing the
// search in `store`: its configuration; the reward of every trial over time with its moving
// average and the best so far; held-out accuracy against latency with the Pareto front, the target
// T and the zoo references; the latency histogram of the sampled models (MnasNet's Fig. 6); tables
// of the best trials, the Pareto front, the references and the failures. Works on a store of a
// search still running or with no trial yet.
std::string render_report(const Store& store, const ReportOptions& options = {});

// render_report written atomically to `path`; throws mnas::Error (kIo) naming the file.
void write_report(const Store& store, const std::string& path, const ReportOptions& options = {});

}  // namespace mnas

#endif  // MNAS_REPORT_REPORT_H_
