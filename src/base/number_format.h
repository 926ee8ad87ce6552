#ifndef MNAS_BASE_NUMBER_FORMAT_H_
#define MNAS_BASE_NUMBER_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mnas {

// The shortest decimal text that reads back as exactly `value` ("0.25", "1", "0.2").
// Canonical architecture strings rely on this round trip being exact.
std::string format_double(double value);

// Consume a decimal integer (optional '-') from the front of `text`; throw mnas::Error(`message`)
// when there is none or it does not fit in an int.
int parse_int(std::string_view& text, const std::string& message);

// Parse all of `text` as a finite decimal number; throw mnas::Error(`message`) otherwise.
double parse_double(std::string_view text, const std::string& message);

// "" when all of `text` is a decimal integer that fits its 64-bit type (a leading '-' only when
// `is_signed`), else what is wrong with it. For command-line options: CLI11 2.1 turns 1e20 into
// INT64_MAX for an int64 option, -1 into 2^64 − 1 for an unsigned one and reads 0x10 as 16, all
// without a word.
std::string integer_text_problem(std::string_view text, bool is_signed);

// The exact product of `factors` in decimal, however large (each factor ≤ 2^40).
std::string product_exact(const std::vector<uint64_t>& factors);

// 1.5e13 style: two significant digits of 10^`log10_value`.
std::string format_power_of_ten(double log10_value);

// 1234567 → "1,234,567".
std::string group_thousands(int64_t value);

// A 64-bit FNV-1a-style hash of `text` as 16 hex digits: a stable, short fingerprint (not a
// secret) for ids and file names. Its offset basis is 1469598103934665603, not FNV's
// 14695981039346656037 (a digit short since the first device ids): kept, because stored device
// ids are made of it.
std::string fingerprint_hex(std::string_view text);

}  // namespace mnas

#endif  // MNAS_BASE_NUMBER_FORMAT_H_
