#include "data/cifar_reader.h"

#include "data/file_bytes.h"
#include "space/error.h"

namespace mnas {

Dataset read_cifar(const std::vector<std::string>& paths, int label_bytes, int classes,
                   const std::string& name) {
  constexpr int kSide = 32, kPixels = kSide * kSide * 3;
  const size_t record = static_cast<size_t>(label_bytes) + kPixels;
  std::vector<uint8_t> pixels;  // NHWC
  std::vector<int64_t> labels;
  for (const std::string& path : paths) {
    const std::vector<uint8_t> b = read_file_bytes(path, size_t{1} << 31);
    if (b.empty()) throw Error(path + ": empty file");
    if (b.size() % record != 0) {
      throw Error(path + ": " + std::to_string(b.size()) + " bytes is not a whole number of " +
                  std::to_string(record) + "-byte records (truncated?)");
    }
    for (size_t r = 0; r < b.size() / record; ++r) {
      const uint8_t* rec = b.data() + r * record;
      const int label = rec[label_bytes - 1];
      if (label >= classes) {
        throw Error(path + ": label " + std::to_string(label) + " of record " + std::to_string(r) +
                    " is out of range for " + std::to_string(classes) + " classes");
      }
      labels.push_back(label);
      const uint8_t* planes = rec + label_bytes;
      for (int p = 0; p < kSide * kSide; ++p) {
        for (int c = 0; c < 3; ++c) pixels.push_back(planes[c * kSide * kSide + p]);
      }
    }
  }
  Dataset d;
  d.name = name;
  d.height = d.width = kSide;
  d.channels = 3;
  d.classes = classes;
  const int64_t n = static_cast<int64_t>(labels.size());
  d.images = torch::from_blob(pixels.data(), {n, kSide, kSide, 3}, torch::kUInt8).clone();
  d.labels = torch::from_blob(labels.data(), {n}, torch::kLong).clone();
  return d;
}

}  // namespace mnas
