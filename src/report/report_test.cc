#include "report/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "base/error.h"
#include "report/svg_chart.h"
#include "search/latency_objective.h"
#include "search/search_config.h"
#include "space/architecture_codec.h"
#include "space/zoo.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

std::string temp_path(const std::string& name) { return testing::fresh_path("report_test", name); }

int count(const std::string& text, const std::string& what) {
  return testing::count_of(text, what);
}

// A real canonical architecture per name ("arch-a"): the store validates what it reads back.
std::string arch(const std::string& name) {
  std::mt19937_64 rng(std::hash<std::string>{}(name));
  return to_canonical_string(SearchConfig::default_space().sample(rng));
}

StoredTrial trial(int step, int index, const std::string& canonical, double acc, double ms,
                  double reward, const std::string& status = "done") {
  StoredTrial t;
  t.step = step;
  t.index = index;
  t.canonical = arch(canonical);
  t.tokens = {step, index};
  t.status = status;
  t.failure = status == "done" ? "" : "diverged: loss <nan> at step 3";
  t.accuracy = acc;
  t.latency_ms = ms;
  t.reward = reward;
  t.latency_json =
      R"({"median_ms":1,"provenance":{"cpu_model":"Test CPU","threads":1,"engine":"xnnpack",)"
      R"("engine_version":"0.0"}})";
  t.seconds = 2;
  return t;
}

// A zoo model evaluated like the trials, at the trials' input.
StoredReference reference(const std::string& name, double acc, double ms, double reward) {
  StoredReference ref;
  ref.name = name;
  ref.canonical = to_canonical_string(zoo_model(name, ZooOptions{{28, 28, 1}, 10, 1.0}));
  ref.status = "done";
  ref.accuracy = acc;
  ref.latency_ms = ms;
  ref.reward = reward;
  return ref;
}

TEST(Report, HoldsTheChartsTablesTargetAndReferences) {
  const std::string path = temp_path("full.db");
  Store store(path);
  SearchConfig config;
  config.devices[0].target_ms = 0.33;
  store.set_config(search_config_json(config).dump());
  store.add_trial(trial(0, 0, "arch-a", 0.70, 0.20, 0.72));
  store.add_trial(trial(0, 1, "arch-b", 0.75, 0.40, 0.74));
  store.add_trial(trial(0, 2, "arch-c", 0.60, 0.50, 0.59));  // dominated
  store.add_trial(trial(1, 0, "arch-d", 0, 0, 0, "failed"));
  store.add_reference(reference("mobilenetv2", 0.71, 0.33, 0.71));

  const std::string html = render_report(store);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Reward, accuracy vs latency, latency histogram; then the drawings of the best three trials
  // and of the reference.
  EXPECT_EQ(count(html, "<svg") - count(html, "<figure><svg"), 3);
  EXPECT_EQ(count(html, "<figure><svg"), 4);
  EXPECT_EQ(count(html, "</svg>"), 7);
  for (const char* part :
       {"<title>trial 2: 75.00%, 0.400 ms, reward 0.7400</title>",
        "<title>mobilenetv2: 71.00%, 0.330 ms, reward 0.7100</title>", "T = 0.330 ms",
        ">mobilenetv2</text>",   // marked in the scatter
        "<td>mobilenetv2</td>",  // and in the table
        "Test CPU", "4 (1 failed",
        "diverged: loss &lt;nan&gt;",  // escaped
        "Best by reward: trial 2"}) {
    EXPECT_NE(html.find(part), std::string::npos) << part;
  }
  // The Pareto table holds a and b, not the dominated c.
  const std::string pareto = html.substr(html.find("<h2>Pareto front"));
  const std::string pareto_table = pareto.substr(0, pareto.find("</table>"));
  EXPECT_NE(pareto_table.find(escape_xml(arch("arch-a"))), std::string::npos);
  EXPECT_NE(pareto_table.find(escape_xml(arch("arch-b"))), std::string::npos);
  EXPECT_EQ(pareto_table.find(escape_xml(arch("arch-c"))), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);  // self-contained, nothing runs or loads
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));

  const std::string out = temp_path("report.html");
  write_report(store, out);
  std::ifstream in(out);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), html);
  std::remove(out.c_str());
}

