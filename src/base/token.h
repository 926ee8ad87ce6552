#ifndef MNAS_BASE_TOKEN_H_
#define MNAS_BASE_TOKEN_H_

#include <string>
#include <string_view>

namespace mnas {

// True when `given` equals `expected`, in a time that depends only on their lengths (not on
// where they first differ), so that a client cannot find the token byte by byte by timing.
bool constant_time_equal(std::string_view given, std::string_view expected);

// A fresh random token: 32 hex characters (128 bits) from the system's random source.
std::string generate_token();

// The token in `path`: its first line without surrounding blanks. Throws mnas::Error naming the
// file when it cannot be read, is larger than 4 KiB, or the token is shorter than 16 characters
// or holds characters other than printable ASCII.
std::string read_token_file(const std::string& path);

}  // namespace mnas

#endif  // MNAS_BASE_TOKEN_H_
