#ifndef MNAS_CLI_EXPORT_OPTIONS_H_
#define MNAS_CLI_EXPORT_OPTIONS_H_

// What the parts of `mnas export` share (export_command.cc; export_describe.cc for --describe,
// export_detector_command.cc for a detector): the options as parsed, and the printout's helpers.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/arch_argument.h"
#include "cli/commands.h"
#include "cli/quantize_flags.h"
#include "export/onnx_export.h"

namespace mnas::cli {

// `mnas export`'s options as parsed.
struct ExportOptions {
  ArchOptions arch;  // arch.arch: the SOURCE
  std::string format = "onnx";
  std::string out;
  int opset = OnnxExportOptions{}.opset;
  int batch = OnnxExportOptions{}.batch;
  int64_t seed = 1;
  bool json = false;
  std::string describe;    // an ONNX file to read back instead of writing one
  QuantizeFlags quantize;  // int8: QDQ, calibrated here on the run's training images
  std::string data_dir;
  std::string task;  // "" (the source's), classification or detection
  CLI::App* cmd = nullptr;
};

// `mnas export --describe FILE`: what the file says about itself, to feed it without mnas.
void run_describe(const ExportOptions& o);

// A detector (a detection checkpoint when `trained`, else an architecture with --task detection)
// as SSDLite with boxes and scores (export_detector_onnx).
void run_detector_export(const ExportOptions& o, bool trained, const OnnxExportOptions& options,
                         bool int8);

// "1.23 MB".
inline std::string megabytes(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

// The shape of a tensor for the printout: "[1, 1164, 11]".
inline std::string shape_text(int batch, const std::vector<int64_t>& dims) {
  std::string out = batch > 0 ? std::to_string(batch) : "batch";
  for (int64_t d : dims) out += ", " + std::to_string(d);
  return "[" + out + "]";
}

}  // namespace mnas::cli

#endif  // MNAS_CLI_EXPORT_OPTIONS_H_
