#include "graph/reference_executor.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "base/error.h"

namespace mnas {
namespace {

using Tensor = std::vector<float>;

size_t at(const ValueShape& s, int y, int x, int c) {
  return (static_cast<size_t>(y) * s.width + x) * s.channels + c;
}

float activate(double v, bool relu) { return static_cast<float>(relu ? std::max(0.0, v) : v); }

Tensor convolution(const GraphOp& op, const GraphParam& p, const ValueShape& in, const Tensor& x,
                   const ValueShape& out) {
  Tensor y(out.elements());
  for (int oy = 0; oy < out.height; ++oy) {
    for (int ox = 0; ox < out.width; ++ox) {
      for (int oc = 0; oc < out.channels; ++oc) {
        double sum = p.bias[oc];
        for (int ky = 0; ky < op.kernel; ++ky) {
          const int iy = oy * op.stride - op.padding + ky;
          if (iy < 0 || iy >= in.height) continue;
          for (int kx = 0; kx < op.kernel; ++kx) {
            const int ix = ox * op.stride - op.padding + kx;
            if (ix < 0 || ix >= in.width) continue;
            if (op.kind == GraphOpKind::kDepthwise) {
              sum += double(p.weight[(size_t(ky) * op.kernel + kx) * in.channels + oc]) *
                     x[at(in, iy, ix, oc)];
            } else {
              const size_t w = ((size_t(oc) * op.kernel + ky) * op.kernel + kx) * in.channels;
              for (int ic = 0; ic < in.channels; ++ic) {
                sum += double(p.weight[w + ic]) * x[at(in, iy, ix, ic)];
              }
            }
          }
        }
        y[at(out, oy, ox, oc)] = activate(sum, op.relu);
      }
    }
  }
  return y;
}

Tensor average_pool(const GraphOp& op, const ValueShape& in, const Tensor& x,
                    const ValueShape& out) {
  Tensor y(out.elements());
  for (int oy = 0; oy < out.height; ++oy) {
    for (int ox = 0; ox < out.width; ++ox) {
      for (int c = 0; c < out.channels; ++c) {
        double sum = 0;
        int count = 0;
        for (int iy = oy * op.stride; iy < std::min(in.height, (oy + 1) * op.stride); ++iy) {
          for (int ix = ox * op.stride; ix < std::min(in.width, (ox + 1) * op.stride); ++ix) {
            sum += x[at(in, iy, ix, c)];
            ++count;
          }
        }
        y[at(out, oy, ox, c)] = static_cast<float>(sum / count);
      }
    }
  }
  return y;
}

}  // namespace

std::vector<float> run_reference(const Graph& graph, const std::vector<float>& input) {
  if (static_cast<int64_t>(input.size()) != graph.values[graph.input].elements()) {
    throw Error("reference input: expected " +
                std::to_string(graph.values[graph.input].elements()) + " floats, got " +
                std::to_string(input.size()));
  }
  std::vector<Tensor> values(graph.values.size());
  values[graph.input] = input;
  for (const GraphOp& op : graph.ops) {
    const ValueShape& in = graph.values[op.input];
    const ValueShape& out = graph.values[op.output];
    const Tensor& x = values[op.input];
    Tensor& y = values[op.output];
    switch (op.kind) {
      case GraphOpKind::kConvolution:
      case GraphOpKind::kDepthwise:
        y = convolution(op, graph.params[op.param], in, x, out);
        break;
      case GraphOpKind::kAveragePool:
        y = average_pool(op, in, x, out);
        break;
      case GraphOpKind::kGlobalAveragePool: {
        y.assign(in.channels, 0.0f);
        for (int c = 0; c < in.channels; ++c) {
          double sum = 0;
          for (int p = 0; p < in.height * in.width; ++p) sum += x[size_t(p) * in.channels + c];
          y[c] = static_cast<float>(sum / (in.height * in.width));
        }
        break;
      }
      case GraphOpKind::kFullyConnected: {
        const GraphParam& p = graph.params[op.param];
        y.assign(out.channels, 0.0f);
        for (int o = 0; o < out.channels; ++o) {
          double sum = p.bias[o];
          for (int i = 0; i < in.channels; ++i)
            sum += double(p.weight[size_t(o) * in.channels + i]) * x[i];
          y[o] = activate(sum, op.relu);
        }
        break;
      }
      case GraphOpKind::kAdd: {
        const Tensor& b = values[op.input2];
        y.resize(x.size());
        for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] + b[i];
        break;
      }
      case GraphOpKind::kMultiply: {
        const Tensor& gate = values[op.input2];
        y.resize(x.size());
        for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * gate[i % in.channels];
        break;
      }
      case GraphOpKind::kSigmoid:
        y.resize(x.size());
        for (size_t i = 0; i < x.size(); ++i)
          y[i] = static_cast<float>(1.0 / (1.0 + std::exp(-double(x[i]))));
        break;
    }
  }
  std::vector<float> out;
  for (int v : graph_outputs(graph)) out.insert(out.end(), values[v].begin(), values[v].end());
  return out;
}

}  // namespace mnas
