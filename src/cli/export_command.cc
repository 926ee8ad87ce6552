// `mnas export`: a network as a file another runtime loads — an architecture with random weights,
// or trained weights from a checkpoint or a weights file — today as ONNX (src/export).
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/number_format.h"
#include "cli/export_options.h"
#include "cli/field_flags.h"
#include "graph/graph.h"
#include "space/architecture_codec.h"
#include "space/weights_file.h"
#include "space/zoo.h"
#include "train/checkpoint.h"
#include "train/checkpoint_file.h"
#include "train/trainer.h"
#include "train/xnnpack_eval.h"

namespace mnas::cli {
namespace {

// What SOURCE names: a file of trained weights, told by its first bytes, or an architecture.
enum class SourceKind { kArchitecture, kCheckpoint, kWeightsFile };

SourceKind source_kind(const std::string& source) {
  if (source.empty() || source[0] == '@' || is_zoo_name(source)) return SourceKind::kArchitecture;
  refuse_special_file(source, "SOURCE", "a checkpoint or weights file");  // a pipe would hang
  std::ifstream in(source, std::ios::binary);
  if (!in) return SourceKind::kArchitecture;  // a canonical string (resolve_arch says if not)
  char head[8] = {};
  in.read(head, sizeof head);
  const std::string magic(head, static_cast<size_t>(in.gcount()));
  if (looks_like_weights_file(magic)) return SourceKind::kWeightsFile;
  if (looks_like_checkpoint(magic)) return SourceKind::kCheckpoint;
  throw Error("'" + source +
              "' is neither a checkpoint (mnas train --out) nor a weights file (mnas eval "
              "--export-weights); for an architecture in a file, write @" +
              source);
}

void run_export(const ExportOptions& o) {
  if (!o.describe.empty()) return run_describe(o);
  if (o.arch.arch.empty()) {
    throw Error(
        "SOURCE is required: a checkpoint, weights file or architecture (or --describe "
        "FILE to read an ONNX file back)");
  }
  if (o.out.empty() && o.cmd->count("--out") == 0) throw Error("--out is required");
  if (o.format != "onnx") throw Error("--format: unknown '" + o.format + "'; use onnx");
  if (o.out.empty()) throw Error("--out: empty; name the file to write");
  refuse_output_over_input(
      o.out, "--out",
      {{"SOURCE",
        !o.arch.arch.empty() && o.arch.arch[0] == '@' ? o.arch.arch.substr(1) : o.arch.arch}});
  if (o.seed < 0) throw Error("--seed: " + std::to_string(o.seed) + "; must be ≥ 0");
  OnnxExportOptions options;
  options.opset = o.opset;
  options.batch = o.batch;
  options.seed = static_cast<uint64_t>(o.seed);
  try {
    check_export_options(options);
  } catch (const Error& e) {
    rethrow_as_flag(e);
  }
  const Quantize q = parse_quantize_flags(o.quantize, *o.cmd);
  const QuantizeOptions& quantize = q.options;
  const bool int8 = q.precision == Precision::kInt8;
  if (!int8 && o.cmd->count("--data-dir") > 0) {
    throw Error::about("--data-dir",
                       "calibrates an int8 export (--precision int8); this one is fp32");
  }
  if (int8 && o.opset < 13) {
    throw Error::about("--opset", std::to_string(o.opset) +
                                      ": an int8 (QDQ) export needs 13 or newer (per-channel "
                                      "DequantizeLinear)");
  }
  Int8Calibration calibration;

  const SourceKind kind = source_kind(o.arch.arch);
  if (!o.task.empty() && o.task != "classification" && o.task != "detection") {
    throw Error::about("--task", "unknown '" + o.task + "'; use classification or detection");
  }
  if (kind == SourceKind::kCheckpoint) {
    const std::string task = checkpoint_task(load_checkpoint_options(o.arch.arch));
    if (!o.task.empty() && o.task != task) {
      throw Error::about("--task", o.task + ": '" + o.arch.arch + "' is a " + task +
                                       " checkpoint; leave --task out (a checkpoint says its own)");
    }
    if (task == "detection") {
      for (const char* flag : {"--input", "--classes", "--multiplier", "--seed"}) {
        if (o.cmd->count(flag) > 0) {
          throw Error(std::string(flag) + ": trained weights fit only their own network; leave "
                      "it out");
        }
      }
      return run_detector_export(o, /*trained=*/true, options, int8);
    }
  } else if (o.task == "detection") {
    if (kind == SourceKind::kWeightsFile) {
      throw Error::about("--task", "detection: a weights file keeps no default boxes; export the "
                                   "detector's checkpoint");
    }
    return run_detector_export(o, /*trained=*/false, options, int8);
  }
  Architecture arch;
  std::unique_ptr<WeightsFile> weights;
  std::string label = o.arch.arch;
  if (kind == SourceKind::kArchitecture) {
    if (int8) {
      throw Error::about("--precision",
                         "int8 quantizes trained weights, calibrated on their training images; '" +
                             o.arch.arch +
                             "' is an architecture with random weights: export "
                             "a checkpoint (mnas train --out)");
    }
    const ResolvedArch r = resolve_arch(o.arch.arch, adjustments(o.arch));
    arch = r.arch;
    label = r.label;
  } else {
    for (const char* flag : {"--input", "--classes", "--multiplier"}) {
      if (o.cmd->count(flag) > 0) {
        throw Error(std::string(flag) +
                    ": trained weights fit only their own network; leave it out (or export the "
                    "architecture alone, with random weights)");
      }
    }
    if (o.cmd->count("--seed") > 0) {
      throw Error("--seed: only for an architecture's random weights; '" + o.arch.arch +
                  "' has trained ones");
    }
    weights = std::make_unique<WeightsFile>();
    if (kind == SourceKind::kWeightsFile) {
      if (int8) {
        throw Error::about("--precision",
                           "int8 calibrates on the training images of the checkpoint's run; a "
                           "weights file (" +
                               o.arch.arch +
                               ") does not say what they were: "
                               "export the checkpoint");
      }
      *weights = read_weights_file(o.arch.arch);
    } else {
      LoadedCheckpoint c = load_trained_checkpoint(o.arch.arch);
      if (int8) {
        Graph graph = lower_architecture(c.arch);
        apply_weights(graph, c.folded_weights);
        std::cerr << "mnas: calibrating the int8 quantization on up to "
                  << quantize.calibration_images << " training images of the run\n";
        calibration = calibrate_checkpoint(c, graph, o.arch.arch, o.data_dir, quantize);
        options.int8 = &calibration;
      }
      weights->arch = to_canonical_string(c.arch);
      weights->mean = std::move(c.mean);
      weights->std = std::move(c.std);
      weights->tensors = std::move(c.folded_weights);
      weights->labels = std::move(c.labels);
      weights->preprocess = std::move(c.preprocess);
    }
    arch = parse_architecture_string(weights->arch);
  }
  std::cerr << "mnas: exporting " << label << " to " << o.out << " (ONNX opset " << o.opset
            << (int8 ? ", int8 QDQ" : "") << ")\n";
  const std::string bytes = export_onnx(arch, weights.get(), options);
  write_file_atomically(o.out, bytes, "ONNX model");

  const std::string input =
      shape_text(o.batch, {arch.input.channels, arch.input.height, arch.input.width});
  const std::string output = shape_text(o.batch, {arch.classes});
  const std::string weights_text =
      weights ? "trained (" +
                    std::string(kind == SourceKind::kCheckpoint ? "checkpoint" : "weights file") +
                    " " + o.arch.arch + ")"
              : "random (seed " + std::to_string(o.seed) + "): for latency, not for accuracy";
  if (o.json) {
    nlohmann::json j = {{"file", o.out},
                        {"format", "onnx"},
                        {"opset", o.opset},
                        {"bytes", bytes.size()},
                        {"architecture", to_canonical_string(arch)},
                        {"weights", weights ? "trained" : "random"},
                        {"precision", int8 ? "int8" : "fp32"},
                        {"input", {{"name", "input"}, {"shape", input}, {"layout", "NCHW"}}},
                        {"output", {{"name", "logits"}, {"shape", output}}}};
    if (weights) {
      j["mean"] = weights->mean;
      j["std"] = weights->std;
    }
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "Wrote " << o.out << " (ONNX opset " << o.opset << ", " << megabytes(bytes.size())
            << ")\n"
            << "  network  " << label << "\n"
            << "  weights  " << weights_text << "\n"
            << (int8 ? "  int8     QDQ: QuantizeLinear/DequantizeLinear around the float "
                       "operators, " +
                           to_string(calibration.method) + " ranges of " +
                           std::to_string(calibration.images) + " training images\n"
                     : std::string())
            << "  input    'input' float32 " << input
            << " NCHW, pixels in [0, 1]; the normalisation is inside the model\n"
            << "  output   'logits' float32 " << output << ", before softmax\n";
}

}  // namespace

void add_export_command(CLI::App& app) {
  const auto [o, cmd] = add_subcommand<ExportOptions>(
      app, "export",
      "Write a network as a file other runtimes load (ONNX): trained or random weights",
      run_export);
  std::string zoo;
  for (const std::string& n : zoo_names()) zoo += (zoo.empty() ? "" : ", ") + n;
  cmd->add_option("SOURCE", o->arch.arch,
                  "A checkpoint (mnas train --out) or weights file (mnas eval --export-weights): "
                  "the trained network; or an architecture with random weights (for latency "
                  "only): a zoo model (" +
                      zoo + "), a canonical architecture string, or @FILE");
  cmd->add_option("--out", o->out, "The file to write, e.g. model.onnx (required with SOURCE)");
  cmd->add_option("--describe", o->describe,
                  "Read an ONNX file back instead: its input, output, opset and what mnas "
                  "recorded to feed it (class names, channel order, scaling, resizing)");
  cmd->add_option("--format", o->format, "onnx (default; the only one so far)");
  cmd->add_option("--opset", o->opset,
                  "ONNX opset the model declares, " + std::to_string(kMinOpset) + " to " +
                      std::to_string(kMaxOpset) + " (default " + std::to_string(o->opset) +
                      "; every one of them reads in OpenCV 4.6)");
  cmd->add_option("--batch", o->batch,
                  "Batch size the file fixes (default 1), or 0 for any (a symbolic dimension; "
                  "OpenCV 4.6 runs squeeze-and-excitation networks at batch 1 only)");
  cmd->add_option("--seed", o->seed, "Seed of an architecture's random weights (default 1)");
  cmd->add_option(
      "--input", o->arch.input,
      "An architecture's input shape HxWxC (default: its own; 224x224x3 for zoo models)");
  cmd->add_option("--classes", o->arch.classes,
                  "An architecture's number of classes (default: its own; 1000 for zoo models)");
  cmd->add_option(
      "--multiplier", o->arch.multiplier,
      "An architecture's width multiplier (MnasNet's \"depth multiplier\": channels; default 1.0)");
  cmd->add_option("--task", o->task,
                  "classification or detection: for an architecture, SSDLite on it with "
                  "random weights (--classes categories); a checkpoint says its own (default)");
  add_quantize_flags(cmd, o->quantize,
                     "fp32 (default) or int8: a checkpoint quantized as `mnas eval --engine "
                     "xnnpack --precision int8` runs it, written as QDQ (QuantizeLinear/"
                     "DequantizeLinear around the float operators; opset 13 or newer)");
  cmd->add_option("--data-dir", o->data_dir,
                  "With --precision int8: where the run's data set is (default: its own place)");
  cmd->add_flag("--json", o->json, "Print what was written as JSON");
  cmd->footer(
      "The model takes 'input', float32 [batch, C, H, W] with pixels in [0, 1] (the training "
      "normalisation is part of the model), and gives 'logits' [batch, classes]. It is the network "
      "mnas measures with XNNPACK: BatchNorm folded into the convolutions. A detector gives "
      "'scores' [batch, boxes, categories + 1] and 'boxes' [batch, boxes, 4] instead "
      "(docs/detection.md). docs/export.md has how to run it with ONNX Runtime, OpenCV and "
      "TensorRT.");
}

}  // namespace mnas::cli
