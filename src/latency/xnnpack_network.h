#ifndef MNAS_LATENCY_XNNPACK_NETWORK_H_
#define MNAS_LATENCY_XNNPACK_NETWORK_H_

#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/quantization.h"
#include "latency/precision.h"

struct xnn_subgraph;

namespace mnas {

// A Graph compiled into an XNNPACK runtime (NHWC, batch 1), ready to run repeatedly; in fp32 or
// in int8 (with an fp32 input and output, converted inside).
//
// Owns the subgraph-independent runtime, the thread pool and the weights it points to (XNNPACK
// keeps pointers to static weights: they live as long as this object). Not copyable; not
// thread-safe (one run at a time).
class XnnpackNetwork {
 public:
  // `threads` ≥ 1; 1 runs on the caller's thread (no pool). Throws mnas::Error for bad arguments
  // or when XNNPACK refuses the graph (the message names the node).
  // In int8 the input and output stay fp32 (converted inside), unless `int8_io`: then they are
  // the int8 values themselves (input() and output() hold raw int8 bytes) — an operator's cost
  // without the conversions, for profiles.
  XnnpackNetwork(Graph graph, int threads = 1, Precision precision = Precision::kFp32,
                 bool int8_io = false);
  // The int8 network of a trained graph, its activations quantized as `calibration` says
  // (latency/int8_calibration.h makes one); fp32 input and output. Throws mnas::Error when the
  // calibration is not of this graph.
  XnnpackNetwork(Graph graph, const Int8Calibration& calibration, int threads = 1);
  ~XnnpackNetwork();
  XnnpackNetwork(const XnnpackNetwork&) = delete;
  XnnpackNetwork& operator=(const XnnpackNetwork&) = delete;

  // The input buffer, graph.values[graph.input].elements() floats, NHWC. Filled with a fixed
  // pattern at construction; write into it before run() to change the input.
  float* input() { return input_.data(); }
  size_t input_size() const { return input_elements_; }
  // Runs one inference; throws mnas::Error if XNNPACK reports a failure.
  void run();
  // The output after run(): output_size() floats — every output of the graph (graph_outputs),
  // one after the other (a detector's: scores, then box offsets; graph/detector_graph.h).
  const float* output() const { return output_.data(); }
  size_t output_size() const { return output_elements_; }

  int threads() const { return threads_; }
  Precision precision() const { return precision_; }
  const Graph& graph() const { return graph_; }

 private:
  struct Handles;  // XNNPACK and pthreadpool handles, each with its RAII deleter
  void build(const Int8Calibration* calibration, bool int8_io);
  Graph graph_;
  int threads_;
  Precision precision_;
  size_t input_elements_ = 0, output_elements_ = 0;
  std::vector<float> input_, output_;  // with XNN_EXTRA_BYTES of slack
  std::unique_ptr<Handles> handles_;
};

// The XNNPACK version this binary was built against (the Debian package version).
std::string xnnpack_version();

}  // namespace mnas

#endif  // MNAS_LATENCY_XNNPACK_NETWORK_H_
