// libFuzzer: IDX image and label files (raw or gzip), as read_idx reads a data set. The input
// is both files: its first two bytes say how long the image file is, the rest is the label file.
#include <cstdint>
#include <cstdlib>

#include "base/error.h"
#include "data/idx_reader.h"
#include "fuzz_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t images = std::min<size_t>(size - 2, size_t{data[0]} | size_t{data[1]} << 8);
  const std::string image_path = mnas_fuzz::write_input("images", data + 2, images);
  const std::string label_path =
      mnas_fuzz::write_input("labels", data + 2 + images, size - 2 - images);
  try {
    const mnas::RawImages r = mnas::read_idx(image_path, label_path, 10);
    const size_t n = r.labels.size();
    if (r.pixels.size() != n * r.height * r.width * r.channels) std::abort();
    for (const int64_t l : r.labels) {
      if (l < 0 || l >= 10) std::abort();
    }
  } catch (const mnas::Error&) {
  }
  return 0;
}
