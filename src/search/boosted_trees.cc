#include "search/boosted_trees.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/error.h"
#include "space/decision_space.h"

namespace mnas {
namespace {

struct Split {
  double gain = 0;
  int feature = -1, value = 0;
  bool ordinal = false;
};

// The split of `rows` with the largest drop in squared error, each side keeping ≥ min_leaf rows.
Split best_split(const std::vector<std::vector<int>>& samples, const std::vector<double>& r,
                 const std::vector<int>& rows, const FeatureLayout& layout, int min_leaf) {
  double total = 0;
  for (int i : rows) total += r[i];
  const int n = static_cast<int>(rows.size());
  Split best;
  std::vector<double> sum;
  std::vector<int> count;
  for (size_t f = 0; f < layout.arity.size(); ++f) {
    sum.assign(layout.arity[f], 0.0);
    count.assign(layout.arity[f], 0);
    for (int i : rows) {
      sum[samples[i][f]] += r[i];
      ++count[samples[i][f]];
    }
    const bool ordinal = layout.ordinal[f];
    double s_yes = 0;
    int yes = 0;
    for (int v = 0; v < layout.arity[f]; ++v) {
      // Categorical: x == v. Ordinal: x ≤ v (cumulative).
      s_yes = ordinal ? s_yes + sum[v] : sum[v];
      yes = ordinal ? yes + count[v] : count[v];
      const int no = n - yes;
      if (yes < min_leaf || no < min_leaf) continue;
      const double s_no = total - s_yes;
      const double gain = s_yes * s_yes / yes + s_no * s_no / no - total * total / n;
      if (gain > best.gain + 1e-12) best = {gain, static_cast<int>(f), v, ordinal};
    }
  }
  return best;
}

}  // namespace

void BoostedTrees::fit(const std::vector<std::vector<int>>& samples,
                       const std::vector<double>& targets, const FeatureLayout& layout,
                       const BoostedTreesOptions& o) {
  MNAS_ASSERT(samples.size() == targets.size() && !samples.empty());
  trees_.clear();
  base_ = std::accumulate(targets.begin(), targets.end(), 0.0) / targets.size();
  std::vector<double> residual(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) residual[i] = targets[i] - base_;
  std::vector<int> all(samples.size());
  std::iota(all.begin(), all.end(), 0);
  for (int t = 0; t < o.trees; ++t) {
    std::vector<Node> tree(1);
    // Grow breadth-first: (node, its rows, its depth).
    struct Open {
      int node;
      std::vector<int> rows;
      int depth;
    };
    std::vector<Open> open = {{0, all, 0}};
    while (!open.empty()) {
      Open cur = std::move(open.back());
      open.pop_back();
      const Split s = cur.depth < o.depth
                          ? best_split(samples, residual, cur.rows, layout, o.min_leaf)
                          : Split{};
      if (s.feature < 0) {
        double sum = 0;
        for (int i : cur.rows) sum += residual[i];
        tree[cur.node].leaf = o.learning_rate * sum / cur.rows.size();
        continue;
      }
      std::vector<int> yes, no;
      for (int i : cur.rows) {
        const int x = samples[i][s.feature];
        ((s.ordinal ? x <= s.value : x == s.value) ? yes : no).push_back(i);
      }
      const int y = static_cast<int>(tree.size()), n = y + 1;
      tree.resize(tree.size() + 2);
      tree[cur.node].feature = s.feature;
      tree[cur.node].value = s.value;
      tree[cur.node].ordinal = s.ordinal;
      tree[cur.node].yes = y;
      tree[cur.node].no = n;
      open.push_back({y, std::move(yes), cur.depth + 1});
      open.push_back({n, std::move(no), cur.depth + 1});
    }
    trees_.push_back(std::move(tree));
    for (size_t i = 0; i < samples.size(); ++i) {
      residual[i] -= predict_tree(trees_.back(), samples[i]);
    }
  }
}

double BoostedTrees::predict_tree(const std::vector<Node>& tree, const std::vector<int>& x) {
  int node = 0;
  while (tree[node].feature >= 0) {
    const Node& n = tree[node];
    const int v = x[n.feature];
    node = (n.ordinal ? v <= n.value : v == n.value) ? n.yes : n.no;
  }
  return tree[node].leaf;
}

double BoostedTrees::predict(const std::vector<int>& features) const {
  double out = base_;
  for (const std::vector<Node>& tree : trees_) out += predict_tree(tree, features);
  return out;
}

void TreeEnsemble::fit(const std::vector<std::vector<int>>& samples,
                       const std::vector<double>& targets, const FeatureLayout& layout,
                       int members, const BoostedTreesOptions& options, std::mt19937_64& rng) {
  members_.assign(members, BoostedTrees());
  const int n = static_cast<int>(samples.size());
  for (BoostedTrees& m : members_) {
    std::vector<std::vector<int>> s;
    std::vector<double> t;
    for (int i = 0; i < n; ++i) {
      const int k = uniform_index(rng, n);
      s.push_back(samples[k]);
      t.push_back(targets[k]);
    }
    m.fit(s, t, layout, options);
  }
}

std::vector<double> TreeEnsemble::predict_members(const std::vector<int>& features) const {
  std::vector<double> out;
  for (const BoostedTrees& m : members_) out.push_back(m.predict(features));
  return out;
}

void TreeEnsemble::predict(const std::vector<int>& features, double* mean,
                           double* stddev) const {
  double sum = 0, sq = 0;
  for (const BoostedTrees& m : members_) {
    const double p = m.predict(features);
    sum += p;
    sq += p * p;
  }
  const double k = static_cast<double>(members_.size());
  *mean = sum / k;
  *stddev = std::sqrt(std::max(0.0, sq / k - *mean * *mean));
}

}  // namespace mnas
