#include "space/cost_model.h"

#include <cstdint>

#include "base/error.h"
#include "base/number_format.h"

namespace mnas {
namespace {

// Products and sums that throw instead of overflowing: validated architectures can still describe
// networks whose multiply-adds exceed 64 bits (thousands of filters at 2048×2048).
int64_t mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw Error("architecture too large: cost exceeds 64 bits");
  return r;
}
int64_t add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw Error("architecture too large: cost exceeds 64 bits");
  return r;
}

int64_t pixels(const TensorShape& s) { return int64_t{s.height} * s.width; }

// A convolution without bias followed by BatchNorm (γ, β).
struct ConvCost {
  int64_t params;
  int64_t macs;
};
ConvCost conv_bn(int64_t kernel_area, int64_t in_per_group, int64_t out, const TensorShape& at) {
  return {add(mul(kernel_area * in_per_group, out), 2 * out),
          mul(mul(kernel_area * in_per_group, out), pixels(at))};
}

void accumulate(LayerCost& row, const ConvCost& c) {
  row.params = add(row.params, c.params);
  row.macs = add(row.macs, c.macs);
}

std::string describe(const LayerPlan& l, const BlockSpec& b) {
  std::string d = to_string(l.op);
  d += " k" + std::to_string(l.kernel);
  if (l.op == ConvOp::kMbconv) d += " e" + std::to_string(b.expansion);
  if (l.stride > 1) d += " /" + std::to_string(l.stride);
  if (l.se_filters > 0) d += " se" + format_double(b.se_ratio);
  if (l.shortcut == SkipOp::kIdentity) d += " +identity";
  if (l.shortcut == SkipOp::kPool) d += l.shortcut_projects ? " +pool/proj" : " +pool";
  return d;
}

LayerCost layer_cost(const LayerPlan& l, const BlockSpec& b, bool with_text) {
  LayerCost row;
  if (with_text) {
    row.name = "b" + std::to_string(l.block + 1) + ".l" + std::to_string(l.index + 1);
    row.description = describe(l, b);
  }
  row.in = l.in;
  row.out = l.out;
  const int64_t k2 = int64_t{l.kernel} * l.kernel;
  const int cin = l.in.channels, cout = l.out.channels;
  switch (l.op) {
    case ConvOp::kConv:
      accumulate(row, conv_bn(k2, cin, cout, l.out));
      break;
    case ConvOp::kDconv:
      accumulate(row, conv_bn(k2, 1, cin, l.out));
      accumulate(row, conv_bn(1, cin, cout, l.out));
      break;
    case ConvOp::kMbconv:
      accumulate(row, conv_bn(1, cin, l.expanded, l.in));
      accumulate(row, conv_bn(k2, 1, l.expanded, l.out));
      accumulate(row, conv_bn(1, l.expanded, cout, l.out));
      break;
  }
  if (l.se_filters > 0) {
    // reduce: C→r with bias; expand: r→C with bias; both on the 1×1 pooled vector.
    const int64_t c = l.se_channels, r = l.se_filters;
    row.params = add(row.params, add(mul(c, r) + r, mul(r, c) + c));
    row.macs = add(row.macs, 2 * mul(c, r));
  }
  if (l.shortcut_projects) accumulate(row, conv_bn(1, cin, cout, l.out));
  return row;
}

}  // namespace

LayerCost estimate_layer_cost(const LayerPlan& layer) { return layer_cost(layer, {}, false); }

CostReport estimate_cost(const Architecture& arch, bool with_text) {
  const NetworkPlan plan = plan_network(arch);
  CostReport report;

  LayerCost stem;
  stem.name = "stem";
  stem.description =
      "conv k3" + (arch.stem_stride > 1 ? " /" + std::to_string(arch.stem_stride) : std::string());
  stem.in = plan.input;
  stem.out = plan.stem_out;
  accumulate(stem, conv_bn(9, plan.input.channels, arch.stem_filters, plan.stem_out));
  report.layers.push_back(stem);

  for (const LayerPlan& l : plan.layers) {
    report.layers.push_back(layer_cost(l, arch.blocks[l.block], with_text));
  }

  LayerCost head;
  head.name = "head";
  head.description = "conv k1";
  head.in = plan.layers.back().out;
  head.out = plan.head_out;
  accumulate(head, conv_bn(1, head.in.channels, arch.head_filters, plan.head_out));
  report.layers.push_back(head);

  LayerCost classifier;
  classifier.name = "classifier";
  classifier.description = "avgpool, dropout, fc";
  classifier.in = plan.head_out;
  classifier.out = {1, 1, arch.classes};
  classifier.params = mul(arch.head_filters, arch.classes) + arch.classes;
  classifier.macs = mul(arch.head_filters, arch.classes);
  report.layers.push_back(classifier);

  for (const LayerCost& row : report.layers) {
    report.params = add(report.params, row.params);
    report.macs = add(report.macs, row.macs);
  }
  return report;
}

}  // namespace mnas
