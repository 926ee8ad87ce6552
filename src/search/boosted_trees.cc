#include "search/boosted_trees.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "space/decision_space.h"
#include "space/error.h"

namespace mnas {
namespace {

struct Split {
  double gain = 0;
  int decision = -1, token = 0;
};

// The split of `rows` with the largest drop in squared error, each side keeping ≥ min_leaf rows.
Split best_split(const std::vector<std::vector<int>>& samples, const std::vector<double>& r,
                 const std::vector<int>& rows, const std::vector<int>& vocab, int min_leaf) {
  double total = 0;
  for (int i : rows) total += r[i];
  const double n = static_cast<double>(rows.size());
  Split best;
  std::vector<double> sum;
  std::vector<int> count;
  for (size_t d = 0; d < vocab.size(); ++d) {
    sum.assign(vocab[d], 0.0);
    count.assign(vocab[d], 0);
    for (int i : rows) {
      sum[samples[i][d]] += r[i];
      ++count[samples[i][d]];
    }
    for (int v = 0; v < vocab[d]; ++v) {
      const int yes = count[v];
      const int no = static_cast<int>(rows.size()) - yes;
      if (yes < min_leaf || no < min_leaf) continue;
      const double s_no = total - sum[v];
      const double gain = sum[v] * sum[v] / yes + s_no * s_no / no - total * total / n;
      if (gain > best.gain + 1e-12) best = {gain, static_cast<int>(d), v};
    }
  }
  return best;
}

}  // namespace

void BoostedTrees::fit(const std::vector<std::vector<int>>& samples,
                       const std::vector<double>& targets, const std::vector<int>& vocab,
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
                          ? best_split(samples, residual, cur.rows, vocab, o.min_leaf)
                          : Split{};
      if (s.decision < 0) {
        double sum = 0;
        for (int i : cur.rows) sum += residual[i];
        tree[cur.node].value = o.learning_rate * sum / cur.rows.size();
        continue;
      }
      std::vector<int> yes, no;
      for (int i : cur.rows) (samples[i][s.decision] == s.token ? yes : no).push_back(i);
      const int y = static_cast<int>(tree.size()), n = y + 1;
      tree.resize(tree.size() + 2);
      tree[cur.node].decision = s.decision;
      tree[cur.node].token = s.token;
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

double BoostedTrees::predict_tree(const std::vector<Node>& tree, const std::vector<int>& tokens) {
  int node = 0;
  while (tree[node].decision >= 0) {
    node = tokens[tree[node].decision] == tree[node].token ? tree[node].yes : tree[node].no;
  }
  return tree[node].value;
}

double BoostedTrees::predict(const std::vector<int>& tokens) const {
  double out = base_;
  for (const std::vector<Node>& tree : trees_) out += predict_tree(tree, tokens);
  return out;
}

void TreeEnsemble::fit(const std::vector<std::vector<int>>& samples,
                       const std::vector<double>& targets, const std::vector<int>& vocab,
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
    m.fit(s, t, vocab, options);
  }
}

void TreeEnsemble::predict(const std::vector<int>& tokens, double* mean, double* stddev) const {
  double sum = 0, sq = 0;
  for (const BoostedTrees& m : members_) {
    const double p = m.predict(tokens);
    sum += p;
    sq += p * p;
  }
  const double k = static_cast<double>(members_.size());
  *mean = sum / k;
  *stddev = std::sqrt(std::max(0.0, sq / k - *mean * *mean));
}

}  // namespace mnas
