#include "search/ask_tell.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <thread>
#include <tuple>

#include "search/new_search.h"
#include "search/search_config_fields.h"
#include "search/search_run.h"
#include "search/search_session.h"
#include "store/store.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

using testing::error_of;

std::string path_for(const std::string& name) { return testing::fresh_path("ask_tell", name); }

// The surrogate's search (synthetic accuracy and latency), small steps.
nlohmann::json surrogate_request(const std::string& strategy = "random") {
  return {{"evaluator", "surrogate"}, {"strategy", strategy}, {"batch", 3}, {"seed", 7}};
}

AskTellOptions length(int64_t trials) {
  AskTellOptions o;
  o.trials = trials;
  return o;
}

// Asks one trial at a time, evaluates it with the search's own evaluator and tells it, `limit`
// times or until the search is over; returns how many were told.
int drive(AskTellSearch& s, int limit = 1 << 30) {
  int told = 0;
  while (told < limit) {
    const std::vector<AskedTrial> asked = s.ask(1, false);
    if (asked.empty()) break;
    s.tell(asked.front().id, s.evaluate(asked.front()));
    ++told;
  }
  return told;
}

// (step, index, canonical, reward) of every stored trial, in step and index order.
std::vector<std::tuple<int, int, std::string, double>> outcome(const std::string& path) {
  Store store(path, Store::Mode::kReadOnly);
  std::vector<std::tuple<int, int, std::string, double>> out;
  for (const StoredTrial& t : store.trials())
    out.emplace_back(t.step, t.index, t.canonical, t.reward);
  std::sort(out.begin(), out.end());
  return out;
}

// The same search run by the library's loop in this process (what `mnas search` does).
void run_in_process(const std::string& path, const nlohmann::json& request, int64_t trials) {
  SearchSession session = SearchSession::open(path, false, [&](const SearchConfig& base) {
    SearchConfig c = base;
    SearchChoices chosen = choices_from_fields(apply_search_request(c, request, "config"));
    chosen.trials = true;
    c = new_search_config(c, chosen, trials);
    validate(c);
    return c;
  });
  SearchRun run(session, SearchRunOptions{});
  const int64_t length = session.begin(trials);
  run.prepare(session, length, 0);
  run.search(session, {}, nullptr);
}

TEST(AskTell, StoresTheSameSearchAsTheLoopInProcess) {
  for (const char* strategy : {"random", "ppo", "evolution"}) {
    SCOPED_TRACE(strategy);
    const std::string told = path_for(std::string("told_") + strategy);
    const std::string local = path_for(std::string("local_") + strategy);
    {
      AskTellSearch s(told, false, surrogate_request(strategy), length(9));
      EXPECT_TRUE(s.is_new());
      EXPECT_EQ(s.config().latency, "surrogate");  // the policy for a surrogate search
      EXPECT_EQ(drive(s), 9);
      EXPECT_TRUE(s.finished());
      EXPECT_TRUE(s.ask(1, false).empty());
    }
    run_in_process(local, surrogate_request(strategy), 9);
    EXPECT_EQ(outcome(told), outcome(local));
  }
}

TEST(AskTell, AStepIsAskedWholeAndTheStrategyWaitsForItsResults) {
  AskTellSearch s(path_for("step"), false, surrogate_request(), length(6));
  const std::vector<AskedTrial> step = s.ask(10, false);
  ASSERT_EQ(step.size(), 3u);  // the batch
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(step[i].step, 0);
    EXPECT_EQ(step[i].index, i);
    EXPECT_EQ(step[i].rung, -1);
  }
  EXPECT_EQ(s.pending().size(), 3u);
  EXPECT_NE(error_of([&] { s.ask(1, false); }).find("tell them first"), std::string::npos);
  // Told in any order; the next step comes once the whole step is.
  s.tell(step[2].id, s.evaluate(step[2]));
  s.tell(step[0].id, s.evaluate(step[0]));
  s.tell(step[1].id, s.evaluate(step[1]));
  const std::vector<AskedTrial> next = s.ask(10, false);
  ASSERT_EQ(next.size(), 3u);
  EXPECT_EQ(next[0].step, 1);
}

