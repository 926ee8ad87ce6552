// `mnas search --dataset folder:PATH` through the real binary: a search on your own images takes
// their input shape and classes unless told otherwise, and says so.
#include <stb/stb_image_write.h>

#include <random>
#include <vector>

#include "cli/cli_test_util.h"

namespace {

// root/train/<class>/N.png: `classes` classes of noisy width×height images, `channels` each.
std::string make_folder(const std::string& name, int classes, int width, int height,
                        int channels) {
  const std::string root = temp_path(name);
  [[maybe_unused]] int rc = std::system(("rm -rf '" + root + "'").c_str());
  std::mt19937 rng(7);
  for (int c = 0; c < classes; ++c) {
    const std::string dir = root + "/train/class" + std::to_string(c);
    rc = std::system(("mkdir -p '" + dir + "'").c_str());
    for (int i = 0; i < 12; ++i) {
      std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * channels);
      for (auto& p : pixels) p = static_cast<unsigned char>(c * 60 + rng() % 60);
      EXPECT_TRUE(stbi_write_png((dir + "/" + std::to_string(i) + ".png").c_str(), width, height,
                                 channels, pixels.data(), width * channels));
    }
  }
  return root;
}

struct Searched {
  Result result;
  nlohmann::json config;
};

Searched search_on(const std::string& root, const std::string& flags) {
  const std::string store = temp_path("folder_search.db");
  const auto remove_all = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
    std::remove((store.substr(0, store.rfind('.')) + ".html").c_str());
  };
  remove_all();
  Searched s;
  s.result = run_mnas("search --store " + store + " --dataset folder:" + root +
                      " --trials 1 --batch 1 --train-images 24 --holdout 8 --threads 1"
                      " --references none --target-ms 5" + flags);
  if (s.result.exit_code == 0) s.config = run_json("results " + store + " --json")["config"];
  remove_all();
  return s;
}

TEST(FolderSearch, TakesTheInputAndClassesFromTheImages) {
  const std::string root = make_folder("colour36", 3, 36, 36, 3);
  const Searched s = search_on(root, "");
  ASSERT_EQ(s.result.exit_code, 0) << s.result.err;
  EXPECT_NE(s.result.err.find("mnas: input 36x36x3 and 3 classes from folder:" + root),
            std::string::npos)
      << s.result.err;
  EXPECT_EQ(s.config["space"]["input"],
            nlohmann::json({{"height", 36}, {"width", 36}, {"channels", 3}}))
      << s.config["space"];
  EXPECT_EQ(s.config["space"]["classes"], 3);
  // What the user gives wins: grey 20x20, the classes still from the data.
  const Searched given = search_on(root, " --input 20x20x1");
  ASSERT_EQ(given.result.exit_code, 0) << given.result.err;
  EXPECT_NE(given.result.err.find("mnas: 3 classes from folder:"), std::string::npos)
      << given.result.err;
  EXPECT_EQ(given.config["space"]["input"]["channels"], 1);
  EXPECT_EQ(given.config["space"]["input"]["height"], 20);
  [[maybe_unused]] int rc = std::system(("rm -rf '" + root + "'").c_str());
}

TEST(FolderSearch, LargeImagesAreSearchedAt224) {
  const std::string root = make_folder("large", 2, 300, 240, 1);
  const Searched s = search_on(root, "");
  ASSERT_EQ(s.result.exit_code, 0) << s.result.err;
  EXPECT_NE(s.result.err.find("mnas: input 224x224x1 (its first image is 240x300, resized) and 2 "
                              "classes from folder:"),
            std::string::npos)
      << s.result.err;
  EXPECT_EQ(s.config["space"]["input"]["height"], 224);
  EXPECT_EQ(s.config["space"]["input"]["width"], 224);
  EXPECT_EQ(s.config["space"]["input"]["channels"], 1);
  [[maybe_unused]] int rc = std::system(("rm -rf '" + root + "'").c_str());
}

}  // namespace
