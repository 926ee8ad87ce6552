#ifndef MNAS_GRAPH_REFERENCE_EXECUTOR_H_
#define MNAS_GRAPH_REFERENCE_EXECUTOR_H_

#include <vector>

#include "graph/graph.h"

namespace mnas {

// Runs a Graph with plain loops (double accumulation), for checking XnnpackNetwork in tests.
// Slow; meant for small inputs. `input` holds graph.values[graph.input].elements() floats (NHWC);
// returns the output values' floats (graph_outputs, one after the other). Throws mnas::Error for an
// input of the wrong size.
std::vector<float> run_reference(const Graph& graph, const std::vector<float>& input);

}  // namespace mnas

#endif  // MNAS_GRAPH_REFERENCE_EXECUTOR_H_
