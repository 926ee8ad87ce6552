#ifndef MNAS_SPACE_COST_MODEL_H_
#define MNAS_SPACE_COST_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "space/architecture.h"
#include "space/layer_plan.h"

namespace mnas {

// Analytic cost of one row of the network (the stem, one layer of a block, the head, the
// classifier).
struct LayerCost {
  std::string name;         // "stem", "b3.l2", "head", "classifier"
  std::string description;  // "mbconv k5 e6 se0.25 identity", "conv3x3/2", ...
  TensorShape in;
  TensorShape out;
  int64_t params = 0;
  int64_t macs = 0;
};

struct CostReport {
  std::vector<LayerCost> layers;
  int64_t params = 0;  // sum over layers
  int64_t macs = 0;    // sum over layers
};

// Counts, for any valid architecture and its input size:
//   params: convolution and classifier weights, the biases that exist (SE's two 1×1 convs and the
//           classifier; other convolutions have none), BatchNorm γ and β. Not BN running
//           statistics.
//   macs:   multiply-adds of every convolution (including SE's two 1×1 convs on the pooled vector
//           and the pool shortcut's 1×1 projection) and of the classifier. BN, activations,
//           additions, pooling and the SE multiply are not counted (the convention of the MnasNet
//           paper and of torchvision-style counters).
// With `describe` false the rows' names and descriptions stay empty (hot paths that only need the
// totals, such as latency prediction, skip building the strings).
// Throws mnas::Error if `arch` is invalid or its multiply-adds do not fit in 64 bits.
CostReport estimate_cost(const Architecture& arch, bool describe = true);

// The same counts for one resolved layer (layer_plan.h), without name and description. Throws
// mnas::Error if they do not fit in 64 bits.
LayerCost estimate_layer_cost(const LayerPlan& layer);

}  // namespace mnas

#endif  // MNAS_SPACE_COST_MODEL_H_
