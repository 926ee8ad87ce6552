#include "search/table_trials.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "search/scoring.h"
#include "store/trial_latencies.h"

namespace mnas {
namespace {

constexpr const char* kTablePrefix = "table:";

std::string column_of(const std::string& spec) { return spec.substr(6); }  // after "table:"

// The table's strategy: tokens in, proposals with their cell strings out.
class CellNaming : public Strategy {
 public:
  explicit CellNaming(std::unique_ptr<Strategy> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  std::vector<Proposal> propose(int n) override {
    std::vector<Proposal> proposals = inner_->propose(n);
    for (Proposal& p : proposals) p.canonical = Nb201Table::cell_string(p.tokens);
    return proposals;
  }
  void observe(const std::vector<Trial>& trials) override { inner_->observe(trials); }
  std::string save_state() const override { return inner_->save_state(); }
  void load_state(std::string_view state) override { inner_->load_state(state); }

 private:
  std::unique_ptr<Strategy> inner_;
};

}  // namespace

std::unique_ptr<Strategy> make_table_strategy(const SearchConfig& config,
                                              const StrategyOptions& options) {
  MNAS_ASSERT(config.table_space == "nb201");
  return std::make_unique<CellNaming>(
      make_strategy(config.strategy, Nb201Table::decision_space(), config.seed, options));
}

TableTrialRunner::TableTrialRunner(const SearchConfig& config) : table_(Nb201Table::embedded()) {
  validate(config);
  MNAS_ASSERT(config.table_space == "nb201");
  dataset_ = table_.dataset(column_of(config.evaluator));
  for (const DeviceObjective& d : config.devices) {
    devices_.push_back({d.name, table_.device(column_of(d.url)), d.target_ms, d.url});
  }
}

Evaluation TableTrialRunner::evaluate(const std::vector<int>& tokens) const {
  Evaluation e;
  int row = 0;
  try {
    row = table_.row(tokens);
  } catch (const Error& err) {
    e.ok = false;
    e.failure = err.what();
    return e;
  }
  e.accuracy = table_.accuracy(dataset_, row) / 100.0;
  for (const Column& d : devices_) {
    DeviceLatency l;
    l.device = d.name;
    l.latency_ms = table_.latency_ms(d.column, row);
    l.target_ms = d.target_ms;
    l.ratio = l.latency_ms / l.target_ms;
    l.stats_json = nlohmann::json{{"source", d.source}, {"row", row}}.dump();
    e.latencies.push_back(std::move(l));
  }
  e.latency_ms = e.latencies.front().latency_ms;
  e.latency_json = encode_latencies(e.latencies);
  return e;
}

void TableTrialRunner::start(int ticket, const Proposal& candidate, const TrialTask& task) {
  MNAS_ASSERT(ticket_ < 0 && ticket >= 0);
  ticket_ = ticket;
  if (task.train_images > 0) {
    result_ = Evaluation{};
    result_.ok = false;
    result_.failure = "a table has one accuracy per cell: no training budget (" +
                      std::to_string(task.train_images) + " images) applies";
    return;
  }
  result_ = evaluate(candidate.tokens);
}

std::pair<int, Evaluation> TableTrialRunner::wait() {
  MNAS_ASSERT(ticket_ >= 0);
  const int ticket = ticket_;
  ticket_ = -1;
  return {ticket, std::move(result_)};
}

StoredReference table_optimum(const SearchConfig& config, const RewardOptions& reward) {
  const TableTrialRunner runner(config);
  StoredReference best;
  best.name = "table-optimum";
  bool found = false;
  Evaluation best_evaluation;
  const Nb201Table& table = Nb201Table::embedded();
  for (int row = 0; row < Nb201Table::kCells; ++row) {
    const Evaluation e = runner.evaluate(table.tokens(row));
    const Score s = score(e, reward, config.failed_reward);
    if (s.status != "done" || (found && s.reward <= best.reward)) continue;
    found = true;
    set_result(best, e, s);
    best.canonical = Nb201Table::cell_string(table.tokens(row));
  }
  MNAS_ASSERT(found);
  return best;
}

double default_table_target_ms(const std::string& url, const std::string& field) {
  if (url.rfind(kTablePrefix, 0) != 0) {
    throw Error(field + ": '" + url + "' is not a table's device (table:DEVICE)");
  }
  const Nb201Table& table = Nb201Table::embedded();
  try {
    return table.median_latency_ms(table.device(column_of(url)));
  } catch (const Error& e) {
    throw Error(field + ": " + e.what());
  }
}

}  // namespace mnas
