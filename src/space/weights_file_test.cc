#include "space/weights_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <limits>

#include "base/error.h"

namespace mnas {
namespace {

std::string temp(const std::string& name) {
  return "/tmp/mnas_weights_file_test_" + std::to_string(::getpid()) + "_" + name;
}

WeightsFile small() {
  WeightsFile w;
  w.arch = "any canonical string";
  w.mean = {0.5f};
  w.std = {0.25f};
  w.tensors["stem"] = {{2, 1, 1, 1}, {1.0f, -2.0f}, {0.5f, 0.25f}};
  w.tensors["classifier"] = {{3, 2}, {1, 2, 3, 4, 5, 6}, {0, 0, 0}};
  return w;
}

// A file with `header` as its JSON header and `floats` float32 values after it.
std::string file_with(const std::string& header, size_t floats) {
  std::string bytes("MNASW001", 8);
  for (int shift = 0; shift < 32; shift += 8)
    bytes.push_back(static_cast<char>((header.size() >> shift) & 0xff));
  bytes += header;
  bytes.append(floats * 4, '\0');
  return bytes;
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(WeightsFile, RoundTrips) {
  const std::string path = temp("good");
  write_weights_file(path, small());
  const WeightsFile back = read_weights_file(path);
  EXPECT_EQ(back.arch, "any canonical string");
  ASSERT_EQ(back.tensors.size(), 2u);
  EXPECT_EQ(back.tensors.at("classifier").shape, (std::vector<size_t>{3, 2}));
  EXPECT_EQ(back.tensors.at("classifier").weight[5], 6.0f);
  EXPECT_EQ(back.tensors.at("stem").bias[1], 0.25f);
  EXPECT_TRUE(back.labels.empty());  // none given: none written
  // The notes for whoever feeds the network go along.
  WeightsFile noted = small();
  noted.labels = {"cat", "dog", "T-shirt/top"};
  noted.preprocess = "decoded to RGB, resized to 32x32";
  write_weights_file(path, noted);
  const WeightsFile again = read_weights_file(path);
  EXPECT_EQ(again.labels, noted.labels);
  EXPECT_EQ(again.preprocess, noted.preprocess);
  // Told by its first bytes (how `mnas export` tells a weights file from a checkpoint).
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  EXPECT_TRUE(looks_like_weights_file(std::string_view(head, sizeof head)));
  EXPECT_FALSE(looks_like_weights_file("MNASCKPT"));
  EXPECT_FALSE(looks_like_weights_file("MNAS"));
  ::unlink(path.c_str());
}

TEST(WeightsFile, RefusesWhatItCannotTrust) {
  const std::string good_tensor = R"({"name":"t","shape":[2,3],"weights":6,"bias":2})";
  const auto header = [&](const std::string& tensors, const std::string& extra = "") {
    return R"({"arch":"a","mean":[0.5],"std":[0.25],"tensors":[)" + tensors + "]" + extra + "}";
  };
  struct Case {
    const char* what;
    std::string bytes;
    const char* message;
  };
  std::string nan_file = file_with(header(good_tensor), 8);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(&nan_file[nan_file.size() - 4], &nan, 4);
  const std::vector<Case> cases = {
      {"good, for reference", file_with(header(good_tensor), 8), ""},
      // Found by fuzz/fuzz_weights_file: a tensor without bias memcpy'd from a null pointer (UB).
      {"no bias", file_with(header(R"({"name":"t","shape":[2],"weights":2,"bias":0})"), 2), ""},
      {"not ours", "PK\x03\x04 a zip file", "not an mnas weights file"},
      {"header longer than the file", file_with(header(good_tensor), 8).substr(0, 30),
       "truncated header"},
      {"count beyond the file (would allocate 2^62 floats)",
       file_with(header(R"({"name":"t","shape":[2,3],"weights":4611686018427387904,"bias":2})"), 8),
       "t: truncated data"},
      {"shape overflowing size_t",
       file_with(
           header(R"({"name":"t","shape":[1048576,1048576,1048576,1048576],"weights":0,"bias":0})"),
           0),
       "t: shape and size disagree"},
      {"negative count", file_with(header(R"({"name":"t","shape":[2],"weights":-2,"bias":0})"), 0),
       "weights: not a count"},
      {"same tensor twice", file_with(header(good_tensor + "," + good_tensor), 16),
       "'t' is given twice"},
      {"duplicate key",
       file_with(R"({"arch":"a","arch":"b","mean":[0.5],"std":[0.25],"tensors":[]})", 0),
       "the key \"arch\" is given twice"},
      {"std zero", file_with(R"({"arch":"a","mean":[0.5],"std":[0],"tensors":[]})", 0),
       "std[0]: must be > 0"},
      {"mean and std lengths",
       file_with(R"({"arch":"a","mean":[0.5,0.5],"std":[1],"tensors":[]})", 0),
       "different lengths"},
      {"unknown field", file_with(header(good_tensor, R"(,"extra":1)"), 8), "extra: unknown field"},
      {"labels", file_with(header(good_tensor, R"(,"labels":["a","b"],"preprocess":"x")"), 8), ""},
      {"a label not text", file_with(header(good_tensor, R"(,"labels":["a",2])"), 8), "labels[1]"},
      {"an empty label", file_with(header(good_tensor, R"(,"labels":["a",""])"), 8),
       "labels[1]: a class name is 1 to 256 printable bytes"},
      {"a label with a line break",
       file_with(header(good_tensor, R"(,"labels":["a","b\nforged"])"), 8), "labels[1]"},
      {"number beyond a double", file_with(header(good_tensor).replace(20, 3, "1e999"), 8),
       "not valid JSON"},
      {"NaN weight", nan_file, "not finite"},
      {"trailing data", file_with(header(good_tensor), 9), "trailing data"},
      {"header not JSON", file_with("{\"arch\": ", 0), "not valid JSON"},
  };
  const std::string path = temp("bad");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    write(path, c.bytes);
    if (std::strlen(c.message) == 0) {
      EXPECT_NO_THROW(read_weights_file(path));
      continue;
    }
    try {
      read_weights_file(path);
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace mnas
