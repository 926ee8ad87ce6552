#include "latency/xnnpack_network.h"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>

#include "base/error.h"
#include "latency/xnnpack_int8.h"

#ifndef MNAS_XNNPACK_VERSION
#define MNAS_XNNPACK_VERSION "unknown"
#endif

namespace mnas {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

void initialize_once() {
  static std::once_flag once;
  static xnn_status status = xnn_status_success;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  xnn_check(status, "xnn_initialize (this CPU may lack the instructions XNNPACK needs)");
}

struct SubgraphDeleter {
  void operator()(xnn_subgraph_t s) const { xnn_delete_subgraph(s); }
};
struct RuntimeDeleter {
  void operator()(xnn_runtime_t r) const { xnn_delete_runtime(r); }
};
struct PoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};

}  // namespace

struct XnnpackNetwork::Handles {
  std::unique_ptr<xnn_subgraph, SubgraphDeleter> subgraph;
  std::unique_ptr<pthreadpool, PoolDeleter> pool;
  std::unique_ptr<xnn_runtime, RuntimeDeleter> runtime;
  std::unique_ptr<Int8Weights> int8;  // what an int8 runtime points to
};

std::string xnnpack_version() { return MNAS_XNNPACK_VERSION; }

XnnpackNetwork::XnnpackNetwork(Graph graph, int threads, Precision precision, bool int8_io)
    : graph_(std::move(graph)),
      threads_(threads),
      precision_(precision),
      handles_(std::make_unique<Handles>()) {
  if (threads < 1 || threads > 256) {
    throw Error("threads: " + std::to_string(threads) + " is out of range; must be in [1, 256]");
  }
  initialize_once();
  input_elements_ = static_cast<size_t>(graph_.values[graph_.input].elements());
  output_elements_ = static_cast<size_t>(graph_.values[graph_.output].elements());
  const size_t slack = XNN_EXTRA_BYTES / sizeof(float) + 1;
  input_.assign(input_elements_ + slack, 0.0f);
  output_.assign(output_elements_ + slack, 0.0f);
  for (size_t i = 0; i < input_elements_; ++i)
    input_[i] = static_cast<float>(std::sin(0.1 * double(i)));

  xnn_subgraph_t raw = nullptr;
  xnn_check(xnn_create_subgraph(/*external_value_ids=*/2, 0, &raw), "xnn_create_subgraph");
  handles_->subgraph.reset(raw);
  if (precision_ == Precision::kInt8) {
    handles_->int8 = define_int8_subgraph(raw, graph_, int8_io);
  } else {
    define_fp32(raw);
  }

  if (threads_ > 1) {
    handles_->pool.reset(pthreadpool_create(static_cast<size_t>(threads_)));
    if (!handles_->pool) throw Error("pthreadpool_create(" + std::to_string(threads_) + ") failed");
  }
  xnn_runtime_t runtime = nullptr;
  xnn_check(xnn_create_runtime_v2(raw, handles_->pool.get(), 0, &runtime), "xnn_create_runtime_v2");
  handles_->runtime.reset(runtime);
  const xnn_external_value externals[2] = {{0, input_.data()}, {1, output_.data()}};
  xnn_check(xnn_setup_runtime(runtime, 2, externals), "xnn_setup_runtime");
}

