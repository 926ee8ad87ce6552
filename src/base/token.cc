#include "base/token.h"

#include <cstdio>
#include <random>

#include "base/error.h"
#include "base/file_io.h"

namespace mnas {

bool constant_time_equal(std::string_view given, std::string_view expected) {
  // Compare over the expected length whatever was given; a length mismatch only flips the result.
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0;
}

std::string generate_token() {
  std::random_device source;  // /dev/urandom on Linux
  std::string token;
  for (int i = 0; i < 4; ++i) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(source()));
    token += buf;
  }
  return token;
}

std::string read_token_file(const std::string& path) {
  std::string text = read_whole_file(path, "token file", 4096);
  text = text.substr(0, text.find('\n'));
  const size_t begin = text.find_first_not_of(" \t\r");
  const size_t end = text.find_last_not_of(" \t\r");
  text = begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
  const std::string where = "--token-file '" + path + "': ";
  if (text.size() < 16) {
    throw Error(where + "the token (the file's first line) must have at least 16 characters");
  }
  for (unsigned char c : text) {
    if (c < 0x21 || c > 0x7e) throw Error(where + "the token must be printable ASCII, no blanks");
  }
  return text;
}

}  // namespace mnas
