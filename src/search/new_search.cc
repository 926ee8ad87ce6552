#include "search/new_search.h"

#include "base/error.h"
#include "data/dataset.h"
#include "data/detection_dataset.h"
#include "search/table_trials.h"
#include "train/trainer.h"

namespace mnas {
namespace {

// The data's input (at most 224×224: a folder of photos is not searched at full size) and
// classes, each unless chosen; what was taken, for the user.
std::string input_from_data(SearchConfig& c, const SearchChoices& chosen) {
  DatasetInfo info;
  if (is_detection_dataset(c.proxy.dataset)) {  // its categories are the classes
    const DetectionDatasetInfo d = detection_dataset_info(c.proxy.dataset);
    info.height = d.height;
    info.width = d.width;
    info.channels = d.channels;
    info.classes = static_cast<int>(d.categories.size());
  } else {
    info = dataset_info(c.proxy.dataset);  // its errors name the data set
  }
  std::string said;
  if (!chosen.input) {
    InputShape input{info.height, info.width, info.channels};
    if (input.height > 224 || input.width > 224) input.height = input.width = 224;
    c.space.set_input(input);
    said = "input " + to_string(input);
    if (!(input.height == info.height && input.width == info.width)) {
      said += " (its first image is " + std::to_string(info.height) + "x" +
              std::to_string(info.width) + ", resized)";
    }
  }
  if (!chosen.classes) {
    c.space.set_classes(info.classes);
    said += (said.empty() ? "" : " and ") + std::to_string(info.classes) + " classes";
  }
  return said + " from " + c.proxy.dataset;
}

void table_space_defaults(SearchConfig& c, const SearchChoices& chosen) {
  if (!is_table_url(c.evaluator) && !chosen.evaluator) c.evaluator = "table:cifar10";
  bool table_devices = true;
  for (const DeviceObjective& d : c.devices) table_devices &= is_table_url(d.url);
  if (!table_devices && !chosen.devices) {
    DeviceObjective pixel3;
    pixel3.name = "pixel3";
    pixel3.url = "table:pixel3";
    c.devices = {pixel3};
  }
  for (DeviceObjective& d : c.devices) {
    if (is_table_url(d.url) && d.target_ms == 0) {
      d.target_ms = default_table_target_ms(d.url, "devices." + d.name);
    }
  }
}

}  // namespace

SearchChoices choices_from_fields(const std::vector<std::string>& keys) {
  SearchChoices c;
  const std::pair<const char*, bool SearchChoices::*> kChoices[] = {
      {"controller.learning_rate", &SearchChoices::controller_lr},
      {"fidelity.rungs", &SearchChoices::fidelity},
      {"fidelity.continue", &SearchChoices::fidelity_continue},
      {"proxy.train_images", &SearchChoices::train_images},
      {"proxy.batch", &SearchChoices::batch},
      {"proxy.holdout", &SearchChoices::holdout},
      {"space.input", &SearchChoices::input},
      {"space.classes", &SearchChoices::classes},
      {"proxy.dataset", &SearchChoices::dataset},
      {"evaluator", &SearchChoices::evaluator},
      {"devices", &SearchChoices::devices},
      {"latency", &SearchChoices::latency}};
  for (const std::string& key : keys) {
    for (const auto& [name, member] : kChoices) {
      if (key == name) c.*member = true;
    }
  }
  return c;
}

SearchConfig new_search_config(SearchConfig c, const SearchChoices& chosen, int64_t trials,
                               std::string* note) {
  if (note) note->clear();
  if (!chosen.controller_lr) c.controller_lr = default_controller_lr(trials);
  const bool proxy = c.evaluator == "proxy" && c.table_space.empty();
  const bool detection = c.task == "detection";
  if (detection) {  // SSD's batch: at 128 a proxy's few steps leave a detector near 0 mAP
    const TrainOptions recipe = train_recipe("proxy", "detection");
    if (!chosen.batch) c.proxy.batch = recipe.batch;
    if (!chosen.holdout) c.proxy.holdout = recipe.holdout;
  }
  // A detector's proxy on a tenth of its scenes ranks nothing yet: one rung unless chosen.
  const bool default_rungs = !chosen.fidelity && proxy && !detection;
  if (default_rungs) c.fidelity.rungs = default_fidelity(c.proxy.train_images).rungs;
  if (chosen.fidelity && !chosen.train_images && !c.fidelity.rungs.empty()) {
    c.proxy.train_images = c.fidelity.rungs.back();  // the last rung is the full proxy
  }
  if (!chosen.fidelity_continue && (chosen.fidelity || default_rungs)) {
    // At equal time continuing beat training each rung from scratch (docs/experiments.md).
    c.fidelity.continue_runs = !c.fidelity.rungs.empty() && !detection;
  }
  if (chosen.dataset && proxy && !(chosen.input && chosen.classes)) {
    const std::string said = input_from_data(c, chosen);
    if (note) *note = said;
  }
  if (!chosen.latency && chosen.evaluator && !chosen.devices) {
    c.latency = c.evaluator == "surrogate" ? "surrogate" : "measured";
  }
  if (!c.table_space.empty()) table_space_defaults(c, chosen);
  return c;
}

double search_time_budget(const SearchChoices& chosen, double chosen_seconds, bool table_space) {
  if (chosen.time_budget) return chosen_seconds;
  return chosen.trials || table_space ? 0 : kDefaultTimeBudgetSeconds;
}

}  // namespace mnas
