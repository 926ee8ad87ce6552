#include "data/idx_reader.h"

#include <cstdint>
#include <cstdio>

#include "base/file_io.h"

#include "base/error.h"
#include "data/file_bytes.h"

namespace mnas {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr uint32_t kMaxSide = 4096;
constexpr uint32_t kMaxCount = 100000000;

void check_magic(const std::vector<uint8_t>& b, uint32_t want, size_t header,
                 const std::string& path, const char* what) {
  // The magic first: a file of the wrong kind should say so, whatever its size.
  if (b.size() >= 4 && read_be32(b, 0) != want) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "0x%08x, expected 0x%08x", read_be32(b, 0), want);
    throw Error(path + ": not an IDX " + what + " file (magic " + buf + ")");
  }
  if (b.size() < header) {
    throw Error(path + ": truncated header (" + std::to_string(b.size()) + " bytes; an IDX " +
                what + " file starts with " + std::to_string(header) + ")");
  }
}

// "<dir>/<stem>" or "<dir>/<stem>.gz", whichever exists.
std::string find_idx(const std::string& dir, const std::string& stem) {
  for (const std::string& candidate : {dir + "/" + stem, dir + "/" + stem + ".gz"}) {
    if (path_exists(candidate)) return candidate;
  }
  throw Error(dir + ": no " + stem + " or " + stem + ".gz", Error::Kind::kIo);
}

// The file, but one byte more than `expected` at most: enough to tell "trailing data" without
// inflating a file that promises more than its header says.
std::vector<uint8_t> read_file_bytes_up_to(const std::string& path, uint64_t expected) {
  try {
    return read_file_bytes(path, static_cast<size_t>(expected) + 1);
  } catch (const Error& e) {
    if (std::string(e.what()).find("more than the") == std::string::npos) throw;
    throw Error(path + ": more than the " + std::to_string(expected) +
                " bytes the header promises (trailing data)");
  }
}

}  // namespace

RawImages read_idx(const std::string& images_path, const std::string& labels_path, int classes) {
  // The header first: it says how large the file may be, and nothing larger is inflated.
  const std::vector<uint8_t> head = read_file_prefix(images_path, 16);
  check_magic(head, kImagesMagic, 16, images_path, "image");
  const uint32_t count = read_be32(head, 4), rows = read_be32(head, 8), cols = read_be32(head, 12);
  if (count == 0 || count > kMaxCount) {
    throw Error(images_path + ": image count " + std::to_string(count) + " is not plausible");
  }
  if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide) {
    throw Error(images_path + ": image size " + std::to_string(rows) + "x" + std::to_string(cols) +
                " is not plausible");
  }
  const uint64_t expected = 16 + uint64_t{count} * rows * cols;
  if (expected > (uint64_t{1} << 34)) {
    throw Error(images_path + ": the header promises " + std::to_string(expected) +
                " bytes; not plausible");
  }
  const std::vector<uint8_t> img = read_file_bytes_up_to(images_path, expected);
  if (img.size() != expected) {
    throw Error(images_path + ": " + std::to_string(img.size()) + " bytes, the header promises " +
                std::to_string(expected) +
                (img.size() < expected ? " (truncated)" : " (trailing data)"));
  }
  check_magic(read_file_prefix(labels_path, 8), kLabelsMagic, 8, labels_path, "label");
  const std::vector<uint8_t> lab = read_file_bytes_up_to(labels_path, 8 + uint64_t{count});
  const uint32_t label_count = read_be32(lab, 4);
  if (label_count != count) {
    throw Error(labels_path + ": " + std::to_string(label_count) + " labels for " +
                std::to_string(count) + " images in " + images_path);
  }
  if (lab.size() != 8 + uint64_t{count}) {
    throw Error(labels_path + ": " + std::to_string(lab.size()) + " bytes, the header promises " +
                std::to_string(8 + uint64_t{count}) +
                (lab.size() < 8 + uint64_t{count} ? " (truncated)" : " (trailing data)"));
  }
  RawImages d;
  d.height = static_cast<int>(rows);
  d.width = static_cast<int>(cols);
  d.channels = 1;
  d.pixels.assign(img.begin() + 16, img.end());
  d.labels.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t l = lab[8 + i];
    if (l >= classes) {
      throw Error(labels_path + ": label " + std::to_string(l) + " of item " + std::to_string(i) +
                  " is out of range for " + std::to_string(classes) + " classes");
    }
    d.labels[i] = l;
  }
  return d;
}

RawImages read_idx_split(const std::string& dir, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  return read_idx(find_idx(dir, prefix + "-images-idx3-ubyte"),
                  find_idx(dir, prefix + "-labels-idx1-ubyte"), 10);
}

}  // namespace mnas
