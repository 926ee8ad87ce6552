#ifndef MNAS_LATENCY_OPERATOR_PROFILE_H_
#define MNAS_LATENCY_OPERATOR_PROFILE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "latency/measurement.h"
#include "latency/precision.h"

namespace mnas {

// Where a network's time goes. This XNNPACK snapshot has no per-operator profiling, so each
// operator of the graph runs as a graph of its own (same shapes, same weights) and is measured
// alone. Alone, its weights and input stay in cache: the sum comes out below the whole
// network's latency (MnasNet-A1 at 224×224×3 here: 4.0 ms against 4.5 ms), but the shares and the
// rates (MAC/s) show which operators are far from the machine's peak.
struct OperatorTiming {
  int op = 0;        // index into Graph::ops
  std::string kind;  // "conv", "depthwise", "avg_pool", "global_pool", "fully_connected", ...
  std::string name;  // the parameter's name ("b2.l1.expand") or, without one, the kind
  ValueShape in, out;
  int kernel = 1, stride = 1;
  int64_t macs = 0;  // multiply-adds (convolutions and fully connected; 0 for the others)
  double median_ms = 0;
};

std::string to_string(GraphOpKind kind);

// Multiply-adds of one operator of `graph`.
int64_t operator_macs(const Graph& graph, const GraphOp& op);

// Everything of OperatorTiming but the time, for `graph.ops[index]`.
OperatorTiming describe_operator(const Graph& graph, int index);

// The graph of `graph.ops[index]` alone: its input(s) and output as the graph's values.
Graph single_operator_graph(const Graph& graph, int index);

// Measures every operator alone with `options` on `threads` threads, at `precision` (in int8 with
// its input and output in int8: no conversions, as inside an int8 network; an fp32 average pooling
// keeps the two conversions around it, its int8 cost); calls `progress(done, total)` after each.
// Throws mnas::Error as XnnpackNetwork does.
std::vector<OperatorTiming> profile_operators(const Graph& graph, int threads,
                                              const MeasureOptions& options,
                                              const std::function<void(int, int)>& progress = {},
                                              Precision precision = Precision::kFp32);

}  // namespace mnas

#endif  // MNAS_LATENCY_OPERATOR_PROFILE_H_
