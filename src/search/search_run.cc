#include "search/search_run.h"

#include "base/printable.h"
#include "search/device_identity.h"
#include "search/predictor_search.h"
#include "search/references.h"
#include "search/strategy_factory.h"
#include "search/table_trials.h"

namespace mnas {

SearchRun::SearchRun(const SearchSession& session, SearchRunOptions options)
    : config_(session.config()), run_options_(std::move(options)) {
  table_ = !config_.table_space.empty();
  if (table_) return;  // nothing is trained or timed: the table's runner looks it up
  // An external evaluator's trials are told by whoever runs them (make_runner: ask/tell); with
  // no runner make_evaluator says that mnas cannot evaluate them.
  if (config_.evaluator != "external" || !run_options_.make_runner) {
    evaluator_ = make_evaluator(config_, run_options_.runtime);
  }
  objective_ = make_latency_objective(config_, run_options_.devices);
}

SearchRun::~SearchRun() = default;

std::vector<std::pair<std::string, DeviceInfo>> SearchRun::check_devices(
    SearchSession& session, std::vector<std::string>* notes) {
  if (!objective_) return {};
  std::vector<std::pair<std::string, DeviceInfo>> devices = objective_->check_devices();
  // A resumed search times on the kind of device its trials were timed on.
  if (!session.is_new()) {
    for (std::string& note : check_device_identity(session.store().trials(), devices)) {
      if (notes) notes->push_back(std::move(note));
    }
  }
  return devices;
}

void SearchRun::prepare(SearchSession& session, int64_t trials, double time_budget_seconds) {
  if (table_) {
    runner_ = std::make_unique<TableTrialRunner>(config_);
  } else if (run_options_.make_runner) {
    runner_ = run_options_.make_runner(objective_.get());
  } else {
    runner_ = std::make_unique<LocalTrialRunner>(*evaluator_, objective_.get());
  }
  StrategyOptions strategy_options;
  strategy_options.controller.learning_rate = config_.controller_lr;
  model_reward_parts(strategy_options.predictor, session.reward());  // accuracy, latency apart
  strategy_ = table_ ? make_table_strategy(config_, strategy_options)
                     : make_strategy(config_.strategy, config_.space, config_.seed,
                                     strategy_options);
  options_.trials = static_cast<int>(trials);
  options_.batch = config_.batch;
  options_.time_budget_seconds = time_budget_seconds;
  options_.reward = session.reward();
  options_.failed_reward = config_.failed_reward;
  options_.fidelity = config_.fidelity;
  options_.proxy_holdout = config_.proxy.holdout;
  options_.times = &times_;
  if (objective_ && objective_->predicts()) {
    latency_check_ =
        std::make_unique<LatencyCheck>(*objective_, config_.latency_check, config_.seed);
    options_.latency_check = latency_check_.get();
    options_.warn = run_options_.warn;
  }
}

void SearchRun::search(SearchSession& session,
                       const std::function<void(const SearchProgress&)>& progress,
                       const std::atomic<bool>* stop) {
  MNAS_ASSERT(runner_ != nullptr && strategy_ != nullptr);  // prepare() first
  options_.stop = stop;
  run_search(session.store(), *strategy_, *runner_, options_, progress,
             objective_ != nullptr || table_);
}

void SearchRun::references(SearchSession& session, const std::vector<std::string>& names,
                           const std::function<void(const StoredReference&, int, int)>& progress,
                           const std::atomic<bool>* stop) {
  MNAS_ASSERT(runner_ != nullptr);  // prepare() first
  if (table_) {
    if (names.empty()) return;
    const StoredReference best = table_optimum(config_, session.reward());
    session.store().add_reference(best);
    if (progress) progress(best, 1, 1);
    return;
  }
  evaluate_references(session.store(), *runner_, config_.space, session.reward(), names, progress,
                      stop);
}

std::string SearchRun::evaluator_name() const {
  if (table_) return config_.evaluator + " (NAS-Bench-201 looked up)";
  if (config_.evaluator.rfind("cmd:", 0) == 0) {
    return "cmd: " + printable(config_.evaluator.substr(4), 200);  // the stored command
  }
  if (!evaluator_) return "external (told by the ask/tell caller)";
  return evaluator_->name();
}

}  // namespace mnas
