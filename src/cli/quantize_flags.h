#ifndef MNAS_CLI_QUANTIZE_FLAGS_H_
#define MNAS_CLI_QUANTIZE_FLAGS_H_

// --precision, --calibration-images and --calibration, as `mnas eval` and `mnas export` take
// them: the post-training quantization of a checkpoint (graph/quantization.h).

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "graph/quantization.h"
#include "latency/precision.h"

namespace mnas::cli {

struct QuantizeFlags {
  std::string precision = "fp32", calibration;
  int64_t calibration_images = QuantizeOptions{}.calibration_images;
};

// Adds the three flags to `cmd`; `precision_help` says what int8 means for the command.
void add_quantize_flags(CLI::App* cmd, QuantizeFlags& flags, const std::string& precision_help);

struct Quantize {
  Precision precision = Precision::kFp32;
  QuantizeOptions options;
};
// Reads the flags `cmd` was given; throws mnas::Error naming the flag for a bad value, or for a
// calibration flag without --precision int8.
Quantize parse_quantize_flags(const QuantizeFlags& flags, const CLI::App& cmd);

}  // namespace mnas::cli

#endif  // MNAS_CLI_QUANTIZE_FLAGS_H_
