#include "base/number_format.h"

#include <gtest/gtest.h>

namespace mnas {
namespace {

TEST(IntegerTextProblem, AcceptsExactDecimalIntegersOfTheirType) {
  EXPECT_EQ(integer_text_problem("0", false), "");
  EXPECT_EQ(integer_text_problem("18446744073709551615", false), "");  // 2^64 − 1
  EXPECT_EQ(integer_text_problem("-9223372036854775808", true), "");   // INT64_MIN
  EXPECT_EQ(integer_text_problem("9223372036854775807", true), "");
  EXPECT_EQ(integer_text_problem("007", true), "");
}

TEST(IntegerTextProblem, SaysWhatIsWrong) {
  EXPECT_EQ(integer_text_problem("9223372036854775808", true),
            "'9223372036854775808' is out of range");
  EXPECT_EQ(integer_text_problem("18446744073709551616", false),
            "'18446744073709551616' is out of range");
  EXPECT_EQ(integer_text_problem("-1", false), "'-1' is negative; must be ≥ 0");
  for (const char* bad : {"", "-", "0x10", "1e3", "1.0", " 1", "1 ", "+1", "12abc"}) {
    EXPECT_NE(integer_text_problem(bad, true).find("is not a decimal integer"), std::string::npos)
        << bad;
  }
}

TEST(FingerprintHex, IsStable) {
  // Device ids (stored in stores and lookup tables) and checkpoint names are made of it: these
  // values must never change.
  EXPECT_EQ(fingerprint_hex(""), "14650fb0739d0383");
  EXPECT_EQ(fingerprint_hex("a"), "44bd8ad473cd9906");
  EXPECT_NE(fingerprint_hex("ab"), fingerprint_hex("ba"));
}

}  // namespace
}  // namespace mnas
