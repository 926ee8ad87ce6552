// Reading and writing files from outside: regular files only, bounded before reading, and an
// atomic write that never replaces what is not a regular file nor leaves its temporary behind.
#include "base/file_io.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "base/error.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
        names.push_back(e->d_name);
    }
    ::closedir(d);
  }
  return names;
}

void expect_error(const std::function<void()>& f, const std::string& part) {
  const std::string message = mnas::testing::error_of(f);
  EXPECT_NE(message.find(part), std::string::npos)
      << (message.empty() ? "no error; expected one with '" + part + "'" : message);
}

TEST(ReadWholeFile, RegularFilesOnlyAndBoundedBeforeReading) {
  const mnas::testing::TempDir temp("file_io_test", "read");
  const std::string dir = temp.path(), file = dir + "/a.json", fifo = dir + "/pipe";
  std::ofstream(file) << "{\"a\": 1}";
  EXPECT_EQ(read_whole_file(file, "space file"), "{\"a\": 1}");
  expect_error([&] { read_whole_file(file, "space file", 4); },
               "space file '" + file + "': 8 bytes");
  expect_error([&] { read_whole_file(dir, "space file"); }, "is a directory");
  // Would grow memory until killed if it were read before its size is known.
  expect_error([&] { read_whole_file("/dev/zero", "architecture file"); }, "is a device");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_error([&] { read_whole_file(fifo, "space file"); }, "is a pipe");  // and does not hang
  expect_error([&] { read_whole_file(dir + "/absent", "space file"); }, "cannot be read");
}

TEST(WriteFileAtomically, ReplacesOnlyRegularFilesAndLeavesNoTemporary) {
  const mnas::testing::TempDir temp("file_io_test", "write");
  const std::string dir = temp.path();
  const std::string file = dir + "/report.html", fifo = dir + "/pipe", link = dir + "/link",
                    sub = dir + "/sub";
  write_file_atomically(file, "one", "report");
  write_file_atomically(file, "two", "report");
  EXPECT_EQ(slurp(file), "two");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_EQ(::symlink(file.c_str(), link.c_str()), 0);
  ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
  for (const std::string& special : {fifo, link, sub}) {
    expect_error([&] { write_file_atomically(special, "x", "report"); }, "report '" + special);
  }
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));  // still a pipe
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));  // still a link
  EXPECT_EQ(slurp(file), "two");
  // A folder that cannot be written: an error, and nothing left behind.
  expect_error([&] { write_file_atomically("/nonexistent-dir/r.html", "x", "report"); },
               "cannot write");
  std::vector<std::string> left = entries(dir);
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"link", "pipe", "report.html", "sub"}));
}

TEST(RefuseOutputOverInput, TheSameFileUnderAnyNameIsRefusedAnotherIsFine) {
  const mnas::testing::TempDir temp("file_io_test", "refuse");
  const std::string dir = temp.path();
  const std::string input = dir + "/model.ckpt", hard = dir + "/hard", soft = dir + "/soft",
                    other = dir + "/other";
  std::ofstream(input) << "weights";
  std::ofstream(other) << "x";
  ASSERT_EQ(::link(input.c_str(), hard.c_str()), 0);
  ASSERT_EQ(::symlink(input.c_str(), soft.c_str()), 0);
  const std::vector<std::pair<std::string, std::string>> inputs = {{"CKPT", input}};
  for (const std::string& out : {input, hard, soft, dir + "/./model.ckpt"}) {
    expect_error([&] { refuse_output_over_input(out, "--out", inputs); },
                 "--out: '" + out + "' is ");
  }
  expect_error([&] { refuse_output_over_input(hard, "--out", inputs); },
               "the same file as CKPT '" + input + "', which this command reads");
  refuse_output_over_input(other, "--out", inputs);          // another file
  refuse_output_over_input(dir + "/new.onnx", "--out", inputs);  // a new one
  refuse_output_over_input(other, "--out", {{"CKPT", dir + "/absent"}});
  // A file the command creates first (a new store) is an input under its own path.
  expect_error(
      [&] {
        refuse_output_over_input(dir + "/s.db", "--report", {{"--store", dir + "/s.db"}});
      },
      "--report: '" + dir + "/s.db' is --store");
  EXPECT_EQ(slurp(input), "weights");
}

TEST(SiblingPath, ReplacesTheExtensionOfTheFileOnly) {
  EXPECT_EQ(sibling_path("search.db", ".html"), "search.html");
  EXPECT_EQ(sibling_path("runs/a", ".html"), "runs/a.html");
  EXPECT_EQ(sibling_path("runs.v2/a", ".finalists"), "runs.v2/a.finalists");
  EXPECT_EQ(sibling_path("/tmp/x.tar.db", ".html"), "/tmp/x.tar.html");
  EXPECT_EQ(sibling_path(".db", ".html"), ".db.html");
  EXPECT_EQ(sibling_path("dir/.hidden", ".html"), "dir/.hidden.html");
}

}  // namespace
}  // namespace mnas
