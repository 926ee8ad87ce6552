#include "base/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "base/error.h"

namespace mnas {

std::string format_double(double value) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), value);
  MNAS_ASSERT(result.ec == std::errc());
  return std::string(buf, result.ptr);
}

int parse_int(std::string_view& text, const std::string& message) {
  int value = 0;
  auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc()) throw Error(message);
  text.remove_prefix(static_cast<size_t>(result.ptr - text.data()));
  return value;
}

double parse_double(std::string_view text, const std::string& message) {
  double value = 0;
  if (text.empty()) throw Error(message);
  auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() ||
      !std::isfinite(value)) {
    throw Error(message);
  }
  return value;
}

std::string integer_text_problem(std::string_view text, bool is_signed) {
  const std::string quoted = "'" + std::string(text.substr(0, 40)) + "'";
  const bool negative = !text.empty() && text.front() == '-';
  if (negative && !is_signed) return quoted + " is negative; must be ≥ 0";
  const std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return quoted + " is not a decimal integer";
  }
  bool fits = true;
  if (is_signed) {
    int64_t value = 0;
    fits = std::from_chars(text.data(), text.data() + text.size(), value).ec == std::errc();
  } else {
    uint64_t value = 0;
    fits = std::from_chars(text.data(), text.data() + text.size(), value).ec == std::errc();
  }
  return fits ? std::string() : quoted + " is out of range";
}

std::string product_exact(const std::vector<uint64_t>& factors) {
  std::string digits = "1";  // little-endian decimal digits
  for (uint64_t factor : factors) {
    MNAS_ASSERT(factor <= (uint64_t{1} << 40));
    uint64_t carry = 0;  // digit × factor + carry < 10 × 2^40 + carry: no overflow
    for (char& d : digits) {
      const uint64_t v = static_cast<uint64_t>(d - '0') * factor + carry;
      d = static_cast<char>('0' + v % 10);
      carry = v / 10;
    }
    for (; carry > 0; carry /= 10) digits.push_back(static_cast<char>('0' + carry % 10));
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  return std::string(digits.rbegin(), digits.rend());
}

std::string format_power_of_ten(double log10_value) {
  int exponent = static_cast<int>(std::floor(log10_value));
  double mantissa = std::pow(10.0, log10_value - exponent);
  if (mantissa >= 9.95) {  // would print as 10.0
    mantissa /= 10;
    ++exponent;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.1fe%d", mantissa, exponent);
  return buf;
}

std::string group_thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string fingerprint_hex(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace mnas
