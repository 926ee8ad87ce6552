#ifndef MNAS_TESTING_FIXTURES_H_
#define MNAS_TESTING_FIXTURES_H_

// For tests only (header-only, linked as mnas_testing): what many test files used to write for
// themselves — temporary paths, the message an mnas::Error carries, counting substrings, a tiny
// search space.

#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>

#include "base/error.h"
#include "space/search_space.h"

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
