#ifndef MNAS_SPACE_WEIGHTS_FILE_H_
#define MNAS_SPACE_WEIGHTS_FILE_H_

#include <map>
#include <string>
#include <vector>

namespace mnas {

// Trained weights on their way from training (nn/, LibTorch) to deployment (latency/, XNNPACK),
// with no LibTorch on the reading side (design.md).
//
// Tensors are named as latency/graph.h names its parameters ("stem", "b2.l1.expand",
// "b2.l1.depthwise", "b2.l1.se_reduce", "b2.l1.se_expand", "b2.l1.project", "b2.l1.conv",
// "b2.l1.shortcut", "head", "classifier"), with BatchNorm folded in, weights in XNNPACK layout
// (dense [out, kh, kw, in], depthwise [1, kh, kw, C], fully connected [out, in]) and a bias each.
struct NamedWeights {
  std::vector<size_t> shape;
  std::vector<float> weight;
  std::vector<float> bias;
};

struct WeightsFile {
  std::string arch;         // canonical architecture string
  std::vector<float> mean;  // input normalisation per channel (pixels in [0, 1])
  std::vector<float> std;
  std::map<std::string, NamedWeights> tensors;
};

// File layout: the 8 bytes "MNASW001", a little-endian uint32 header length, a JSON header
// {"arch", "mean", "std", "tensors": [{"name", "shape", "weights", "bias"}]} (counts), then every
// tensor's weights and bias as little-endian float32 in header order.
void write_weights_file(const std::string& path, const WeightsFile& weights);
// Throws mnas::Error naming the file and the problem for anything malformed or truncated.
WeightsFile read_weights_file(const std::string& path);

}  // namespace mnas

#endif  // MNAS_SPACE_WEIGHTS_FILE_H_