TEST(AskTell, AWorkerThatWaitsGetsTheNextStepOnceAnotherTells) {
  AskTellSearch s(path_for("wait"), false, surrogate_request(), length(6));
  const std::vector<AskedTrial> step = s.ask(3, false);
  std::vector<AskedTrial> got;
  std::thread worker([&] { got = s.ask(1, true); });
  for (const AskedTrial& t : step) s.tell(t.id, s.evaluate(t));
  worker.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].step, 1);
  // A deadline that passes gives nothing, and the search is not over.
  s.ask(2, false);
  EXPECT_TRUE(s.ask(1, true, 0.05).empty());
  EXPECT_FALSE(s.finished());
}

TEST(AskTell, AnInterruptedSearchResumesWithNothingToldLost) {
  const std::string cut = path_for("cut");
  {
    AskTellSearch s(cut, false, surrogate_request("ppo"), length(9));
    EXPECT_EQ(drive(s, 4), 4);               // step 0 and the first of step 1
    const std::vector<AskedTrial> out = s.ask(2, false);  // asked, never told
    EXPECT_EQ(out.size(), 2u);
  }  // closed as a crash would leave it: 4 trials stored
  EXPECT_EQ(outcome(cut).size(), 4u);
  {
    AskTellSearch s(cut, true, nlohmann::json::object(), {});
    EXPECT_FALSE(s.is_new());
    EXPECT_EQ(s.length(), 9);  // the stored length
    const std::vector<AskedTrial> again = s.ask(5, false);
    ASSERT_EQ(again.size(), 2u);  // the rest of step 1, asked again
    EXPECT_EQ(again[0].step, 1);
    EXPECT_EQ(again[0].index, 1);
    for (const AskedTrial& t : again) s.tell(t.id, s.evaluate(t));
    EXPECT_EQ(drive(s), 3);
  }
  const std::string whole = path_for("whole");
  {
    AskTellSearch s(whole, false, surrogate_request("ppo"), length(9));
    drive(s);
  }
  EXPECT_EQ(outcome(cut), outcome(whole));
}

TEST(AskTell, AResumeMayOnlyRepeatTheConfiguration) {
  const std::string path = path_for("repeat");
  { AskTellSearch s(path, false, surrogate_request(), length(3)); }
  { AskTellSearch s(path, true, {{"batch", 3}}, {}); }
  EXPECT_NE(error_of([&] { AskTellSearch s(path, true, {{"batch", 4}}, {}); })
                .find("config.batch: differs from the search stored"),
            std::string::npos);
  EXPECT_NE(error_of([&] { AskTellSearch s(path, false, surrogate_request(), {}); }).find("exists"),
            std::string::npos);
  EXPECT_NE(error_of([&] { AskTellSearch s(path_for("none"), true, {}, {}); })
                .find("does not exist"),
            std::string::npos);
}

TEST(AskTell, BadResultsAreRefusedAndTheTrialStaysOut) {
  AskTellSearch s(path_for("bad"), false, surrogate_request(), length(3));
  const AskedTrial t = s.ask(1, false).front();
  ToldResult r = s.evaluate(t);
  ToldResult percent = r;
  percent.accuracy = 91;
  EXPECT_NE(error_of([&] { s.tell(t.id, percent); }).find("accuracy: must be in [0, 1]"),
            std::string::npos);
  ToldResult no_latency = r;
  no_latency.latency_ms.reset();
  EXPECT_NE(
      error_of([&] { s.tell(t.id, no_latency); }).find("latency_ms: this search's latency is told"),
      std::string::npos);
  ToldResult metrics = r;
  metrics.metrics_json = R"({"top5": "high"})";
  EXPECT_NE(error_of([&] { s.tell(t.id, metrics); }).find("metrics"), std::string::npos);
  ToldResult failed;
  failed.ok = false;
  EXPECT_NE(error_of([&] { s.tell(t.id, failed); }).find("failed: say why"), std::string::npos);
  EXPECT_NE(error_of([&] { s.tell(t.id + 100, r); }).find("is not out"), std::string::npos);
  EXPECT_EQ(s.pending().size(), 1u);
  failed.failure = "diverged";
  s.tell(t.id, failed);
  EXPECT_NE(error_of([&] { s.tell(t.id, r); }).find("is not out"), std::string::npos);
  Store store(s.path(), Store::Mode::kReadOnly);
  ASSERT_EQ(store.trial_count(), 1);
  EXPECT_EQ(store.trials()[0].status, "failed");
  EXPECT_EQ(store.trials()[0].failure, "diverged");
}

