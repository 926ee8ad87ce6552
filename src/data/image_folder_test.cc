#include "data/image_folder.h"

#include <gtest/gtest.h>
#include <stb/stb_image_write.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "data/dataset.h"

namespace mnas {
namespace {

std::string temp_dir(const std::string& name) {
  const std::string dir = "/tmp/mnas_image_folder_test_" + std::to_string(::getpid()) + "_" + name;
  std::system(("rm -rf '" + dir + "'").c_str());
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

void mkdirs(const std::string& path) { std::system(("mkdir -p '" + path + "'").c_str()); }

// A solid-colour PNG of w×h with `channels` channels.
void write_png(const std::string& path, int w, int h, int channels, unsigned char value) {
  std::vector<unsigned char> pixels(static_cast<size_t>(w) * h * channels, value);
  ASSERT_TRUE(stbi_write_png(path.c_str(), w, h, channels, pixels.data(), w * channels)) << path;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// What folder_with() writes as a solid 4x4 grey PNG.
const std::string kTinyPng = "<a 4x4 PNG>";

// "folder:ROOT", ROOT a fresh temporary folder holding `files` (path in it, bytes), their folders
// made.
std::string folder_with(const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& files) {
  const std::string root = temp_dir(name);
  for (const auto& [path, bytes] : files) {
    mkdirs(root + "/" + path.substr(0, path.rfind('/') + 1));
    if (bytes == kTinyPng) {
      write_png(root + "/" + path, 4, 4, 1, 1);
    } else {
      write_bytes(root + "/" + path, bytes);
    }
  }
  return "folder:" + root;
}

// root/train/{cat,dog}, root/test/{cat,dog}: cats dark, dogs bright, sizes and channels mixed.
std::string good_folder() {
  const std::string root = temp_dir("good");
  for (const char* split : {"train", "test"}) {
    for (const char* c : {"cat", "dog"}) mkdirs(root + "/" + split + "/" + c);
  }
  write_png(root + "/train/cat/1.png", 12, 10, 1, 20);
  write_png(root + "/train/cat/2.PNG", 7, 7, 3, 30);
  write_png(root + "/train/dog/1.png", 16, 16, 3, 200);
  write_png(root + "/train/dog/2.png", 12, 10, 4, 220);  // with alpha
  write_png(root + "/train/dog/3.png", 5, 9, 1, 240);
  write_bytes(root + "/train/dog/README.txt", "not an image: ignored");
  write_png(root + "/test/cat/1.png", 12, 10, 1, 25);
  write_png(root + "/test/dog/1.png", 12, 10, 1, 210);
  return root;
}

TEST(ImageFolder, ReadsClassesResizesAndConverts) {
  const std::string root = good_folder();
  const DatasetInfo info = dataset_info("folder:" + root);
  EXPECT_EQ(info.classes, 2);
  EXPECT_EQ(info.height, 10);  // the first image (train/cat/1.png), grey
  EXPECT_EQ(info.width, 12);
  EXPECT_EQ(info.channels, 1);

  const Dataset d = load_dataset("folder:" + root, "", Split::kTrain, ImageSize{8, 8, 3});
  ASSERT_EQ(d.size(), 5);
  EXPECT_EQ(d.images.sizes(), (std::vector<int64_t>{5, 8, 8, 3}));
  EXPECT_EQ(d.classes, 2);
  EXPECT_EQ(d.labels[0].item<int64_t>(), 0);
  EXPECT_EQ(d.labels[4].item<int64_t>(), 1);
  // Solid colours stay solid through grey→RGB conversion and resizing.
  EXPECT_EQ(d.images[0].min().item<int>(), 20);
  EXPECT_EQ(d.images[0].max().item<int>(), 20);
  EXPECT_EQ(d.images[2].min().item<int>(), 200);
  EXPECT_EQ(d.images[4].max().item<int>(), 240);

  const Dataset grey = load_dataset("folder:" + root, "", Split::kTest, ImageSize{6, 4, 1});
  EXPECT_EQ(grey.images.sizes(), (std::vector<int64_t>{2, 6, 4, 1}));
  EXPECT_EQ(grey.labels[1].item<int64_t>(), 1);
  EXPECT_EQ(grey.images[1].min().item<int>(), 210);

  // No size given: the first image's.
  const Dataset own = load_dataset("folder:" + root, "", Split::kTrain);
  EXPECT_EQ(own.images.sizes(), (std::vector<int64_t>{5, 10, 12, 1}));
}

TEST(ImageFolder, AFolderWithoutTrainIsTheTrainingSet) {
  const std::string root = temp_dir("flat");
  mkdirs(root + "/a");
  mkdirs(root + "/b");
  write_png(root + "/a/x.png", 4, 4, 1, 1);
  write_png(root + "/b/y.png", 4, 4, 1, 2);
  EXPECT_EQ(load_dataset("folder:" + root, "", Split::kTrain).size(), 2);
  try {
    load_dataset("folder:" + root, "", Split::kTest);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no test split"), std::string::npos) << e.what();
  }
}

TEST(ImageFolder, BrokenFoldersAndImagesAreClearErrors) {
  std::string png;
  {
    const std::string dir = temp_dir("png");
    write_png(dir + "/p.png", 16, 16, 3, 7);
    png = read_bytes(dir + "/p.png");
  }
  std::string bomb = png;  // IHDR width and height, big-endian, at bytes 16..23
  const std::string side("\x00\x00\x3e\x80", 4);
  bomb.replace(16, 4, side);
  bomb.replace(20, 4, side);
  struct Case {
    const char* what;
    std::string name;  // the data set, its folder made with folder_with()
    Split split;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"missing folder", "folder:/nonexistent/images", Split::kTrain, "not a directory"},
      {"no path", "folder:", Split::kTrain, "needs a path"},
      {"no class folders", folder_with("noclass", {{"a.png", "x"}}), Split::kTrain,
       "no class folders"},
      {"class without images",
       folder_with("emptyclass", {{"a/1.png", kTinyPng}, {"b/notes.txt", "no images here"}}),
       Split::kTrain, "emptyclass/b': no images"},
      {"garbage image",
       folder_with("garbage",
                   {{"a/1.png", kTinyPng}, {"a/2.png", "this is not a PNG file at all"}}),
       Split::kTrain, "2.png': cannot be decoded"},
      {"truncated image",
       folder_with("truncated",
                   {{"a/1.png", kTinyPng}, {"a/2.png", png.substr(0, png.size() / 2)}}),
       Split::kTrain, "2.png': cannot be decoded"},
      {"image claiming 16000x16000 pixels (a decompression bomb)",
       folder_with("bomb", {{"a/1.png", kTinyPng}, {"a/2.png", bomb}}), Split::kTrain,
       "2.png': 16000x16000 pixels is larger than mnas reads"},
      {"empty image file", folder_with("emptyfile", {{"a/1.jpg", ""}}), Split::kTrain,
       "1.jpg': cannot be decoded"},
      {"first image undecodable (info)", folder_with("badfirst", {{"a/0.bmp", "BM garbage"}}),
       Split::kTrain, "0.bmp': cannot be decoded"},
      {"test class unknown to training",
       folder_with("foreignclass", {{"train/a/1.png", kTinyPng}, {"test/zebra/1.png", kTinyPng}}),
       Split::kTest, "class folder 'zebra' is not one of the training set's classes"},
      {"test folder missing", folder_with("notest", {{"train/a/1.png", kTinyPng}}), Split::kTest,
       "test': not a directory"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string& name = c.name;
    try {
      load_dataset(name, "", c.split, ImageSize{4, 4, 1});
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
  try {
    load_dataset("folder:/tmp", "/somewhere", Split::kTrain);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--data-dir"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mnas