void XnnpackNetwork::define_fp32(xnn_subgraph_t sg) {
  // Value ids: graph value v → XNNPACK id. External ids 0 (input) and 1 (output).
  std::vector<uint32_t> ids(graph_.values.size(), XNN_INVALID_VALUE_ID);
  for (size_t v = 0; v < graph_.values.size(); ++v) {
    const ValueShape& s = graph_.values[v];
    const size_t dims[4] = {1, size_t(s.height), size_t(s.width), size_t(s.channels)};
    uint32_t external = XNN_INVALID_VALUE_ID, flags = 0;
    if (static_cast<int>(v) == graph_.input) {
      external = 0;
      flags = XNN_VALUE_FLAG_EXTERNAL_INPUT;
    } else if (static_cast<int>(v) == graph_.output) {
      external = 1;
      flags = XNN_VALUE_FLAG_EXTERNAL_OUTPUT;
    }
    xnn_check(
        xnn_define_tensor_value(sg, xnn_datatype_fp32, 4, dims, nullptr, external, flags, &ids[v]),
        "define value " + std::to_string(v));
  }
  // Static weights: XNNPACK keeps the pointers, graph_ owns the data for our lifetime.
  std::vector<uint32_t> weight_ids(graph_.params.size()), bias_ids(graph_.params.size());
  for (size_t p = 0; p < graph_.params.size(); ++p) {
    const GraphParam& param = graph_.params[p];
    xnn_check(xnn_define_tensor_value(sg, xnn_datatype_fp32, param.shape.size(), param.shape.data(),
                                      param.weight.data(), XNN_INVALID_VALUE_ID, 0, &weight_ids[p]),
              param.name + " weights");
    const size_t bias_dims[1] = {param.bias.size()};
    xnn_check(xnn_define_tensor_value(sg, xnn_datatype_fp32, 1, bias_dims, param.bias.data(),
                                      XNN_INVALID_VALUE_ID, 0, &bias_ids[p]),
              param.name + " bias");
  }

  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    const GraphOp& op = graph_.ops[i];
    // XNNPACK accepts a wrong output shape and overruns memory: recheck what lowering computed.
    MNAS_ASSERT(infer_output_shape(graph_, op) == graph_.values[op.output]);
    const float lo = op.relu ? 0.0f : -kInf;
    const std::string what = "node " + std::to_string(i) +
                             (op.param >= 0 ? " (" + graph_.params[op.param].name + ")" : "");
    const uint32_t in = ids[op.input], out = ids[op.output];
    const uint32_t pad = static_cast<uint32_t>(op.padding), k = op.kernel, s = op.stride;
    switch (op.kind) {
      case GraphOpKind::kConvolution: {
        const GraphParam& p = graph_.params[op.param];
        xnn_check(xnn_define_convolution_2d(sg, pad, pad, pad, pad, k, k, s, s, 1, 1, 1, p.shape[3],
                                            p.shape[0], lo, kInf, in, weight_ids[op.param],
                                            bias_ids[op.param], out, 0),
                  what);
        break;
      }
      case GraphOpKind::kDepthwise:
        xnn_check(xnn_define_depthwise_convolution_2d(
                      sg, pad, pad, pad, pad, k, k, s, s, 1, 1, 1, graph_.values[op.input].channels,
                      lo, kInf, in, weight_ids[op.param], bias_ids[op.param], out, 0),
                  what);
        break;
      case GraphOpKind::kAveragePool: {
        // Ceil mode: pad bottom/right so a last, partial window exists; XNNPACK averages only the
        // valid pixels of a padded window, as the reference and PyTorch's ceil mode do.
        const auto [pb, pr] = ceil_mode_padding(graph_, op);
        xnn_check(
            xnn_define_average_pooling_2d(sg, 0, pr, pb, 0, k, k, s, s, -kInf, kInf, in, out, 0),
            what);
        break;
      }
      case GraphOpKind::kGlobalAveragePool:
        xnn_check(xnn_define_global_average_pooling_2d(sg, -kInf, kInf, in, out, 0), what);
        break;
      case GraphOpKind::kFullyConnected:
        xnn_check(xnn_define_fully_connected(sg, lo, kInf, in, weight_ids[op.param],
                                             bias_ids[op.param], out, 0),
                  what);
        break;
      case GraphOpKind::kAdd:
        xnn_check(xnn_define_add2(sg, -kInf, kInf, in, ids[op.input2], out, 0), what);
        break;
      case GraphOpKind::kMultiply:
        xnn_check(xnn_define_multiply2(sg, -kInf, kInf, in, ids[op.input2], out, 0), what);
        break;
      case GraphOpKind::kSigmoid:
        xnn_check(xnn_define_sigmoid(sg, in, out, 0), what);
        break;
    }
  }
}

XnnpackNetwork::~XnnpackNetwork() = default;

void XnnpackNetwork::run() {
  xnn_check(xnn_invoke_runtime(handles_->runtime.get()), "xnn_invoke_runtime");
}

}  // namespace mnas
