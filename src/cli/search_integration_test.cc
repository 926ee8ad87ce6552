// A tiny real search end to end: real proxy training on a few hundred Fashion-MNIST images, real
// XNNPACK latency, the store, resume and the results.
#include "cli/cli_test_util.h"
#include "search/new_search.h"
#include "search/search_run.h"
#include "search/search_session.h"

namespace {

TEST(SearchIntegration, TinyRealSearchEndToEnd) {
  if (!std::ifstream("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  }
  const std::string store = temp_path("search.db");
  std::remove(store.c_str());
  const std::string common =
      " --store " + store + " --batch 2 --train-images 256 --holdout 128 --threads 2";
  Result r = run_mnas("search --trials 2 --references mnasnet-small" + common);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("reference 1/1 mnasnet-small done"), std::string::npos) << r.err;
  // How candidates are timed is said, threads included (the paper's one core).
  EXPECT_NE(r.err.find("timed alongside, median, one thread)"), std::string::npos) << r.err;
  const std::string report = store.substr(0, store.rfind('.')) + ".html";
  EXPECT_NE(r.out.find("The report is " + report), std::string::npos) << r.out;
  EXPECT_NE(slurp(report).find("</html>"), std::string::npos);
  EXPECT_NE(r.err.find("trial 2/2"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("Pareto front"), std::string::npos) << r.out;
  // Continue to 4 trials: the configuration comes from the store.
  r = run_mnas("search --resume --trials 4 --store " + store +
               " --threads 2 --train-device cpu --references none");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resuming at trial 3"), std::string::npos) << r.err;
  const nlohmann::json j = run_json("results " + store + " --json");
  EXPECT_EQ(j["trials"], 4);
  EXPECT_GT(j["target_ms"].get<double>(), 0);
  EXPECT_TRUE(j["config"]["fidelity"]["rungs"].empty()) << j["config"];  // 256 images: one rung
  // Where the trials trained: this machine's default first (auto), then the CPU as asked.
  ASSERT_FALSE(j["train_devices"].empty());
  EXPECT_EQ(j["train_devices"].back(), "cpu");
  EXPECT_NE(run_mnas("results " + store).out.find("proxy training on: "), std::string::npos);
  ASSERT_FALSE(j["top"].empty());
  for (const auto& t : j["top"]) {
    EXPECT_GE(t["accuracy"].get<double>(), 0.0);
    EXPECT_GT(t["latency_ms"].get<double>(), 0.0);
  }
  // A changed configuration is refused, naming the option.
  r = run_mnas("search --resume --trials 5 --strategy random --store " + store);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--strategy"), std::string::npos) << r.err;
  ASSERT_EQ(j["references"].size(), 1u);
  EXPECT_EQ(j["references"][0]["name"], "mnasnet-small");
  EXPECT_GT(j["references"][0]["latency_ms"].get<double>(), 0);
  std::remove(report.c_str());
  std::remove(store.c_str());
  std::remove((store + "-wal").c_str());
  std::remove((store + "-shm").c_str());
}

// A detection search: each candidate trained as SSDLite's backbone on scenes and scored by COCO's
// mAP, the detector timed (its provenance says so), T's model and the references as detectors.
TEST(SearchIntegration, ADetectionSearchTrainsAndTimesDetectors) {
  if (!std::ifstream("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  }
  const std::string scenes = temp_path("search_scenes"), store = temp_path("det_search.db");
  std::remove(store.c_str());
  int rc = std::system(("rm -rf " + scenes).c_str());
  ASSERT_EQ(run_mnas("data make-scenes --out " + scenes + " --train 160 --test 20 --size 48 " +
                     "--min-side 12 --max-side 28")
                .exit_code,
            0);
  Result r = run_mnas("search --task detection --dataset coco:" + scenes + " --store " + store +
                      " --trials 2 --batch 2 --train-images 96 --holdout 64 --threads 2 " +
                      "--references mnasnet-small");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("trial 2/2 done mAP "), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("held-out mAP vs latency"), std::string::npos) << r.out;
  const nlohmann::json j = run_json("results " + store + " --json");
  EXPECT_EQ(j["config"]["task"], "detection");
  EXPECT_EQ(j["config"]["space"]["input"]["height"], 48);  // from the scenes
  EXPECT_TRUE(j["config"]["fidelity"]["rungs"].empty());
  ASSERT_EQ(j["top"].size(), 2u);
  for (const auto& t : j["top"]) {
    EXPECT_GE(t["accuracy"].get<double>(), 0.0);
    EXPECT_LE(t["accuracy"].get<double>(), 1.0);
    EXPECT_NE(t["latencies"].dump().find("\"detector_categories\":10"), std::string::npos)
        << t["latencies"].dump();
  }
  EXPECT_EQ(j["references"][0]["name"], "mnasnet-small");
  // Finalize trains classifiers: a detection store is refused, saying what to do instead.
  r = run_mnas("finalize " + store);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("mnas train ARCH --task detection"), std::string::npos) << r.err;
  const std::string report = store.substr(0, store.rfind('.')) + ".html";
  rc = std::system(("rm -rf " + scenes + " " + store + "* " + report).c_str());
  (void)rc;
}

// From 1,000 proxy images up a new search is multi-fidelity unless told otherwise: a tenth of
// the images, then all (the main job's default).
TEST(SearchIntegration, ANewSearchOfAThousandImagesIsMultiFidelityByDefault) {
  if (!std::ifstream("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  }
  const std::string store = temp_path("default_rungs.db");
  const std::string report = store.substr(0, store.rfind('.')) + ".html";
  const auto remove_all = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
    std::remove(report.c_str());
  };
  remove_all();
  Result r = run_mnas("search --store " + store +
                      " --trials 3 --batch 3 --train-images 1000 "
                      "--holdout 64 --threads 2 --references none");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("rung 1/2 (100 images)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("time budget"), std::string::npos) << r.err;  // --trials: none
  const nlohmann::json j = run_json("results " + store + " --json");
  EXPECT_EQ(j["trials"], 3);
  EXPECT_EQ(j["config"]["fidelity"]["rungs"], nlohmann::json({100, 1000}));
  EXPECT_EQ(j["config"]["fidelity"]["continue"], true);
  remove_all();
  r = run_mnas("search --store " + store +
               " --trials 1 --batch 1 --train-images 1000 --holdout 64 --threads 2 "
               "--references none --fidelity none");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(run_json("results " + store + " --json")["config"]["fidelity"]["rungs"].empty());
  EXPECT_EQ(r.err.find("time budget"), std::string::npos) << r.err;
  remove_all();
}

// A library user who makes the same choices as `mnas search` gets the same search: the library
// holds the policies (new_search_config) and the assembly (SearchRun), the CLI only parses.
TEST(SearchIntegration, ALibraryUserRunsTheSearchMnasSearchRuns) {
  const std::string cli_store = temp_path("cli-surrogate.db"), lib_store = temp_path("lib.db");
  for (const std::string& p : {cli_store, lib_store}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p + suffix).c_str());
  }
  const Result r = run_mnas("search --evaluator surrogate --trials 12 --batch 4 --seed 5 "
                            "--references mnasnet-small --store " + cli_store);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  mnas::SearchChoices chosen;
  chosen.evaluator = chosen.trials = true;
  mnas::SearchSession session =
      mnas::SearchSession::open(lib_store, false, [&](const mnas::SearchConfig& base) {
        mnas::SearchConfig requested = base;
        requested.evaluator = "surrogate";
        requested.batch = 4;
        requested.seed = 5;
        return mnas::new_search_config(requested, chosen, 12);
      });
  mnas::SearchRun run(session, mnas::SearchRunOptions{});
  run.check_devices(session, nullptr);
  const int64_t trials = session.begin(12);
  session.store().set_reference_names({"mnasnet-small"});
  run.prepare(session, trials, mnas::search_time_budget(chosen, 0, false));
  run.search(session, [](const mnas::SearchProgress&) {}, nullptr);
  run.references(session, {"mnasnet-small"}, nullptr, nullptr);

  const mnas::Store cli(cli_store, mnas::Store::Mode::kReadOnly);
  const std::vector<mnas::StoredTrial> a = cli.trials(), b = session.store().trials();
  ASSERT_EQ(a.size(), 12u);
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].canonical, b[i].canonical) << i;
    EXPECT_DOUBLE_EQ(a[i].accuracy, b[i].accuracy) << i;
    EXPECT_DOUBLE_EQ(a[i].latency_ms, b[i].latency_ms) << i;
    EXPECT_DOUBLE_EQ(a[i].reward, b[i].reward) << i;
  }
  ASSERT_EQ(cli.references().size(), 1u);
  ASSERT_EQ(session.store().references().size(), 1u);
  EXPECT_DOUBLE_EQ(cli.references()[0].reward, session.store().references()[0].reward);
  EXPECT_EQ(mnas::first_difference(mnas::search_config_from_text(cli.config(), cli_store),
                                   session.config()),
            "");
}

}  // namespace
