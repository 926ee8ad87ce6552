#ifndef MNAS_SPACE_ZOO_H_
#define MNAS_SPACE_ZOO_H_

#include <string>
#include <string_view>
#include <vector>

#include "space/architecture.h"

namespace mnas {

// Options every zoo model takes. Defaults: the published ImageNet configuration.
struct ZooOptions {
  InputShape input;         // Default: 224x224x3
  int classes = 1000;       // Default: 1000
  double multiplier = 1.0;  // depth multiplier (scaling.h); Default: 1.0
};

// The reference models, following the tensorflow/tpu definitions (torchvision's for MobileNetV2):
//   "mnasnet-a1", "mnasnet-b1", "mnasnet-small", "mobilenetv2" (= "mobilenetv2-1.0"),
//   "mobilenetv2-1.4" (mobilenetv2 at multiplier 1.4; its `multiplier` option multiplies on top).
// At inputs of 64 px or less the zoo models take the small-input preset of the default search
// space (its skeleton's stem stride: 1), as the search does, so that a 28×28 input does not end
// at 1×1. MobileNetV2's ReLU6 is not part of Architecture; it is built with the project's ReLU,
// which changes neither parameters nor multiply-adds.
std::vector<std::string> zoo_names();

// True when `name` is one of zoo_names() or an alias of one.
bool is_zoo_name(std::string_view name);

// Builds the named model; throws mnas::Error listing the known names for an unknown one, or
// naming the bad option.
Architecture zoo_model(std::string_view name, const ZooOptions& options = {});

// A zoo name, optionally at a width multiplier ("mobilenetv2@0.35", on top of
// options.multiplier): what --references, finalize and the Python module take. Throws
// mnas::Error naming `spec` for a bad multiplier or an unknown name.
Architecture zoo_model_from_spec(const std::string& spec, ZooOptions options = {});

}  // namespace mnas

#endif  // MNAS_SPACE_ZOO_H_
