#ifndef MNAS_TESTING_FIXTURES_H_
#define MNAS_TESTING_FIXTURES_H_

// For tests only (header-only, linked as mnas_testing): what many test files used to write for
// themselves — temporary paths and folders, the message an mnas::Error carries, counting
// substrings, a tiny search space.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "space/search_space.h"
#include "space/zoo.h"

namespace mnas::testing {

// "/tmp/mnas_<suite>_<pid>_<name>" (or under $TMPDIR), unique to this process, with whatever an
// earlier run left there removed — the file and a store's journal and shared memory (-wal, -shm).
inline std::string fresh_path(const std::string& suite, const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  const std::string path = std::string(dir && *dir ? dir : "/tmp") + "/mnas_" + suite + "_" +
                           std::to_string(::getpid()) + "_" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

// A fresh empty folder at fresh_path(suite, name), removed with all it holds (links, not what
// they point to) when this goes.
class TempDir {
 public:
  TempDir(const std::string& suite, const std::string& name) : path_(fresh_path(suite, name)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// What `f` throws as an mnas::Error, or "" when it throws nothing.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// How often `what` occurs in `text` (overlapping occurrences too).
inline int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The default space at Fashion-MNIST's 28×28×1 and 10 classes: what the default search searches
// (SearchConfig::default_space, for tests below the search layer).
inline SearchSpace fashion_mnist_space() {
  SearchSpace s;
  s.set_input({28, 28, 1});
  s.set_classes(10);
  return s;
}

// Every zoo model, by name, at 64×64×3 and 10 classes: the ImageNet stem and every block, small
// enough for parity tests.
inline std::vector<std::pair<std::string, Architecture>> small_zoo_models() {
  std::vector<std::pair<std::string, Architecture>> out;
  for (const std::string& name : zoo_names()) {
    out.emplace_back(name, zoo_model(name, ZooOptions{{64, 64, 3}, 10, 1.0}));
  }
  return out;
}

// A small space (two searchable blocks, few choices) at 16×16, so that a whole lookup table
// builds on a (fake) device in a moment.
inline SearchSpace tiny_space() {
  return SearchSpace::from_json(R"({
    "input": "16x16x1", "classes": 10,
    "choices": {"ops": ["dconv", "mbconv_e3"], "kernels": [3, 5], "se_ratios": [0, 0.25],
                "skips": ["pool", "none"], "filter_ratios": [0.75, 1.25], "layer_deltas": [0, 1]},
    "searchable_blocks": [1, 3]})");
}

}  // namespace mnas::testing

#endif  // MNAS_TESTING_FIXTURES_H_
