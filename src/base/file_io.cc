#include "base/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "base/error.h"

namespace mnas {
namespace {

std::string describe_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISFIFO(mode)) return "a pipe";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string read_whole_file(const std::string& path, const std::string& what, size_t max_bytes) {
  const std::string where = what + " '" + path + "': ";
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused right after.
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) {
    throw Error(where + "cannot be read (" + std::strerror(errno) + ")", Error::Kind::kIo);
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw Error(where + "cannot be read", Error::Kind::kIo);
  if (!S_ISREG(st.st_mode)) {
    throw Error(where + "is " + describe_kind(st.st_mode) + ", not a file to read");
  }
  // The size before reading anything; then never more than that (a file that grows meanwhile is
  // read up to the bound, and refused past it).
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    throw Error(where + std::to_string(st.st_size) + " bytes; larger than the " +
                std::to_string(max_bytes) + " accepted");
  }
  std::string bytes;
  bytes.resize(static_cast<size_t>(st.st_size) + 1);
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(f.fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(where + "read failed (" + std::strerror(errno) + ")", Error::Kind::kIo);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > static_cast<size_t>(st.st_size)) {
    throw Error(where + "grew while it was read; try again once it is written", Error::Kind::kIo);
  }
  bytes.resize(got);
  return bytes;
}

void write_file_atomically(const std::string& path, const std::string& bytes,
                           const std::string& what) {
  const std::string where = what + " '" + path + "': ";
  if (path.empty()) throw Error(what + ": an empty path");
  // Only a regular file is replaced: a directory, a device (/dev/full), a pipe or a symbolic link
  // would be turned into a regular file by the rename below.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw Error(where + "is " + describe_kind(st.st_mode) +
                "; write to a new path or over a regular file");
  }
  // The temporary file beside the target (same file system: rename is atomic), unique, removed
  // on any failure.
  std::string tmp = path + ".tmp.XXXXXX";
  Fd f{::mkstemp(tmp.data())};
  if (f.fd < 0) {
    throw Error(where + "cannot write in its folder (" + std::strerror(errno) + ")",
                Error::Kind::kIo);
  }
  const auto fail = [&](const std::string& message) {
    ::unlink(tmp.c_str());
    throw Error(where + message + " (" + std::strerror(errno) + ")", Error::Kind::kIo);
  };
  ::fchmod(f.fd, 0644);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(f.fd) != 0) fail("cannot write");
  if (::close(f.fd) != 0) {
    f.fd = -1;
    fail("cannot write");
  }
  f.fd = -1;
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot replace the file");
}

std::string sibling_path(const std::string& path, const std::string& extension) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  const bool has_extension =
      dot != std::string::npos && (slash == std::string::npos ? dot > 0 : dot > slash + 1);
  return (has_extension ? path.substr(0, dot) : path) + extension;
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

void refuse_special_file(const std::string& path, const std::string& field,
                         const std::string& what) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return;
  throw Error(field + ": '" + path + "' is " + describe_kind(st.st_mode) + ", not " + what);
}

void refuse_output_over_input(const std::string& output, const std::string& output_field,
                              const std::vector<std::pair<std::string, std::string>>& inputs) {
  if (output.empty()) return;
  struct stat out {};
  const bool exists = ::stat(output.c_str(), &out) == 0;
  for (const auto& [field, path] : inputs) {
    struct stat in {};
    // A file the command creates first (a new store) and the output under the same path.
    const bool same = exists ? !path.empty() && ::stat(path.c_str(), &in) == 0 &&
                                   in.st_dev == out.st_dev && in.st_ino == out.st_ino
                             : path == output;
    if (same) {
      throw Error(output_field + ": '" + output + "' is " +
                  (output == path ? "" : "the same file as ") + field + " '" + path +
                  "', which this command reads; writing it would destroy it. Choose another "
                  "output file");
    }
  }
}

}  // namespace mnas
