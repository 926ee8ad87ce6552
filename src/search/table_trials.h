#ifndef MNAS_SEARCH_TABLE_TRIALS_H_
#define MNAS_SEARCH_TABLE_TRIALS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "search/reward.h"
#include "search/search_config.h"
#include "search/search_loop.h"
#include "search/strategy_factory.h"
#include "store/store.h"
#include "table/nb201_table.h"

namespace mnas {

// A table space in the real search loop (SearchConfig::table_space "nb201"): NAS-Bench-201's
// cells, each candidate's accuracy the built-in table's column of the configured dataset
// (evaluator "table:cifar10") and its latency on each device that device's column (url
// "table:pixel3"), against that device's fixed T. Everything is looked up, so a 200-trial search
// takes about a second: the quickest way to see the whole tool work, and a search whose exact
// answer is known (table_optimum).

// The strategy `config` names over the table's six decisions; its proposals carry their cell
// string as the canonical name the store keeps.
std::unique_ptr<Strategy> make_table_strategy(const SearchConfig& config,
                                              const StrategyOptions& options);

// Evaluates candidates by looking them up, one at a time.
class TableTrialRunner : public TrialRunner {
 public:
  // `config`: a validated table-space configuration (search_config.h).
  explicit TableTrialRunner(const SearchConfig& config);
  int capacity() const override { return 1; }
  // Reads the candidate's tokens; a task with a training budget fails the evaluation (a table
  // has one accuracy per cell).
  void start(int ticket, const Proposal& candidate, const TrialTask& task) override;
  std::pair<int, Evaluation> wait() override;

  // What the table says of one cell: accuracy in [0, 1], every device's latency and LAT/T.
  Evaluation evaluate(const std::vector<int>& tokens) const;

 private:
  struct Column {
    std::string name;  // the search's device name
    int column = 0;
    double target_ms = 0;
    std::string source;  // "table:pixel3"
  };
  const Nb201Table& table_;
  int dataset_ = 0;
  std::vector<Column> devices_;
  int ticket_ = -1;
  Evaluation result_;
};

// The table's best cell under the search's reward, found by enumerating every cell, as a
// reference named "table-optimum" (what a perfect search ends with); `reward` as the loop uses
// it (make_reward).
StoredReference table_optimum(const SearchConfig& config, const RewardOptions& reward);

// T a table device gets when none is given: the device's median latency over every cell
// (NAS-Bench-201's hardware-aware tasks use it). `url` is "table:DEVICE"; throws mnas::Error
// naming `field` for an unknown device.
double default_table_target_ms(const std::string& url, const std::string& field);

}  // namespace mnas

#endif  // MNAS_SEARCH_TABLE_TRIALS_H_
