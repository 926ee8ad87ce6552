#ifndef MNAS_SEARCH_NEW_SEARCH_H_
#define MNAS_SEARCH_NEW_SEARCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "search/search_config.h"

namespace mnas {

// Which settings of a new search its user chose; the library's policies decide the others. One
// field per setting a policy depends on (for `mnas search`: whether the flag was given).
struct SearchChoices {
  bool trials = false;         // a length
  bool time_budget = false;
  bool controller_lr = false;
  bool fidelity = false;       // rungs, or none
  bool fidelity_continue = false;
  bool train_images = false;
  bool batch = false;
  bool holdout = false;
  bool input = false;
  bool classes = false;
  bool dataset = false;        // a data set named
  bool evaluator = false;
  bool devices = false;
  bool latency = false;
};

// The choices made by setting these configuration keys (search_config_fields.h's: "proxy.dataset",
// "fidelity.rungs", ..., and "devices"): what `mnas search`'s given flags or a request's keys mean.
SearchChoices choices_from_fields(const std::vector<std::string>& keys);

// A new search's configuration completed by the library's policies for whatever `chosen` does
// not name, so that `mnas search` and a library user (Python, tests) build the same search from
// the same choices. `requested` holds the chosen values over SearchConfig's defaults; `trials` is
// the length the search is started with. The policies:
//  - the controller's learning rate follows the length: default_controller_lr(trials);
//  - a proxy search in MnasNet's space is multi-fidelity (default_fidelity) unless rungs were
//    chosen; chosen rungs end at the full proxy (the last sets train_images unless chosen);
//  - a multi-fidelity search continues its runs from rung to rung, unless that was chosen;
//  - a detection search has one rung unless rungs were chosen, and never continues its runs;
//    its proxy trains batches of kDetectionBatch and holds out kDetectionHoldout images, each
//    unless chosen (train_recipe("proxy", "detection"), train/trainer.h);
//  - a proxy search on a named data set takes its input and classes from the data (the first
//    image's size, at most 224×224), each unless chosen; `note`, when given, says what it took;
//  - an evaluator chosen without devices or a latency source: the surrogate's synthetic latency
//    for the surrogate evaluator, measured latency otherwise;
//  - a table space: the table's CIFAR-10 column and its Pixel 3 (each unless chosen), T the
//    device's median latency in the table where none was given.
// Throws mnas::Error when the data set cannot be read (naming it) or a table has no such column.
SearchConfig new_search_config(SearchConfig requested, const SearchChoices& chosen, int64_t trials,
                               std::string* note = nullptr);

// Seconds after which a search starts no more trials: `chosen_seconds` when a budget was chosen;
// kDefaultTimeBudgetSeconds (the main job's bound) when neither a length nor a budget was, except
// in a table space (nothing takes time there); else none (0).
double search_time_budget(const SearchChoices& chosen, double chosen_seconds, bool table_space);

}  // namespace mnas

#endif  // MNAS_SEARCH_NEW_SEARCH_H_
