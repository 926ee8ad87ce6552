#include "search/synthetic_surrogate.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "space/architecture_codec.h"
#include "space/cost_model.h"
#include "space/layer_plan.h"

namespace mnas {
namespace {

constexpr int kOpSlots = 3 * 16;  // ConvOp × expansion (≤ 12)

int op_slot(const BlockSpec& b) { return static_cast<int>(b.op) * 16 + b.expansion; }

double uniform(std::mt19937_64& rng, double lo, double hi) {
  // 53 random bits → [0, 1): the same on every platform.
  const double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
  return lo + (hi - lo) * u;
}

}  // namespace

SyntheticSurrogate::SyntheticSurrogate(const SearchSpace& space, uint64_t seed)
    : skeleton_macs_(static_cast<double>(estimate_cost(space.skeleton_architecture()).macs)) {
  std::mt19937_64 rng(seed);
  blocks_.resize(space.num_blocks());
  for (BlockPreferences& p : blocks_) {
    p.op.resize(kOpSlots);
    for (double& v : p.op) v = uniform(rng, -0.012, 0.012);
    p.kernel.resize(8);
    for (double& v : p.kernel) v = uniform(rng, -0.006, 0.006);
    p.skip.resize(3);
    for (double& v : p.skip) v = uniform(rng, -0.004, 0.004);
    p.skip[static_cast<int>(SkipOp::kIdentity)] += 0.004;  // residuals help, in general
    p.se = uniform(rng, -0.002, 0.006);                    // SE mostly helps
  }
  pair_bonus_.resize(blocks_.size() * kOpSlots * kOpSlots);
  for (double& v : pair_bonus_) v = uniform(rng, -0.004, 0.004);
}

double SyntheticSurrogate::op_bonus(int block, const BlockSpec& b) const {
  const BlockPreferences& p = blocks_[block % blocks_.size()];
  double bonus = p.op[op_slot(b)] + p.kernel[b.kernel] + p.skip[static_cast<int>(b.skip)];
  if (b.se_ratio > 0) bonus += p.se;
  return bonus;
}

double SyntheticSurrogate::accuracy(const Architecture& arch) const {
  const double macs = static_cast<double>(estimate_cost(arch).macs);
  double acc = 0.60 + 0.20 * (1.0 - std::exp(-2.0 * macs / skeleton_macs_));
  for (size_t b = 0; b < arch.blocks.size(); ++b) {
    acc += op_bonus(static_cast<int>(b), arch.blocks[b]);
    if (b + 1 < arch.blocks.size()) {
      const size_t index = ((b % blocks_.size()) * kOpSlots + op_slot(arch.blocks[b])) * kOpSlots +
                           op_slot(arch.blocks[b + 1]);
      acc += pair_bonus_[index];
    }
  }
  return std::clamp(acc, 0.0, 1.0);
}

double SyntheticSurrogate::latency_ms(const Architecture& arch) const {
  constexpr double kDenseMacsPerMs = 40e6;     // 40 GMAC/s
  constexpr double kDepthwiseMacsPerMs = 4e6;  // 4 GMAC/s
  constexpr double kOverheadMs = 0.01;
  const NetworkPlan plan = plan_network(arch);
  const auto pixels = [](const TensorShape& s) { return double(s.height) * s.width; };
  double ms =
      9.0 * plan.input.channels * plan.stem_out.channels * pixels(plan.stem_out) / kDenseMacsPerMs;
  for (const LayerPlan& l : plan.layers) {
    const double k2 = double(l.kernel) * l.kernel;
    double dense = 0, depthwise = 0;
    switch (l.op) {
      case ConvOp::kConv:
        dense = k2 * l.in.channels * l.out.channels * pixels(l.out);
        break;
      case ConvOp::kDconv:
        depthwise = k2 * l.in.channels * pixels(l.out);
        dense = double(l.in.channels) * l.out.channels * pixels(l.out);
        break;
      case ConvOp::kMbconv:
        dense = double(l.in.channels) * l.expanded * pixels(l.in) +
                double(l.expanded) * l.out.channels * pixels(l.out);
        depthwise = k2 * l.expanded * pixels(l.out);
        break;
    }
    if (l.shortcut_projects) dense += double(l.in.channels) * l.out.channels * pixels(l.out);
    ms += dense / kDenseMacsPerMs + depthwise / kDepthwiseMacsPerMs + kOverheadMs;
    if (l.se_filters > 0) ms += kOverheadMs;
  }
  ms += double(plan.layers.back().out.channels) * plan.head_out.channels * pixels(plan.head_out) /
        kDenseMacsPerMs;
  ms += double(arch.head_filters) * arch.classes / kDenseMacsPerMs + kOverheadMs;
  return ms;
}

Evaluation SyntheticSurrogate::evaluate_at(const Architecture& arch, int64_t train_images,
                                           int64_t /*holdout*/) {
  Evaluation e = evaluate(arch);
  if (!e.ok || train_images >= full_images_) return e;
  const double f = std::max(0.0, static_cast<double>(train_images) / full_images_);
  uint64_t h = 1469598103934665603ULL;  // FNV-1a of the architecture and the budget
  for (char c : to_canonical_string(arch) + "@" + std::to_string(train_images)) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  const double u = static_cast<double>(h >> 11) / 9007199254740992.0 * 2 - 1;  // [-1, 1)
  e.accuracy = std::clamp(e.accuracy * (0.7 + 0.3 * f) + 0.04 * (1 - f) * u, 0.0, 1.0);
  return e;
}

Evaluation SyntheticSurrogate::evaluate(const Architecture& arch) {
  Evaluation e;
  try {
    e.accuracy = accuracy(arch);
    e.latency_ms = latency_ms(arch);
  } catch (const std::exception& ex) {
    e.ok = false;
    e.failure = ex.what();
  }
  return e;
}

}  // namespace mnas
