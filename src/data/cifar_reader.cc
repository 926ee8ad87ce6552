#include "data/cifar_reader.h"

#include <cstdint>
#include <string>

#include "base/error.h"
#include "data/file_bytes.h"

namespace mnas {

RawImages read_cifar(const std::vector<std::string>& paths, int label_bytes, int classes) {
  constexpr int kSide = 32, kPixels = kSide * kSide * 3;
  constexpr int kCoarseClasses = 20;  // CIFAR-100's first label byte
  const size_t record = static_cast<size_t>(label_bytes) + kPixels;
  RawImages d;
  d.height = d.width = kSide;
  d.channels = 3;
  std::vector<uint8_t>& pixels = d.pixels;  // NHWC
  std::vector<int64_t>& labels = d.labels;
  for (const std::string& path : paths) {
    const std::vector<uint8_t> b = read_file_bytes(path, size_t{1} << 31);
    if (b.empty()) throw Error(path + ": empty file");
    // The download is a .tar.gz: read_file_bytes gunzips it, and what is left is the archive.
    if (b.size() > 262 && std::string(b.begin() + 257, b.begin() + 262) == "ustar") {
      throw Error(path + ": is a tar archive (the downloaded cifar-*-binary.tar.gz?); extract it "
                  "and point --data-dir at the folder of .bin files");
    }
    if (b.size() % record != 0) {
      // One label byte more or less per record: the other CIFAR's files.
      const size_t other = label_bytes == 1 ? record + 1 : record - 1;
      const std::string hint =
          b.size() % other == 0
              ? std::string("; it looks like ") + (label_bytes == 1 ? "CIFAR-100" : "CIFAR-10") +
                    " (" + std::to_string(other - kPixels) + " label byte" +
                    (other - kPixels > 1 ? "s" : "") + " per record)"
              : " (truncated?)";
      throw Error(path + ": " + std::to_string(b.size()) + " bytes is not a whole number of " +
                  std::to_string(record) + "-byte records" + hint);
    }
    for (size_t r = 0; r < b.size() / record; ++r) {
      const uint8_t* rec = b.data() + r * record;
      if (label_bytes == 2 && rec[0] >= kCoarseClasses) {
        throw Error(path + ": coarse label " + std::to_string(rec[0]) + " of record " +
                    std::to_string(r) + " is out of range for " + std::to_string(kCoarseClasses) +
                    " superclasses");
      }
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
  return d;
}

}  // namespace mnas
