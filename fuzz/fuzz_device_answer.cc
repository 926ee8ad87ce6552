// libFuzzer: what a remote device answers, as the client reads it (latency_json.h readers).
#include <cstdint>
#include <string>

#include "base/error.h"
#include "base/json_fields.h"
#include "latency/latency_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json j = mnas::json_fields::parse(text, "answer");
    try {
      mnas::latency_result_from_json(j, "answer");
    } catch (const mnas::Error&) {
    }
    try {
      mnas::paired_latency_from_json(j, "answer");
    } catch (const mnas::Error&) {
    }
    try {
      mnas::device_info_from_json(j, "answer");
    } catch (const mnas::Error&) {
    }
    try {
      if (j.is_object() && j.contains("operators")) mnas::operators_from_json(j["operators"], "a");
    } catch (const mnas::Error&) {
    }
    try {
      mnas::protocol_from_json(j, "protocol");
    } catch (const mnas::Error&) {
    }
  } catch (const mnas::Error&) {
  }
  return 0;
}