// A multi-fidelity search: trials that stopped at a lower rung have that rung's accuracy and a
// comparable reward; the report says so and ranks and draws full-proxy trials only.
TEST(Report, TrialsStoppedAtALowerRungAreNotRankedOrDrawn) {
  const std::string path = temp_path("fidelity.db");
  Store store(path);
  SearchConfig config;
  config.fidelity.rungs = {1000, 5000};
  config.fidelity.continue_runs = true;
  store.set_config(search_config_json(config).dump());
  store.add_trial(trial(0, 0, "arch-a", 0.70, 0.20, 0.72));
  StoredTrial stopped = trial(0, 1, "arch-b", 0.38, 0.10, 0.80);  // rung accuracy, high reward
  stopped.partial = true;
  stopped.rung = 0;
  store.add_trial(stopped);
  const std::string html = render_report(store);
  EXPECT_NE(html.find("1000 → 5000 images, the best 1/3 of each rung going on (continuing its "
                      "run); 1 trials stopped at a lower rung"),
            std::string::npos);
  EXPECT_NE(html.find("Best by reward: trial 1"), std::string::npos);
  EXPECT_EQ(count(html, escape_xml(arch("arch-b"))), 0);  // in no table
  // Drawn in the reward chart only (what the strategy learnt from), not among the accuracies.
  EXPECT_EQ(count(html, "trial 2: 38.00%"), 1);
  EXPECT_NE(html.find("trial 2: 38.00%, 0.100 ms, reward 0.8000 (stopped at rung 1: its "
                      "accuracy)"),
            std::string::npos);
}

TEST(Report, OneViewPerDevice) {
  const std::string path = temp_path("devices.db");
  Store store(path);
  SearchConfig config;
  // name, url, target, target_ms, latency_stat, precision
  config.devices = {{"board", "http://board:8765", "mobilenetv2", 0, "median", "fp32"},
                    {"phone", "http://phone:8765", "mobilenetv2", 12, "median", "fp32"}};
  store.set_config(search_config_json(config).dump());
  for (int i = 0; i < 3; ++i) {
    StoredTrial t = trial(0, i, "arch-" + std::to_string(i), 0.6 + 0.05 * i, 3.0 - i, 0.5);
    // Faster on the board as i grows, slower on the phone: each device has its own front.
    std::vector<DeviceLatency> l(2);
    l[0] = {"board", 3.0 - i, 2.0, (3.0 - i) / 2.0,
            R"({"stat":"median","candidate":{"provenance":{"cpu_model":"Board CPU"}}})"};
    l[1] = {"phone", 10.0 + i, 12.0, (10.0 + i) / 12.0, R"({"stat":"median"})"};
    t.latency_json = encode_latencies(l);
    store.add_trial(t);
  }
  const std::string html = render_report(store);
  // Reward, then scatter and histogram per device.
  EXPECT_EQ(count(html, "<svg") - count(html, "<figure><svg"), 5);
  for (const char* part :
       {"Accuracy and latency on board", "Accuracy and latency on phone",
        "Pareto front (held-out accuracy vs latency on phone)", "<th>latency on phone (ms)</th>",
        "Board CPU", "12.0000 ms (fixed)", "ACC·Π_d"}) {
    EXPECT_NE(html.find(part), std::string::npos) << part;
  }
}

// A few diverged trials no longer squash the front: the view is zoomed to the front, the zoo and
// the better trials, and the trials outside it are drawn on its edge and counted in a note.
TEST(Report, TheAccuracyChartZoomsToTheFrontAndTheZoo) {
  const std::string path = temp_path("zoom.db");
  Store store(path);
  for (int i = 0; i < 20; ++i) {
    const bool diverged = i % 4 == 0;
    store.add_trial(trial(i / 5, i % 5, "arch-" + std::to_string(i),
                          diverged ? 0.10 : 0.74 + 0.002 * i, 0.2 + 0.01 * i, 0.7));
  }
  store.add_trial(trial(4, 0, "arch-failed", 0, 0, 0, "failed"));
  store.add_reference(reference("mnasnet-small", 0.76, 0.3, 0.75));
  const std::string html = render_report(store);
  EXPECT_NE(html.find("5 trial(s) of lower accuracy (diverged or weak) are drawn grey on the "
                      "view&#39;s edge"),
            std::string::npos)
      << html.substr(html.find("Accuracy and latency"), 3000);
  EXPECT_NE(html.find("1 failed trial(s) have no accuracy to draw"), std::string::npos);
  EXPECT_EQ(count(html, "outside the view, drawn on its edge: trial"), 5);
  // The y axis starts near the trials that matter, not at 10%.
  const size_t from = html.find("<h2>Accuracy and latency");
  const std::string chart = html.substr(from, html.find("</svg>", from) - from);
  EXPECT_EQ(chart.find(">10</text>"), std::string::npos);
  EXPECT_NE(chart.find(">76</text>"), std::string::npos);
}

TEST(Report, AnEmptyStoreStillRenders) {
  Store store(temp_path("empty.db"));
  const std::string html = render_report(store);
  EXPECT_EQ(count(html, "</svg>"), 3);
  EXPECT_NE(html.find("None evaluated"), std::string::npos);
}

TEST(Report, AnUnwritablePathIsAnError) {
  Store store(temp_path("unwritable.db"));
  try {
    write_report(store, "/nonexistent-dir/report.html");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kIo);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/report.html"), std::string::npos);
  }
}

}  // namespace
}  // namespace mnas
