// `mnas train` and `mnas eval`: train an architecture on a data set; evaluate a checkpoint.
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/machine.h"
#include "cli/app.h"
#include "cli/arch_argument.h"
#include "cli/commands.h"
#include "cli/detection_run.h"
#include "cli/field_flags.h"
#include "cli/interrupt.h"
#include "cli/quantize_flags.h"
#include "cli/table.h"
#include "cli/train_progress.h"
#include "data/dataset.h"
#include "data/detection_dataset.h"
#include "graph/quantization.h"
#include "latency/measurement.h"
#include "latency/precision.h"
#include "space/architecture_codec.h"
#include "space/zoo.h"
#include "train/train_device.h"
#include "train/train_options_fields.h"
#include "train/trainer.h"
#include "train/xnnpack_eval.h"

namespace mnas::cli {
namespace {

struct TrainCommandOptions {
  ArchOptions arch;
  FieldFlags flags;    // the training flags as given (train/train_options_fields.h)
  TrainOptions train;  // the recipe with them applied
  std::string recipe = "full";
  std::string task = "classification";
  std::string resume;
  bool json = false;
  const CLI::App* cmd = nullptr;
};

// The recipe's options for the task with every flag given on the command line on top.
TrainOptions with_recipe(const std::string& recipe, const std::string& task,
                         const FieldFlags& flags, const CLI::App& cmd) {
  TrainOptions t;
  try {
    t = train_recipe(recipe, task);
  } catch (const Error& e) {  // "task: unknown 'x'; ..." -> "--task: unknown 'x'; ..."
    rethrow_as_flag(e);
  }
  try {
    apply_given_flags(cmd, train_option_fields(), flags, t);
  } catch (const Error& e) {
    rethrow_naming_flag(e, train_option_fields());
  }
  return t;
}

void run_train(TrainCommandOptions o) {
  if (o.train.threads < 0 || o.train.threads > usable_cpus()) {
    throw Error("--threads: " + std::to_string(o.train.threads) + "; must be in [0, " +
                std::to_string(usable_cpus()) + "] (the CPUs this process may use; 0 = all)");
  }
  check_train_device_spec(o.train.device, "--train-device");
  try {
    validate(o.train);  // every value refused before the first word of work is printed
  } catch (const Error& e) {
    rethrow_naming_flag(e, train_option_fields());
  }
  if (o.task == "detection") return run_train_detection(o.arch, o.train, o.resume, o.json);
  if (is_detection_dataset(o.train.dataset)) {
    throw Error("--dataset: " + o.train.dataset +
                " is a detection set: train a detector on it with --task detection");
  }
  const torch::Device device = resolve_train_device(o.train.device, "--train-device");
  const DatasetInfo info = dataset_info(o.train.dataset);
  // Zoo models default to the data set's shape and classes; an architecture given in full keeps
  // its own unless --input/--classes say otherwise, and must then fit the data set.
  const bool zoo = is_zoo_name(o.arch.arch);
  if (zoo && o.arch.input.empty()) {
    o.arch.input = std::to_string(info.height) + "x" + std::to_string(info.width) + "x" +
                   std::to_string(info.channels);
  }
  if (zoo && !o.arch.classes) o.arch.classes = info.classes;
  const ResolvedArch r = resolve_arch(o.arch.arch, adjustments(o.arch));
  const bool folder = o.train.dataset.rfind("folder:", 0) == 0;  // converted to the input
  if (!folder && r.arch.input.channels != info.channels) {
    throw Error("ARCH: the architecture (" + r.label + ") has input " + to_string(r.arch.input) +
                ", " + o.train.dataset + " has " + std::to_string(info.channels) +
                " channel(s); give --input HxWx" + std::to_string(info.channels) +
                " to train it there");
  }
  if (r.arch.classes != info.classes) {
    throw Error("ARCH: the architecture (" + r.label + ") has " + std::to_string(r.arch.classes) +
                " classes, " + o.train.dataset + " has " + std::to_string(info.classes) +
                "; give --classes " + std::to_string(info.classes) + " to train it there");
  }
  if (info.classes < 2) {
    throw Error("--dataset: " + o.train.dataset + " has " + std::to_string(info.classes) +
                " class; training needs at least 2");
  }
  std::cerr << "mnas: training " << r.label << " (" << to_string(r.arch.input) << ", "
            << r.arch.classes << " classes) on " << o.train.dataset << " for " << o.train.epochs
            << " epoch" << (o.train.epochs > 1 ? "s" : "") << " on "
            << describe_train_device(device) << "\n";
  // Ctrl-C or SIGTERM: the epoch in progress is abandoned; the checkpoint (written after every
  // epoch) keeps the finished ones.
  InterruptGuard interrupt;
  TrainProgressPrinter printer("acc");
  TrainResult result;
  try {
    result = train(r.arch, o.train, std::ref(printer), o.resume);
  } catch (const Interrupted&) {
    printer.stopped(o.train.checkpoint);
  }
  if (o.json) {
    nlohmann::json j = run_summary_json(result, o.train.checkpoint);
    j.update({{"arch", r.label},
              {"recipe", o.recipe},
              {"canonical", to_canonical_string(r.arch)},
              {"top1", result.holdout_top1},
              {"top5", result.holdout_top5},
              {"holdout_images", o.train.holdout}});
    std::cout << j.dump(2)
              << "\n";
  } else if (result.status != "done") {
    std::printf("%s: %s (%s)\n", r.label.c_str(), result.status.c_str(), result.reason.c_str());
  } else {
    std::printf(
        "%s on %s: held-out top-1 %.2f%% (top-5 %.2f%%) on %lld images after %d epochs, "
        "%.1f s, %.0f img/s on %s, %.2fM params%s\n",
        r.label.c_str(), o.train.dataset.c_str(), 100 * result.holdout_top1,
        100 * result.holdout_top5, static_cast<long long>(o.train.holdout), result.epochs_done,
        result.seconds, result.images_per_second, result.device.c_str(), result.params / 1e6,
        o.train.checkpoint.empty() ? "" : ("; checkpoint " + o.train.checkpoint).c_str());
  }
  if (result.status != "done")
    throw Error("training " + result.status + ": " + result.reason, Error::Kind::kIo);
}

struct EvalCommandOptions {
  std::string checkpoint, split = "test", data_dir, engine = "torch", export_path;
  std::string device = "auto";
  QuantizeFlags quantize;
  const CLI::App* cmd = nullptr;
  std::string logits_path;  // --logits: every image's logits, raw float32
  bool json = false;
};

void run_eval(const EvalCommandOptions& o) {
  if (o.engine != "torch" && o.engine != "xnnpack") throw Error("--engine: use torch or xnnpack");
  check_train_device_spec(o.device, "--train-device");
  if (o.engine == "torch") resolve_train_device(o.device, "--train-device");
  const Quantize q = parse_quantize_flags(o.quantize, *o.cmd);
  const Precision precision = q.precision;
  if (precision == Precision::kInt8 && o.engine != "xnnpack") {
    throw Error::about("--precision",
                       "int8 runs the quantized network on XNNPACK: add --engine xnnpack");
  }
  refuse_output_over_input(o.export_path, "--export-weights", {{"CKPT", o.checkpoint}});
  if (!o.logits_path.empty()) {
    if (o.engine != "xnnpack") throw Error::about("--logits", "with --engine xnnpack");
    refuse_output_over_input(o.logits_path, "--logits", {{"CKPT", o.checkpoint}});
  }
  // Every flag checked: now the file, which may hold a detector.
  if (is_detector_checkpoint(o.checkpoint)) {
    for (const char* flag : {"--precision", "--logits", "--export-weights", "--data-dir",
                             "--calibration", "--calibration-images"}) {
      if (o.cmd->count(flag) > 0) {
        throw Error::about(flag, "not for a detector's checkpoint yet (LibTorch or XNNPACK in "
                                 "fp32 score it)");
      }
    }
    return run_eval_detection(o.checkpoint, o.split, o.device, o.engine, o.json);
  }
  std::vector<float> logits;
  const EvalResult r =
      o.engine == "torch"
          ? evaluate_checkpoint(o.checkpoint, o.split, o.data_dir, o.device)
          : evaluate_checkpoint_xnnpack(o.checkpoint, o.split, o.data_dir, precision, q.options,
                                        o.logits_path.empty() ? nullptr : &logits);
  if (!o.logits_path.empty()) {
    write_file_atomically(
        o.logits_path,
        std::string(reinterpret_cast<const char*>(logits.data()), logits.size() * sizeof(float)),
        "logits file");
  }
  if (!o.export_path.empty()) export_checkpoint_weights(o.checkpoint, o.export_path);
  if (o.json) {
    nlohmann::json j{{"checkpoint", o.checkpoint},
                     {"split", r.split},
                     {"top1", r.top1},
                     {"top5", r.top5},
                     {"images", r.images},
                     {"engine", o.engine},
                     {"precision", r.precision},
                     {"canonical", to_canonical_string(r.arch)}};
    if (precision == Precision::kInt8) {
      j["calibration"] = r.calibration;
      j["calibration_images"] = r.calibration_images;
      j["logits_step"] = r.logits_step;
    }
    std::cout << j.dump(2) << "\n";
    return;
  }
  const std::string how = precision == Precision::kInt8
                              ? o.engine + ", int8: " + r.calibration + " ranges of " +
                                    std::to_string(r.calibration_images) + " training images"
                              : o.engine;
  std::printf("%s: %s top-1 %.2f%% (top-5 %.2f%%) on %lld images (%s)%s\n", o.checkpoint.c_str(),
              r.split.c_str(), 100 * r.top1, 100 * r.top5, static_cast<long long>(r.images),
              how.c_str(),
              o.export_path.empty() ? "" : ("; weights written to " + o.export_path).c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  const auto [o, cmd] = add_subcommand<TrainCommandOptions>(
      app, "train", "Train an architecture on a data set and report its held-out accuracy",
      [](TrainCommandOptions& given) {
        given.train = with_recipe(given.recipe, given.task, given.flags, *given.cmd);
        if (!given.resume.empty() && given.train.checkpoint.empty()) {
          given.train.checkpoint = given.resume;
        }
        run_train(given);
      });
  add_arch_options(cmd, o->arch);
  cmd->add_option("--recipe", o->recipe,
                  "full (default: 30 epochs with warm-up, crops, flips, label smoothing) or proxy "
                  "(what a search trial trains: 1 epoch on 5,000 images, 2,000 held out, no "
                  "warm-up, crops or flips); the flags below change it");
  cmd->add_option("--task", o->task,
                  "classification (default) or detection: SSDLite on ARCH, trained on a "
                  "COCO-format set (--dataset coco:PATH; the recipe then trains batches of 32 "
                  "and holds out 1,000 images unless --batch and --holdout say; "
                  "docs/detection.md)");
  add_field_flags(cmd, train_option_fields(), o->flags);
  cmd->add_option("--resume", o->resume, "Continue the run stopped at this checkpoint");
  cmd->add_flag("--json", o->json,
                "Machine-readable output: params, top1, top5, split, seconds, status, ...");

  const auto [e, eval] =
      add_subcommand<EvalCommandOptions>(app, "eval", "Evaluate a training checkpoint", run_eval);
  eval->add_option("CKPT", e->checkpoint, "Checkpoint written by `mnas train --out`")->required();
  eval->add_option("--split", e->split, "test (default) or holdout (the run's held-out images)");
  eval->add_option("--data-dir", e->data_dir, "Directory of the data set files");
  eval->add_option(
      "--engine", e->engine,
      "torch (default: LibTorch) or xnnpack (BatchNorm folded, batch 1: the deployment path)");
  eval->add_option(
      "--export-weights", e->export_path,
      "Also write the folded weights file XNNPACK deployments read (space/weights_file.h)");
  eval->add_option("--train-device", e->device,
                   "With --engine torch: auto (default), cpu, cuda or cuda:K");
  add_quantize_flags(eval, e->quantize,
                     "fp32 (default) or int8: with --engine xnnpack, the network quantized after "
                     "training (per-channel int8 weights, activation ranges calibrated on the "
                     "run's training images; docs/int8.md)");
  eval->add_option("--logits", e->logits_path,
                   "With --engine xnnpack: also write every image's logits to this file, raw "
                   "little-endian float32 [images, classes] in the split's order (to compare "
                   "with another runtime)");
  eval->add_flag("--json", e->json,
                 "Machine-readable output: top1, top5, images, split, engine, precision");
}

}  // namespace mnas::cli
