#include "cli/quantize_flags.h"

#include "base/error.h"

namespace mnas::cli {

void add_quantize_flags(CLI::App* cmd, QuantizeFlags& flags, const std::string& precision_help) {
  cmd->add_option("--precision", flags.precision, precision_help);
  cmd->add_option("--calibration-images", flags.calibration_images,
                  "With --precision int8: training images of the checkpoint's run the activation "
                  "ranges are read on (default " +
                      std::to_string(QuantizeOptions{}.calibration_images) + ")");
  cmd->add_option("--calibration", flags.calibration,
                  "With --precision int8: percentile (default: the rarest 0.01% of each side "
                  "clipped) or minmax (every observed value)");
}

Quantize parse_quantize_flags(const QuantizeFlags& flags, const CLI::App& cmd) {
  Quantize q;
  q.precision = parse_precision(flags.precision, "--precision");
  q.options.calibration_images = flags.calibration_images;
  if (q.options.calibration_images < 1) {
    throw Error::about("--calibration-images",
                       "must be ≥ 1, not " + std::to_string(flags.calibration_images));
  }
  if (!flags.calibration.empty()) {
    q.options.method = parse_calibration_method(flags.calibration, "--calibration");
  }
  if (q.precision != Precision::kInt8) {
    for (const char* flag : {"--calibration", "--calibration-images"}) {
      if (cmd.count(flag) > 0) {
        throw Error::about(flag, "quantizes for --precision int8; this one is fp32");
      }
    }
  }
  return q;
}

}  // namespace mnas::cli
