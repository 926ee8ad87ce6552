#ifndef MNAS_SPACE_WEIGHTS_FILE_H_
#define MNAS_SPACE_WEIGHTS_FILE_H_

#include <map>
#include <string>
#include <string_view>
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
  // What a user must know to feed the network (validate_model_notes): the class names in index
  // order (empty: unknown, e.g. a file from before them) and how training prepared its images.
  std::vector<std::string> labels;
  std::string preprocess;
};

// Throws mnas::Error (prefixed by `where`) unless every label is 1 to 256 printable bytes, at
// most 100,000 of them, and `preprocess` is at most 1,000 printable bytes.
void validate_model_notes(const std::vector<std::string>& labels, const std::string& preprocess,
                          const std::string& where);

// File layout: the 8 bytes "MNASW001", a little-endian uint32 header length, a JSON header
// {"arch", "mean", "std", "tensors": [{"name", "shape", "weights", "bias"}] (counts), "labels"?,
// "preprocess"?} (the last two absent in files from before them), then every
// tensor's weights and bias as little-endian float32 in header order.
void write_weights_file(const std::string& path, const WeightsFile& weights);
// Whether a file starting with `first_bytes` is a weights file (its 8-byte magic).
bool looks_like_weights_file(std::string_view first_bytes);
// Throws mnas::Error naming the file and the problem for anything malformed or truncated.
WeightsFile read_weights_file(const std::string& path);

}  // namespace mnas

#endif  // MNAS_SPACE_WEIGHTS_FILE_H_
