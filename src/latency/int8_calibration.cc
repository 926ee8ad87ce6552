#include "latency/int8_calibration.h"

#include <string>
#include <vector>

#include "base/error.h"
#include "latency/xnnpack_subgraph.h"

namespace mnas {

Int8Calibration calibrate_int8(const Graph& graph, int64_t images,
                               const std::function<void(int64_t, float*)>& fill,
                               CalibrationMethod method, int threads) {
  if (images < 1) throw Error("calibration: needs at least one image");
  if (threads < 1 || threads > 256) {
    throw Error("threads: " + std::to_string(threads) + " is out of range; must be in [1, 256]");
  }
  xnnpack_initialize();
  const size_t n = graph.values.size();
  xnn_subgraph_t raw = nullptr;
  xnn_check(xnn_create_subgraph(static_cast<uint32_t>(n), 0, &raw), "xnn_create_subgraph");
  XnnSubgraph subgraph(raw);
  define_fp32_subgraph(raw, graph, /*every_value_external=*/true);
  PoolHandle pool;
  if (threads > 1) {
    pool.reset(pthreadpool_create(static_cast<size_t>(threads)));
    if (!pool) throw Error("pthreadpool_create(" + std::to_string(threads) + ") failed");
  }
  xnn_runtime_t rt = nullptr;
  xnn_check(xnn_create_runtime_v2(raw, pool.get(), 0, &rt), "xnn_create_runtime_v2");
  XnnRuntime runtime(rt);

  // One buffer per value, with the slack XNNPACK may read past the end.
  const size_t slack = XNN_EXTRA_BYTES / sizeof(float) + 1;
  std::vector<std::vector<float>> buffers(n);
  std::vector<xnn_external_value> externals(n);
  for (size_t v = 0; v < n; ++v) {
    buffers[v].assign(static_cast<size_t>(graph.values[v].elements()) + slack, 0.0f);
    externals[v] = {static_cast<uint32_t>(v), buffers[v].data()};
  }
  xnn_check(xnn_setup_runtime(rt, n, externals.data()), "xnn_setup_runtime");

  std::vector<RangeHistogram> ranges(n);
  for (int64_t i = 0; i < images; ++i) {
    fill(i, buffers[graph.input].data());
    xnn_check(xnn_invoke_runtime(rt), "xnn_invoke_runtime");
    for (size_t v = 0; v < n; ++v) {
      try {
        ranges[v].add(buffers[v].data(), static_cast<size_t>(graph.values[v].elements()));
      } catch (const Error&) {
        throw Error("calibration: value " + std::to_string(v) + " (" + to_string(graph.values[v]) +
                    ") is not finite on calibration image " + std::to_string(i) +
                    ": the network cannot be quantized (did its training diverge?)");
      }
    }
  }
  return calibration_from_histograms(graph, ranges, method, images);
}

}  // namespace mnas
