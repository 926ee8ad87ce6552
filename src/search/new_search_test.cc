// The policies of a new search, as a library user gets them: the same as `mnas search`'s.
#include "search/new_search.h"

#include <gtest/gtest.h>

#include "train/trainer.h"

namespace mnas {
namespace {

TEST(NewSearch, ALibraryUserGetsTheSearchMnasSearchBuilds) {
  SearchChoices none;
  const SearchConfig main_job = new_search_config(SearchConfig{}, none, 200);
  EXPECT_EQ(main_job.fidelity.rungs, (std::vector<int64_t>{500, 5000}));  // a tenth, then all
  EXPECT_TRUE(main_job.fidelity.continue_runs);
  EXPECT_DOUBLE_EQ(main_job.controller_lr, default_controller_lr(200));
  EXPECT_DOUBLE_EQ(new_search_config(SearchConfig{}, none, 400).controller_lr,
                   default_controller_lr(400));
  EXPECT_DOUBLE_EQ(search_time_budget(none, 0, false), kDefaultTimeBudgetSeconds);

  // Chosen rungs end at the full proxy; a chosen rate, continuation or length is kept.
  SearchConfig requested;
  requested.fidelity.rungs = {1000, 3000};
  requested.controller_lr = 1e-3;
  SearchChoices chosen;
  chosen.fidelity = chosen.controller_lr = chosen.trials = true;
  SearchConfig c = new_search_config(requested, chosen, 50);
  EXPECT_EQ(c.proxy.train_images, 3000);
  EXPECT_TRUE(c.fidelity.continue_runs);
  EXPECT_DOUBLE_EQ(c.controller_lr, 1e-3);
  EXPECT_DOUBLE_EQ(search_time_budget(chosen, 0, false), 0);
  chosen.fidelity_continue = true;
  EXPECT_FALSE(new_search_config(requested, chosen, 50).fidelity.continue_runs);
  chosen.time_budget = true;
  EXPECT_DOUBLE_EQ(search_time_budget(chosen, 60, false), 60);

  // Too few images for two rungs: one.
  requested = SearchConfig{};
  requested.proxy.train_images = 500;
  chosen = SearchChoices{};
  chosen.train_images = true;
  EXPECT_TRUE(new_search_config(requested, chosen, 10).fidelity.rungs.empty());

  // The surrogate evaluator: its own latency, one rung (nothing is trained).
  requested = SearchConfig{};
  requested.evaluator = "surrogate";
  chosen = SearchChoices{};
  chosen.evaluator = true;
  c = new_search_config(requested, chosen, 10);
  EXPECT_EQ(c.latency, "surrogate");
  EXPECT_TRUE(c.fidelity.rungs.empty());
  chosen.devices = true;  // with devices: real latency, synthetic accuracy
  EXPECT_EQ(new_search_config(requested, chosen, 10).latency, "measured");

  // A detection search: one rung, never continued, SSD's batch and a tenth of the default
  // scenes held out — each unless chosen.
  requested = SearchConfig{};
  requested.task = "detection";
  c = new_search_config(requested, SearchChoices{}, 10);
  EXPECT_TRUE(c.fidelity.rungs.empty());
  EXPECT_FALSE(c.fidelity.continue_runs);
  EXPECT_EQ(c.proxy.batch, kDetectionBatch);
  EXPECT_EQ(c.proxy.holdout, kDetectionHoldout);
  requested.proxy.batch = 64;
  requested.proxy.holdout = 500;
  chosen = choices_from_fields({"proxy.batch", "proxy.holdout"});
  c = new_search_config(requested, chosen, 10);
  EXPECT_EQ(c.proxy.batch, 64);
  EXPECT_EQ(c.proxy.holdout, 500);
  EXPECT_EQ(new_search_config(SearchConfig{}, SearchChoices{}, 10).proxy.batch, 128);

  // A table space: the table's column and device, T from the table; no time budget.
  requested = SearchConfig{};
  requested.table_space = "nb201";
  c = new_search_config(requested, SearchChoices{}, 10);
  EXPECT_EQ(c.evaluator, "table:cifar10");
  ASSERT_EQ(c.devices.size(), 1u);
  EXPECT_EQ(c.devices[0].url, "table:pixel3");
  EXPECT_GT(c.devices[0].target_ms, 0);
  EXPECT_TRUE(c.fidelity.rungs.empty());
  EXPECT_DOUBLE_EQ(search_time_budget(SearchChoices{}, 0, true), 0);
  EXPECT_NO_THROW(validate(c));
}

}  // namespace
}  // namespace mnas
