#ifndef MNAS_SEARCH_BOOSTED_TREES_H_
#define MNAS_SEARCH_BOOSTED_TREES_H_

#include <cstdint>
#include <random>
#include <vector>

namespace mnas {

// Gradient-boosted regression trees over small integer features, the predictor-guided strategy's
// model. A feature is categorical (a decision's token: a split asks "is it v?", so a tree reads
// tokens directly, with no one-hot vectors) or ordinal (a count: "is it ≤ v?"); each takes values
// in [0, arity). Squared loss; each tree fits the residuals of those before it, shrunk by the
// learning rate.
struct BoostedTreesOptions {
  int trees = 80;              // Default: 80
  int depth = 3;               // Default: 3
  double learning_rate = 0.1;  // Default: 0.1
  int min_leaf = 2;            // fewest samples a leaf may hold; Default: 2
};

// What the features of a sample are: their value counts and which are ordinal.
struct FeatureLayout {
  std::vector<int> arity;       // values in [0, arity[f])
  std::vector<bool> ordinal;    // per feature: split by ≤ (true) or == (false)
};

class BoostedTrees {
 public:
  // Fits `targets` of `samples` (each a feature vector laid out as `layout` says, values in
  // range). Cost: trees · depth · samples · features.
  void fit(const std::vector<std::vector<int>>& samples, const std::vector<double>& targets,
           const FeatureLayout& layout, const BoostedTreesOptions& options);
  double predict(const std::vector<int>& features) const;

 private:
  struct Node {
    int feature = -1;  // -1: a leaf
    int value = 0;
    bool ordinal = false;
    int yes = 0, no = 0;  // children (node indices): feature == value (≤ value if ordinal), or not
    double leaf = 0;      // a leaf's output
  };
  static double predict_tree(const std::vector<Node>& tree, const std::vector<int>& tokens);

  double base_ = 0;
  std::vector<std::vector<Node>> trees_;
};

// K boosted-tree models, each fitted on a bootstrap resample of the data: the spread of their
// predictions says how sure the ensemble is.
class TreeEnsemble {
 public:
  void fit(const std::vector<std::vector<int>>& samples, const std::vector<double>& targets,
           const FeatureLayout& layout, int members, const BoostedTreesOptions& options,
           std::mt19937_64& rng);
  // Mean and standard deviation over the members.
  void predict(const std::vector<int>& features, double* mean, double* stddev) const;
  // Each member's prediction.
  std::vector<double> predict_members(const std::vector<int>& features) const;

 private:
  std::vector<BoostedTrees> members_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_BOOSTED_TREES_H_
