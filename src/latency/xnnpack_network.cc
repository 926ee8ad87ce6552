#include "latency/xnnpack_network.h"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cmath>
#include <cstdint>

#include "base/error.h"
#include "latency/xnnpack_subgraph.h"

#ifndef MNAS_XNNPACK_VERSION
#define MNAS_XNNPACK_VERSION "unknown"
#endif

namespace mnas {

struct XnnpackNetwork::Handles {
  XnnSubgraph subgraph;
  PoolHandle pool;
  XnnRuntime runtime;
  std::unique_ptr<Int8Weights> int8;  // what an int8 runtime points to
};

std::string xnnpack_version() { return MNAS_XNNPACK_VERSION; }

XnnpackNetwork::XnnpackNetwork(Graph graph, int threads, Precision precision, bool int8_io)
    : graph_(std::move(graph)),
      threads_(threads),
      precision_(precision),
      handles_(std::make_unique<Handles>()) {
  build(nullptr, int8_io);
}

XnnpackNetwork::XnnpackNetwork(Graph graph, const Int8Calibration& calibration, int threads)
    : graph_(std::move(graph)),
      threads_(threads),
      precision_(Precision::kInt8),
      handles_(std::make_unique<Handles>()) {
  if (calibration.values.size() != graph_.values.size()) {
    throw Error("int8 network: the calibration has " + std::to_string(calibration.values.size()) +
                " values, the graph " + std::to_string(graph_.values.size()));
  }
  build(&calibration, false);
}

void XnnpackNetwork::build(const Int8Calibration* calibration, bool int8_io) {
  if (threads_ < 1 || threads_ > 256) {
    throw Error("threads: " + std::to_string(threads_) + " is out of range; must be in [1, 256]");
  }
  xnnpack_initialize();
  input_elements_ = static_cast<size_t>(graph_.values[graph_.input].elements());
  const std::vector<int> outputs = graph_outputs(graph_);
  output_elements_ = 0;
  for (int v : outputs) output_elements_ += static_cast<size_t>(graph_.values[v].elements());
  const size_t slack = XNN_EXTRA_BYTES / sizeof(float) + 1;
  input_.assign(input_elements_ + slack, 0.0f);
  output_.assign(output_elements_ + slack, 0.0f);
  for (size_t i = 0; i < input_elements_; ++i)
    input_[i] = static_cast<float>(std::sin(0.1 * double(i)));

  xnn_subgraph_t raw = nullptr;
  xnn_check(xnn_create_subgraph(static_cast<uint32_t>(1 + outputs.size()), 0, &raw),
            "xnn_create_subgraph");
  handles_->subgraph.reset(raw);
  if (precision_ == Precision::kInt8) {
    handles_->int8 = define_int8_subgraph(raw, graph_, calibration, int8_io);
  } else {
    define_fp32_subgraph(raw, graph_);
  }

  if (threads_ > 1) {
    handles_->pool.reset(pthreadpool_create(static_cast<size_t>(threads_)));
    if (!handles_->pool) throw Error("pthreadpool_create(" + std::to_string(threads_) + ") failed");
  }
  xnn_runtime_t runtime = nullptr;
  xnn_check(xnn_create_runtime_v2(raw, handles_->pool.get(), 0, &runtime), "xnn_create_runtime_v2");
  handles_->runtime.reset(runtime);
  // The outputs side by side in output_, in graph_outputs order.
  std::vector<xnn_external_value> externals{{0, input_.data()}};
  size_t offset = 0;
  for (size_t k = 0; k < outputs.size(); ++k) {
    externals.push_back({static_cast<uint32_t>(1 + k), output_.data() + offset});
    offset += static_cast<size_t>(graph_.values[outputs[k]].elements());
  }
  xnn_check(xnn_setup_runtime(runtime, externals.size(), externals.data()), "xnn_setup_runtime");
}

XnnpackNetwork::~XnnpackNetwork() = default;

void XnnpackNetwork::run() {
  xnn_check(xnn_invoke_runtime(handles_->runtime.get()), "xnn_invoke_runtime");
}

}  // namespace mnas
