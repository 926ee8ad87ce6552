#ifndef MNAS_LATENCY_PRECISION_H_
#define MNAS_LATENCY_PRECISION_H_

#include <string>

namespace mnas {

// The arithmetic a network is timed in: float32, or int8 (per-channel int8 weights, per-tensor
// int8 activations, the fp32 input and logits converted inside: latency/xnnpack_subgraph.h).
enum class Precision { kFp32, kInt8 };

std::string to_string(Precision precision);  // "fp32", "int8"
// Throws mnas::Error about `field` for anything but "fp32" and "int8".
Precision parse_precision(const std::string& text, const std::string& field);

}  // namespace mnas

#endif  // MNAS_LATENCY_PRECISION_H_
