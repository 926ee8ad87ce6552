#include "latency/precision.h"

#include "base/error.h"

namespace mnas {

std::string to_string(Precision precision) {
  return precision == Precision::kInt8 ? "int8" : "fp32";
}

Precision parse_precision(const std::string& text, const std::string& field) {
  if (text == "fp32") return Precision::kFp32;
  if (text == "int8") return Precision::kInt8;
  throw Error::about(field, "'" + text + "'; use fp32 or int8");
}

}  // namespace mnas
