#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "base/error.h"
#include "data/batches.h"
#include "data/cifar_reader.h"
#include "data/dataset.h"
#include "data/idx_reader.h"

namespace mnas {
namespace {

using Bytes = std::vector<uint8_t>;

std::string temp(const std::string& name) {
  return "/tmp/mnas_data_test_" + std::to_string(::getpid()) + "_" + name;
}

void write(const std::string& path, const Bytes& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
}

void write_gz(const std::string& path, const Bytes& b) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
}

void be32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

Bytes idx_images(uint32_t n, uint32_t rows, uint32_t cols) {
  Bytes b;
  be32(b, 0x803);
  be32(b, n);
  be32(b, rows);
  be32(b, cols);
  for (uint32_t i = 0; i < n * rows * cols; ++i) b.push_back(static_cast<uint8_t>(i * 7));
  return b;
}

Bytes idx_labels(uint32_t n, uint8_t max_label = 9) {
  Bytes b;
  be32(b, 0x801);
  be32(b, n);
  for (uint32_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(i % (max_label + 1)));
  return b;
}

TEST(IdxReader, ReadsRawAndGzip) {
  write(temp("img"), idx_images(20, 4, 3));
  write_gz(temp("lab.gz"), idx_labels(20));
  const Dataset d = to_dataset(read_idx(temp("img"), temp("lab.gz"), 10), 10, "t");
  EXPECT_EQ(d.size(), 20);
  EXPECT_EQ(d.height, 4);
  EXPECT_EQ(d.width, 3);
  EXPECT_EQ(d.images.sizes(), (std::vector<int64_t>{20, 4, 3, 1}));
  EXPECT_EQ(d.images[0][0][1][0].item<int>(), 7);
  EXPECT_EQ(d.labels[13].item<int64_t>(), 3);
}

struct BrokenIdx {
  const char* name;
  Bytes images;
  Bytes labels;
  bool gzip_images;
  const char* message;
};

TEST(IdxReader, BrokenFilesAreClearErrors) {
  Bytes wrong_magic = idx_images(5, 2, 2);
  wrong_magic[3] = 0x01;
  Bytes truncated = idx_images(5, 2, 2);
  truncated.resize(truncated.size() - 3);
  Bytes trailing = idx_images(5, 2, 2);
  trailing.push_back(0);
  Bytes bad_label = idx_labels(5);
  bad_label[10] = 12;
  Bytes gz_bytes;  // a gzip stream cut short
  {
    write_gz(temp("full.gz"), idx_images(50, 8, 8));
    std::ifstream in(temp("full.gz"), std::ios::binary);
    gz_bytes.assign(std::istreambuf_iterator<char>(in), {});
    gz_bytes.resize(gz_bytes.size() / 2);
  }
  const BrokenIdx cases[] = {
      {"empty", {}, idx_labels(5), false, "truncated header"},
      {"wrong magic", wrong_magic, idx_labels(5), false, "not an IDX image file"},
      {"labels as images", idx_labels(5), idx_labels(5), false, "not an IDX image file"},
      {"truncated pixels", truncated, idx_labels(5), false, "(truncated)"},
      {"trailing bytes", trailing, idx_labels(5), false, "(trailing data)"},
      {"count mismatch", idx_images(5, 2, 2), idx_labels(6), false, "6 labels for 5 images"},
      {"label out of range", idx_images(5, 2, 2), bad_label, false, "label 12 of item 2"},
      {"zero rows", idx_images(5, 0, 2), idx_labels(5), false, "image size 0x2"},
      {"truncated gzip", gz_bytes, idx_labels(50), true, "gzip"},
      {"truncated label header", idx_images(5, 2, 2), Bytes{0, 0, 8}, false, "truncated header"},
  };
  for (const BrokenIdx& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string img = temp(c.gzip_images ? "b_img.gz" : "b_img"), lab = temp("b_lab");
    write(img, c.images);
    write(lab, c.labels);
    try {
      read_idx(img, lab, 10);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(read_idx("/nonexistent/x", "/nonexistent/y", 10), Error);
}

Bytes cifar_records(int n, int label_bytes, int label) {
  Bytes b;
  for (int r = 0; r < n; ++r) {
    for (int l = 0; l < label_bytes; ++l) b.push_back(static_cast<uint8_t>(label));
    for (int p = 0; p < 3072; ++p) b.push_back(static_cast<uint8_t>(p / 1024 * 100 + r));
  }
  return b;
}

TEST(IdxReader, AGzipBombIsNotInflatedPastWhatTheHeaderPromises) {
  // 5 images of 2×2 promised, then 64 MiB of zeros (a gzip of ~64 KB): refused as trailing data
  // after inflating at most the promised 36 bytes and one more.
  Bytes bomb = idx_images(5, 2, 2);
  bomb.resize(bomb.size() + (size_t{64} << 20), 0);
  write_gz(temp("bomb.gz"), bomb);
  write(temp("lab"), idx_labels(5));
  try {
    read_idx(temp("bomb.gz"), temp("lab"), 10);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(trailing data)"), std::string::npos) << e.what();
  }
  try {
    read_idx("/dev/zero", temp("lab"), 10);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
}

TEST(CifarReader, ReadsRecordsAsNhwc) {
  write(temp("c1.bin"), cifar_records(3, 1, 4));
  const Dataset d = to_dataset(read_cifar({temp("c1.bin")}, 1, 10), 10, "c");
  EXPECT_EQ(d.images.sizes(), (std::vector<int64_t>{3, 32, 32, 3}));
  EXPECT_EQ(d.images[1][0][0][2].item<int>(), 201);  // blue plane of record 1
  EXPECT_EQ(d.labels[2].item<int64_t>(), 4);
}

// CIFAR-100 records with coarse and fine labels of their own.
Bytes cifar100_records(int n, int coarse, int fine) {
  Bytes b = cifar_records(n, 2, fine);
  for (int r = 0; r < n; ++r) b[static_cast<size_t>(r) * 3074] = static_cast<uint8_t>(coarse);
  return b;
}

TEST(CifarReader, BrokenFilesAreClearErrors) {
  struct Broken {
    const char* name;
    Bytes bytes;
    bool gzip;
    int label_bytes;  // 1: read as CIFAR-10, 2: as CIFAR-100
    const char* message;
  };
  Bytes truncated = cifar_records(2, 1, 1);
  truncated.pop_back();
  Bytes tar(1024, 0);  // a ustar header: "ustar" at offset 257
  for (int i = 0; i < 5; ++i) tar[257 + i] = static_cast<uint8_t>("ustar"[i]);
  const std::vector<Broken> cases = {
      {"truncated record", truncated, false, 1, "not a whole number of 3073-byte records"},
      {"truncated gzip", cifar_records(2, 1, 1), true, 1, "gzip"},
      {"empty", {}, false, 1, "empty file"},
      {"label out of range", cifar_records(2, 1, 10), false, 1, "out of range for 10 classes"},
      {"fine label out of range", cifar100_records(2, 3, 100), false, 2,
       "out of range for 100 classes"},
      {"coarse label out of range", cifar100_records(2, 20, 5), false, 2, "20 superclasses"},
      {"CIFAR-100 read as CIFAR-10", cifar100_records(3, 1, 1), false, 1, "looks like CIFAR-100"},
      {"CIFAR-10 read as CIFAR-100", cifar_records(3, 1, 1), false, 2, "looks like CIFAR-10"},
      {"tar archive", tar, true, 1, "tar archive"},
  };
  for (const Broken& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = temp(c.gzip ? "broken.bin.gz" : "broken.bin");
    if (c.gzip && std::string(c.name) == "truncated gzip") {
      write_gz(path, c.bytes);
      Bytes gz;
      {
        std::ifstream in(path, std::ios::binary);
        gz.assign(std::istreambuf_iterator<char>(in), {});
      }
      gz.resize(gz.size() / 2);
      write(path, gz);
    } else if (c.gzip) {
      write_gz(path, c.bytes);
    } else {
      write(path, c.bytes);
    }
    try {
      read_cifar({path}, c.label_bytes, c.label_bytes == 1 ? 10 : 100);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  // Missing file and a directory in place of a file.
  for (const std::string& path : {std::string("/nonexistent.bin"), std::string("/tmp")}) {
    try {
      read_cifar({path}, 1, 10);
      FAIL() << "no error for " << path;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kIo) << e.what();
    }
  }
}

TEST(Dataset, UnknownNameAndMissingDirectory) {
  EXPECT_THROW(load_dataset("imagenet", "/tmp", Split::kTrain), Error);
  EXPECT_THROW(load_dataset("mnist", "", Split::kTrain), Error);
  EXPECT_THROW(load_dataset("mnist", "/nonexistent", Split::kTrain), Error);
}

TEST(HoldoutSplit, IsFixedDisjointAndChecked) {
  const HoldoutSplit a = split_holdout(100, 20, 30, 5), b = split_holdout(100, 20, 30, 5);
  EXPECT_TRUE(torch::equal(a.holdout, b.holdout));
  EXPECT_EQ(a.holdout.size(0), 20);
  EXPECT_EQ(a.train.size(0), 30);
  std::set<int64_t> seen;
  for (int64_t i = 0; i < 20; ++i) seen.insert(a.holdout[i].item<int64_t>());
  for (int64_t i = 0; i < 30; ++i) EXPECT_FALSE(seen.count(a.train[i].item<int64_t>()));
  EXPECT_EQ(split_holdout(100, 20, 0, 5).train.size(0), 80);
  EXPECT_THROW(split_holdout(100, 100, 0, 5), Error);
  EXPECT_THROW(split_holdout(100, 50, 60, 5), Error);
  EXPECT_THROW(split_holdout(100, -1, 0, 5), Error);
}

TEST(Batches, NormaliseAugmentAndResize) {
  write(temp("img"), idx_images(16, 6, 6));
  write(temp("lab"), idx_labels(16));
  const Dataset d = to_dataset(read_idx(temp("img"), temp("lab"), 10), 10, "t");
  const torch::Tensor all = torch::arange(16, torch::kLong);
  const Normalization n = compute_normalization(d, all);
  const Batch plain = make_batch(d, all, n, 6, 6, nullptr, nullptr);
  EXPECT_EQ(plain.images.sizes(), (std::vector<int64_t>{16, 1, 6, 6}));
  EXPECT_NEAR(plain.images.mean().item<float>(), 0.0f, 1e-4);
  EXPECT_NEAR(plain.images.std().item<float>(), 1.0f, 1e-2);
  AugmentOptions aug;
  aug.pad = 2;
  aug.flip = true;
  std::mt19937_64 r1(1), r2(1);
  const Batch a1 = make_batch(d, all, n, 6, 6, &aug, &r1),
              a2 = make_batch(d, all, n, 6, 6, &aug, &r2);
  EXPECT_TRUE(torch::equal(a1.images, a2.images));  // seeded
  EXPECT_FALSE(torch::equal(a1.images, plain.images));
  EXPECT_EQ(make_batch(d, all, n, 9, 8, nullptr, nullptr).images.sizes(),
            (std::vector<int64_t>{16, 1, 9, 8}));
}

TEST(Dataset, FashionMnistFromDebianWhenInstalled) {
  std::ifstream probe("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
  if (!probe) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const Dataset d = load_dataset("fashion-mnist", "", Split::kTest);
  EXPECT_EQ(d.size(), 10000);
  EXPECT_EQ(d.height, 28);
  EXPECT_EQ(d.classes, 10);
}

}  // namespace
}  // namespace mnas
