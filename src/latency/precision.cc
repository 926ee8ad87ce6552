#include "latency/precision.h"

#include "base/enum_names.h"

namespace mnas {
namespace {

constexpr EnumName<Precision> kPrecisionNames[] = {{Precision::kFp32, "fp32"},
                                                   {Precision::kInt8, "int8"}};

}  // namespace

std::string to_string(Precision precision) { return enum_name(precision, kPrecisionNames); }

Precision parse_precision(const std::string& text, const std::string& field) {
  return parse_enum_name(text, kPrecisionNames, field);
}

}  // namespace mnas
