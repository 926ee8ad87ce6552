// `mnas train --task detection` and `mnas eval` of a detector checkpoint.
#include "cli/detection_run.h"

#include <cstdio>
#include <functional>
#include <iostream>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "cli/app.h"
#include "cli/interrupt.h"
#include "cli/table.h"
#include "cli/train_progress.h"
#include "data/detection_dataset.h"
#include "space/architecture_codec.h"
#include "space/zoo.h"
#include "train/checkpoint.h"
#include "train/detection_trainer.h"
#include "train/train_device.h"

namespace mnas::cli {
namespace {

nlohmann::json map_json(const CocoMap& m, const std::vector<std::string>& names) {
  nlohmann::json per = nlohmann::json::object();
  for (size_t i = 0; i < m.categories.size(); ++i) {
    const int c = m.categories[i];
    if (c >= 0 && static_cast<size_t>(c) < names.size()) per[names[c]] = m.category_ap[i];
  }
  return {{"ap", m.ap}, {"ap50", m.ap50}, {"ap75", m.ap75}, {"category_ap", per}};
}

}  // namespace

bool is_detector_checkpoint(const std::string& path) {
  return checkpoint_task(load_checkpoint_options(path)) == "detection";
}

void run_train_detection(ArchOptions arch, const TrainOptions& options, const std::string& resume,
                         bool json) {
  if (!is_detection_dataset(options.dataset)) {
    throw Error(
        "--dataset: --task detection trains on a COCO-format set, coco:PATH (`mnas data "
        "make-scenes --out PATH` makes one); '" +
        options.dataset + "' is a classification set");
  }
  if (!options.data_dir.empty()) {
    throw Error("--data-dir: not used with coco:PATH (the path is there)");
  }
  const torch::Device device = resolve_train_device(options.device, "--train-device");
  const bool zoo = is_zoo_name(arch.arch);
  const DetectionDatasetInfo info = detection_dataset_info(options.dataset);
  if (zoo && arch.input.empty()) {
    arch.input = std::to_string(info.height) + "x" + std::to_string(info.width) + "x" +
                 std::to_string(info.channels);
  }
  const std::vector<std::string>& categories = info.categories;
  arch.classes = static_cast<int>(categories.size());
  const ResolvedArch r = resolve_arch(arch.arch, adjustments(arch));
  std::cerr << "mnas: training SSDLite on " << r.label << " (" << to_string(r.arch.input) << ", "
            << categories.size() << " categories) on " << options.dataset << " for "
            << options.epochs << " epoch" << (options.epochs > 1 ? "s" : "") << " on "
            << describe_train_device(device) << "\n";
  InterruptGuard interrupt;  // Ctrl-C: as `mnas train` of a classifier (train_progress.h)
  TrainProgressPrinter printer("matched-box acc");
  DetectionTrainResult result;
  try {
    result = train_detector(r.arch, options, DefaultBoxOptions(), std::ref(printer), resume);
  } catch (const Interrupted&) {
    printer.stopped(options.checkpoint);
  }
  if (json) {
    nlohmann::json j = run_summary_json(result, options.checkpoint);
    j.update({{"arch", r.label},
              {"task", "detection"},
              {"canonical", to_canonical_string(r.arch)},
              {"holdout_images", result.holdout_images}});
    j.update(map_json(result.holdout, categories));
    std::cout << j.dump(2) << "\n";
  } else if (result.status != "done") {
    std::printf("%s: %s (%s)\n", r.label.c_str(), result.status.c_str(), result.reason.c_str());
  } else if (result.holdout_images == 0) {
    std::printf(
        "SSDLite on %s, %s: trained %d epochs, %.1f s, %.0f img/s on %s, %.2fM params "
        "(no held-out images to score: --holdout 0)%s\n",
        r.label.c_str(), options.dataset.c_str(), result.epochs_done, result.seconds,
        result.images_per_second, result.device.c_str(), result.params / 1e6,
        options.checkpoint.empty() ? "" : ("; checkpoint " + options.checkpoint).c_str());
  } else {
    std::printf(
        "SSDLite on %s, %s: held-out AP@[.5:.95] %.3f, AP@.5 %.3f, AP@.75 %.3f on %lld images "
        "after %d epochs, %.1f s, %.0f img/s on %s, %.2fM params%s\n",
        r.label.c_str(), options.dataset.c_str(), result.holdout.ap, result.holdout.ap50,
        result.holdout.ap75, static_cast<long long>(result.holdout_images), result.epochs_done,
        result.seconds, result.images_per_second, result.device.c_str(), result.params / 1e6,
        options.checkpoint.empty() ? "" : ("; checkpoint " + options.checkpoint).c_str());
  }
  if (result.status != "done") {
    throw Error("training " + result.status + ": " + result.reason, Error::Kind::kIo);
  }
}

void run_eval_detection(const std::string& checkpoint, const std::string& split,
                        const std::string& device, const std::string& engine, bool json) {
  const DetectionEvalResult r = evaluate_detector(checkpoint, split, device, {}, engine);
  if (json) {
    nlohmann::json j{{"checkpoint", checkpoint}, {"task", "detection"},
                     {"split", r.split},         {"images", r.images},
                     {"engine", engine},         {"canonical", to_canonical_string(r.arch)}};
    j.update(map_json(r.map, r.categories));
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::printf(
      "%s: %s AP@[.5:.95] %.3f, AP@.5 %.3f, AP@.75 %.3f on %lld images (COCO's mAP, at "
      "most 100 detections per image; %s)\n",
      checkpoint.c_str(), r.split.c_str(), r.map.ap, r.map.ap50, r.map.ap75,
      static_cast<long long>(r.images), engine == "torch" ? "LibTorch" : "XNNPACK, fp32");
  Table table({"category", "AP@[.5:.95]"}, {false, true});
  for (size_t i = 0; i < r.map.categories.size(); ++i) {
    const int c = r.map.categories[i];
    char ap[32];
    std::snprintf(ap, sizeof ap, "%.3f", r.map.category_ap[i]);
    table.add_row({c >= 0 && static_cast<size_t>(c) < r.categories.size() ? r.categories[c]
                                                                          : std::to_string(c),
                   r.map.category_ap[i] < 0 ? "no objects" : ap});
  }
  std::cout << "\n" << table.render();
}

}  // namespace mnas::cli
