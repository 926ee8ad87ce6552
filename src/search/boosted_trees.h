#ifndef MNAS_SEARCH_BOOSTED_TREES_H_
#define MNAS_SEARCH_BOOSTED_TREES_H_

#include <cstdint>
#include <random>
#include <vector>

namespace mnas {

// Gradient-boosted regression trees over categorical candidates (one token per decision), the
// predictor-guided strategy's model. A split asks "is decision d's token v?", so a tree reads
// tokens directly, with no one-hot vectors. Squared loss; each tree fits the residuals of those
// before it, shrunk by the learning rate.
struct BoostedTreesOptions {
  int trees = 80;              // Default: 80
  int depth = 3;               // Default: 3
  double learning_rate = 0.1;  // Default: 0.1
  int min_leaf = 2;            // fewest samples a leaf may hold; Default: 2
};

class BoostedTrees {
 public:
  // Fits `targets` of `samples` (each a token vector of `vocab`'s length, tokens in range).
  // Cost: trees · depth · samples · decisions.
  void fit(const std::vector<std::vector<int>>& samples, const std::vector<double>& targets,
           const std::vector<int>& vocab, const BoostedTreesOptions& options);
  double predict(const std::vector<int>& tokens) const;

 private:
  struct Node {
    int decision = -1;  // -1: a leaf
    int token = 0;
    int yes = 0, no = 0;  // children (node indices) when tokens[decision] == token, or not
    double value = 0;     // a leaf's output
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
           const std::vector<int>& vocab, int members, const BoostedTreesOptions& options,
           std::mt19937_64& rng);
  // Mean and standard deviation over the members.
  void predict(const std::vector<int>& tokens, double* mean, double* stddev) const;

 private:
  std::vector<BoostedTrees> members_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_BOOSTED_TREES_H_