TEST(AskTell, AnExternalSearchIsToldByItsCallerAndRefusedByTheCli) {
  const std::string path = path_for("external");
  nlohmann::json request = {{"latency", "told"},
                            {"devices", {{{"name", "phone"}, {"target_ms", 20}}}},
                            {"batch", 2}};
  {
    AskTellSearch s(path, false, request, length(2));
    EXPECT_EQ(s.config().evaluator, "external");
    EXPECT_TRUE(s.config().fidelity.rungs.empty());  // rungs are the proxy's default only
    const AskedTrial t = s.ask(1, false).front();
    EXPECT_NE(error_of([&] { s.evaluate(t); }).find("evaluator: external"), std::string::npos);
    ToldResult r;
    r.accuracy = 0.8;
    r.latency_ms = 40;  // twice T
    r.metrics_json = R"({"loss": 0.5})";
    s.tell(t.id, r);
  }
  Store store(path, Store::Mode::kReadOnly);
  const StoredTrial t = store.trials().front();
  EXPECT_DOUBLE_EQ(t.latency_ms, 40);
  EXPECT_NEAR(t.reward, 0.8 * std::pow(2.0, -0.07), 1e-9);
  EXPECT_EQ(t.metrics_json, R"({"loss":0.5})");
  // `mnas search --resume` (a SearchRun without a runner of its own) cannot evaluate it.
  SearchSession session = SearchSession::open(path, true, [](const SearchConfig& c) { return c; });
  EXPECT_NE(error_of([&] { SearchRun run(session, SearchRunOptions{}); })
                .find("evaluator: external: the search's trials are evaluated by the program"),
            std::string::npos);
  // Told latency needs a fixed T, and an external evaluator.
  EXPECT_NE(error_of([&] { AskTellSearch s(path_for("no_t"), false, {{"latency", "told"}}, {}); })
                .find("T fixed"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              AskTellSearch s(path_for("told_surrogate"), false,
                              {{"latency", "told"}, {"evaluator", "surrogate"}}, {});
            }).find("external evaluator"),
            std::string::npos);
}

TEST(AskTell, RungsAreAskedWithTheirBudget) {
  nlohmann::json request = surrogate_request();
  request["batch"] = 4;
  request["fidelity"] = {{"rungs", {100, 400}}, {"keep", 2}};
  AskTellSearch s(path_for("rungs"), false, request, length(4));
  const std::vector<AskedTrial> first = s.ask(10, false);
  ASSERT_EQ(first.size(), 4u);
  for (const AskedTrial& t : first) {
    EXPECT_EQ(t.rung, 0);
    EXPECT_EQ(t.rungs, 2);
    EXPECT_EQ(t.task.train_images, 100);
    EXPECT_TRUE(t.task.latency);
    s.tell(t.id, s.evaluate(t));
  }
  const std::vector<AskedTrial> second = s.ask(10, false);
  ASSERT_EQ(second.size(), 2u);  // the better half
  for (const AskedTrial& t : second) {
    EXPECT_EQ(t.rung, 1);
    EXPECT_EQ(t.task.train_images, 400);
    EXPECT_FALSE(t.task.latency);  // measured once, at the first rung
    ToldResult r = s.evaluate(t);
    EXPECT_FALSE(r.latency_ms.has_value());
    s.tell(t.id, r);
  }
  EXPECT_TRUE(s.ask(1, false).empty());
  Store store(s.path(), Store::Mode::kReadOnly);
  EXPECT_EQ(store.rungs().size(), 6u);
  EXPECT_EQ(store.trial_count(), 4);
}

TEST(AskTell, ATableSpaceAndBadOptionsAreRefused) {
  EXPECT_NE(error_of([&] {
              AskTellSearch s(path_for("table"), false, {{"table_space", "nb201"}}, {});
            }).find("config.table_space"),
            std::string::npos);
  EXPECT_NE(error_of([&] { AskTellSearch s(path_for("field"), false, {{"batchh", 3}}, {}); })
                .find("config"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              AskTellSearch s(path_for("len"), false, surrogate_request(), length(0));
            }).find("trials: must be ≥ 1"),
            std::string::npos);
}

}  // namespace
}  // namespace mnas
