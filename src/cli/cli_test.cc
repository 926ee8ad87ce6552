// Runs the real `mnas` binary as a user would: output, JSON fields and exit codes.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli_test_util.h"

namespace {

TEST(Cli, DescribeB1MatchesTorchvision) {
  const nlohmann::json j = run_json("describe mnasnet-b1 --json");
  ASSERT_TRUE(j["params"].is_number_integer());
  ASSERT_TRUE(j["macs"].is_number_integer());
  EXPECT_EQ(j["params"].get<long long>(), 4383312);
  EXPECT_NEAR(j["macs"].get<double>(), 314.4e6, 314.4e6 * 0.005);
  ASSERT_TRUE(j["layers"].is_array());
  EXPECT_EQ(j["layers"].size(), 1u + 17u + 2u);  // stem, 17 layers, head, classifier
  long long sum = 0;
  for (const auto& layer : j["layers"]) sum += layer["params"].get<long long>();
  EXPECT_EQ(sum, 4383312);
}

TEST(Cli, DescribeA1AndMobileNetV2) {
  const nlohmann::json a1 = run_json("describe mnasnet-a1 --json --input 224x224x3 --classes 1000");
  EXPECT_EQ(a1["params"].get<long long>(), 3887038);
  EXPECT_NEAR(a1["macs"].get<double>(), 311.6e6, 311.6e6 * 0.005);
  const nlohmann::json v2 = run_json("describe mobilenetv2 --json");
  EXPECT_GE(v2["params"].get<long long>(), 3470000);
  EXPECT_LE(v2["params"].get<long long>(), 3510000);
  EXPECT_NEAR(v2["macs"].get<double>(), 300e6, 3e6);
}

TEST(Cli, DescribeAcceptsCanonicalStringsAndFiles) {
  const nlohmann::json a1 = run_json("describe mnasnet-a1 --json");
  const std::string canonical = a1["canonical"];
  const nlohmann::json again = run_json("describe '" + canonical + "' --json");
  EXPECT_EQ(again["params"], a1["params"]);
  EXPECT_EQ(again["canonical"], a1["canonical"]);

  const std::string json_file = temp_path("arch.json");
  std::ofstream(json_file) << a1["architecture"].dump(2);
  EXPECT_EQ(run_json("describe @" + json_file + " --json")["canonical"], a1["canonical"]);
  const std::string text_file = temp_path("arch.txt");
  std::ofstream(text_file) << canonical << "\n";
  EXPECT_EQ(run_json("describe @" + text_file + " --json")["canonical"], a1["canonical"]);
  std::remove(json_file.c_str());
  std::remove(text_file.c_str());
}

TEST(Cli, DescribeInputClassesAndMultiplier) {
  const nlohmann::json j = run_json("describe mnasnet-a1 --json --input 28x28x1 --classes 10");
  EXPECT_EQ(j["architecture"]["input"]["height"], 28);
  EXPECT_EQ(j["architecture"]["classes"], 10);
  EXPECT_EQ(run_json("describe mobilenetv2 --multiplier 1.4 --json")["params"],
            run_json("describe mobilenetv2-1.4 --json")["params"]);
}

TEST(Cli, DescribeZooListsEveryModel) {
  const nlohmann::json j = run_json("describe zoo --json");
  ASSERT_EQ(j["models"].size(), 5u);
  EXPECT_EQ(j["models"][0]["name"], "mnasnet-a1");
  const Result text = run_mnas("describe zoo");
  EXPECT_NE(text.out.find("4,383,312"), std::string::npos) << text.out;
}

TEST(Cli, DescribeDrawsAnArchitectureToAnSvgFile) {
  const std::string svg = temp_path("a1.svg");
  const Result r = run_mnas("describe mnasnet-a1 --input 28x28x1 --classes 10 --svg " + svg);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string drawn = slurp(svg);
  EXPECT_EQ(drawn.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(drawn.find(">28×28×1</text>"), std::string::npos);
  EXPECT_NE(drawn.find(">10 classes</text>"), std::string::npos);
  std::remove(svg.c_str());
  // One architecture, not the zoo; a drawing or JSON; never over the file it reads.
  const std::string file = temp_path("arch.txt");
  std::ofstream(file) << "mnasnet-small\n";
  for (const auto& [args, says] : std::vector<std::pair<std::string, std::string>>{
           {"describe zoo --svg " + svg, "draws one architecture"},
           {"describe mnasnet-a1 --json --svg " + svg, "use one"},
           {"describe @" + file + " --svg " + file, "which this command reads"}}) {
    const Result bad = run_mnas(args);
    EXPECT_EQ(bad.exit_code, 2) << args;
    EXPECT_NE(bad.err.find(says), std::string::npos) << bad.err;
  }
  EXPECT_EQ(slurp(file), "mnasnet-small\n");
  std::remove(file.c_str());
}

TEST(Cli, SpaceReportsThePapersSizes) {
  const nlohmann::json j = run_json("space --json");
  ASSERT_EQ(j["per_block_choices"].size(), 7u);
  for (const auto& s : j["per_block_choices"]) EXPECT_EQ(s.get<int>(), 432);
  EXPECT_NEAR(j["log10_size"].get<double>(), 18.448, 0.001);
  EXPECT_EQ(j["paper_example"]["S"], 432);
  EXPECT_EQ(j["paper_example"]["factorized_size"], "15045919506432");  // 432^5 ≈ 1.5e13
  EXPECT_NEAR(j["paper_example"]["factorized_log10"].get<double>(), 13.177, 0.001);
  const Result text = run_mnas("space");
  EXPECT_NE(text.out.find("1.5e13"), std::string::npos) << text.out;
}

TEST(Cli, SpaceFileAndInput) {
  const std::string file = temp_path("space.json");
  std::ofstream(file) << R"({"searchable_blocks": [0, 1, 2, 3, 4], "classes": 10})";
  const nlohmann::json j = run_json("space --space " + file + " --input 28x28x1 --json");
  EXPECT_EQ(j["per_block_choices"].size(), 5u);
  EXPECT_EQ(j["skeleton"], "small-input");
  EXPECT_EQ(j["classes"], 10);
  std::remove(file.c_str());
}

TEST(Cli, LatencyReportsStatisticsAndProvenance) {
  const nlohmann::json j =
      run_json("latency mnasnet-small --input 32x32x3 --classes 10 --runs 5 --min-secs 0 --json");
  for (const char* field : {"median_ms", "min_ms", "mean_ms", "std_ms", "p90_ms", "cv"}) {
    ASSERT_TRUE(j[field].is_number()) << field;
  }
  EXPECT_GT(j["median_ms"].get<double>(), 0);
  EXPECT_GE(j["runs"].get<int>(), 5);
  EXPECT_EQ(j["engine"], "xnnpack");
  EXPECT_EQ(j["provenance"]["input_shape"], "32x32x3");
  EXPECT_EQ(j["provenance"]["threads"], 1);
  // The settings travel with the result; the command re-measures above 3% CV unless told.
  EXPECT_EQ(j["protocol"]["min_runs"], 5);
  EXPECT_EQ(j["protocol"]["max_cv"], 0.03);
  EXPECT_GE(j["attempts"].size(), 1u);
  EXPECT_LE(j["attempts"].size(), j["protocol"]["max_attempts"].get<size_t>());
  const nlohmann::json loose = run_json(
      "latency mnasnet-small --input 32x32x3 --classes 10 --runs 5 --min-secs 0 --max-cv 0.5 "
      "--attempts 2 --json");
  EXPECT_EQ(loose["protocol"]["max_cv"], 0.5);
  EXPECT_EQ(loose["protocol"]["max_attempts"], 2);
}

// --task detection times SSDLite on ARCH (its classes the categories), and says so.
TEST(Cli, LatencyOfADetector) {
  const nlohmann::json j = run_json(
      "latency mnasnet-small --input 96x96x1 --classes 4 --task detection --runs 5 --min-secs 0 "
      "--profile --json");
  EXPECT_EQ(j["task"], "detection");
  EXPECT_EQ(j["provenance"]["detector_categories"], 4);
  // The profile lists the prediction layers too: "class1.predict" ... "box5.predict".
  bool predict = false;
  for (const auto& op : j["operators"]) predict = predict || op["name"] == "box1.predict";
  EXPECT_TRUE(predict) << j["operators"].dump();
}

// --versus builds T's model as a search does: at ARCH's input and classes, a small input taking
// the small-input stem (stride 1), not the 224-pixel model cut down to 28x28.
TEST(Cli, LatencyVersusBuildsTheModelAsTheSearchDoes) {
  const nlohmann::json j = run_json(
      "latency mnasnet-small --input 28x28x1 --classes 10 --versus mobilenetv2 --runs 5 "
      "--min-secs 0 --json");
  const std::string reference = j["versus"]["canonical"];
  EXPECT_EQ(reference.rfind("input=28x28x1:stem=s11_", 0), 0u) << reference;
  EXPECT_NE(reference.find(":classes=10:"), std::string::npos) << reference;
  EXPECT_GT(j["ratio_median"].get<double>(), 0);
}

TEST(Cli, LutBuildCheckAndRecalibrate) {
  // A small space at 16×16 (two searchable blocks, few choices): the whole table builds in seconds.
  const std::string space = temp_path("lut_space.json"), table = temp_path("lut.json");
  std::ofstream(space) << R"({"input": "16x16x1", "classes": 10,
    "choices": {"ops": ["dconv", "mbconv_e3"], "kernels": [3], "se_ratios": [0, 0.25],
                "skips": ["pool"], "filter_ratios": [1.0], "layer_deltas": [0]},
    "searchable_blocks": [1, 3]})";
  const std::string quick = " --runs 3 --min-secs 0 --max-secs 0.2";
  const std::string build = "lut build --space " + space + " --input 16x16x1 --out " + table +
                            " --calibration-samples 4" + quick;
  Result r = run_mnas(build);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("calibration: predicted ="), std::string::npos) << r.out;
  const nlohmann::json check = run_json("lut check " + table + " --samples 4 --json" + quick);
  for (const char* field :
       {"within_10pct", "mape", "max_error_pct", "bias_pct", "predictions_per_second"}) {
    EXPECT_TRUE(check[field].is_number()) << field;
  }
  EXPECT_EQ(check["samples"], 4);
  EXPECT_EQ(check["provenance"]["input_shape"], "16x16x1");
  // A complete table is not measured again: the same command only reports it; --recalibrate
  // fits the calibration again.
  r = run_mnas(build);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("calibrating"), std::string::npos) << r.err;
  r = run_mnas(build + " --recalibrate");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("calibrating on 4"), std::string::npos) << r.err;
  // The default input is the search's (28x28x1): this 16x16 table is another space's.
  r = run_mnas("lut build --space " + space + " --out " + table + quick);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("another search space or input"), std::string::npos) << r.err;
  std::remove(space.c_str());
  std::remove(table.c_str());
}

TEST(Cli, LatencyProfileListsEveryOperator) {
  const nlohmann::json j = run_json(
      "latency mnasnet-small --input 32x32x3 --classes 10 --runs 2 --min-secs 0 --profile --json");
  const nlohmann::json& ops = j["operators"];
  ASSERT_TRUE(ops.is_array());
  ASSERT_GT(ops.size(), 10u);
  EXPECT_EQ(ops.front()["name"], "stem");
  EXPECT_EQ(ops.front()["input"], "32x32x3");
  EXPECT_EQ(ops.back()["name"], "classifier");
  EXPECT_EQ(ops.back()["output"], "1x1x10");
  for (const nlohmann::json& op : ops) EXPECT_GT(op["median_ms"].get<double>(), 0) << op["name"];
  const Result text =
      run_mnas("latency mnasnet-small --input 32x32x3 --runs 2 --min-secs 0 --profile");
  EXPECT_NE(text.out.find("GMAC/s"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("operators alone"), std::string::npos) << text.out;
}

struct BadCall {
  const char* args;
  int exit_code;
  const char* message;
};

TEST(Cli, BadInputGetsAClearMessageAndExitCode) {
  const BadCall calls[] = {
      {"", 2, "a command is required"},
      {"frobnicate", 2, "frobnicate"},
      {"describe", 2, "ARCH is required"},
      {"describe nosuchmodel", 2, "'nosuchmodel' is not a zoo model"},
      {"describe mnasnet-a1 --input 28x28", 2, "--input"},
      {"describe mnasnet-a1 --classes 0", 2, "classes: 0"},
      {"describe mnasnet-a1 --multiplier -1", 2, "--multiplier"},
      {"describe mnasnet-a1 --classes many", 2, "--classes"},
      {"describe 'input=1x1x1:stem=s22_o8'", 2, "section 'blocks' missing"},
      {"describe @/nonexistent/arch.json", 1, "cannot be read"},
      {"space --space /nonexistent/space.json", 1, "cannot be read"},
      {"space --input 0x0x0", 2, "input"},
      {"space --bogus", 2, "--bogus"},
      {"latency mnasnet-a1 --threads 0", 2, "threads: 0"},
      {"latency mnasnet-a1 --task segmentation", 2, "--task"},
      {"latency mnasnet-a1 --input 1x1x1 --task detection", 2, "feature maps of two"},
      {"latency mnasnet-a1 --threads 256", 2, "CPUs this process may use"},
      {"describe @/dev/zero", 2, "is a device"},
      {"search --store /tmp/never-created.db --evaluator surrogate --seed -1", 2,
       "--seed: seed: must be ≥ 0, not -1"},
      {"search --store /tmp/never-created.db --threads -1", 2, "--threads: -1"},
      {"search --store /tmp/never-created.db --evaluator surrogate --dataset folder:/x", 2,
       "--dataset: the surrogate evaluator trains nothing"},
      {"search --store /tmp/never-created.db --evaluator surrogate --holdout 0", 2,
       "proxy.holdout"},
      {"train mnasnet-a1 --threads 9999", 2, "--threads: 9999"},
      {"train mnasnet-a1 --train-device gpu", 2, "--train-device: unknown device 'gpu'"},
      {"space --multiplier 0", 2, "--multiplier: 0 is out of range"},
      {"search --store /tmp/never-created.db --multiplier 5", 2, "--multiplier: 5 is out of range"},
      {"train mnasnet-a1 --train-device cuda:x", 2, "cuda:K (K: a GPU index)"},
      {"search --store /tmp/never-created.db --references mobilenetv2@0", 2,
       "--references: 'mobilenetv2@0': the multiplier must be in (0, 4]"},
      {"search --store /tmp/never-created.db --fidelity 1000,x", 2,
       "--fidelity: 'x' is not a number of images"},
      {"search --store /tmp/never-created.db --fidelity 5000,1000", 2, "--fidelity"},
      {"search --store /tmp/never-created.db --confirm-share 0.1", 2,
       "--confirm-share: checks predicted latency; it goes with --latency lut:FILE"},
      {"search --store /tmp/never-created.db --latency lut:/x.json --confirm-share 2", 2,
       "--confirm-share: latency_check.confirm_share: must be in [0, 1], not 2"},
      {"search --store /tmp/never-created.db --latency lut:/x.json --drift-threshold 0", 2,
       "--drift-threshold: latency_check.drift: must be in (0, 1], not 0"},
      {"search --store /tmp/never-created.db --strategy random --controller-lr 0.01", 2,
       "--controller-lr: only for the controller (--strategy ppo or reinforce), not random"},
      {"search --store /tmp/never-created.db --controller-lr 0", 2,
       "--controller-lr: controller.learning_rate: must be in (0, 1]"},
      {"search --store /tmp/never-created.db --train-device tpu", 2,
       "--train-device: unknown device 'tpu'"},
      {"eval /tmp/never-created.ckpt --train-device cuda:", 2, "--train-device: unknown device"},
      {"train input=32x32x3:stem=s22_o16:blocks=dconv_r1_k3_s11_e1_i16_o8_se0_identity"
       ":head=o64:classes=10:dropout=0.2",
       2, "has input 32x32x3, fashion-mnist has 1 channel"},
      {"describe @/tmp", 2, "is a directory"},
      {"latency mnasnet-a1 --runs -3", 2, "--runs: must be in [1, 10000000], not -3"},
      {"latency mnasnet-a1 --cpu 99999", 2, "cpu: 99999"},
      {"latency mnasnet-a1 --max-cv 0", 2, "--max-cv: must be > 0, not 0"},
      {"latency mnasnet-a1 --attempts 0", 2, "--attempts: must be in [1, 100], not 0"},
      {"lut check /nonexistent/lut.json", 1, "cannot be read"},
      {"lut build", 2, "--out is required"},
      {"train mnasnet-a1 --optimizer lbfgs --data-dir /tmp", 2, "optimizer: unknown 'lbfgs'"},
      {"train mnasnet-a1 --dataset imagenet", 2, "--dataset: unknown 'imagenet'"},
      {"train mnasnet-a1 --dataset mnist", 2, "--data-dir: required"},
      {"eval /nonexistent/x.ckpt", 1, "cannot be read"},
      {"search --store /tmp/never-created.db --references resnet50", 2,
       "--references: 'resnet50' is not a zoo model"},
      {"search --store /tmp/never-created.db --references mnasnet-a1,,mobilenetv2", 2,
       "has an empty item"},
      {"report /nonexistent/search.db --out /tmp/r.html", 1, "does not exist"},
      {"report /nonexistent/search.db", 2, "--out is required"},
      {"report " MNAS_BINARY " --out /tmp/r.html", 1, "not an mnas store"},
      {"results " MNAS_BINARY, 1, "not an mnas store"},
      {"search --store '' --evaluator surrogate", 2, "--store: empty"},
      {"search --store /tmp/never-created.db --time-budget -1", 2, "--time-budget"},
      {"search --store /tmp/never-created.db --input 32x32x3", 2,
       "fashion-mnist has 1 channels and 10 classes; the space has 3 and 10"},
      {"search --store /tmp/never-created.db --classes 5", 2,
       "fashion-mnist has 1 channels and 10 classes; the space has 1 and 5"},
      // Integers beyond their type: CLI11 alone saturated the seed to INT64_MAX, wrapped an
      // unsigned -1 and read hex.
      {"search --store /tmp/never-created.db --evaluator surrogate --seed 99999999999999999999", 2,
       "--seed: '99999999999999999999' is out of range"},
      {"lut check /nonexistent/lut.json --seed -1", 2, "--seed: '-1' is negative"},
      {"search --store /tmp/never-created.db --trials 0x10", 2,
       "--trials: '0x10' is not a decimal integer"},
      {"search --store /tmp/never-created.db --holdout 1e3", 2, "'1e3' is not a decimal integer"},
      {"train mnasnet-a1 --recipe fast", 2, "--recipe: unknown 'fast'; use full or proxy"},
      {"export mnasnet-a1 --out /tmp/never.onnx --format tflite", 2, "--format: unknown 'tflite'"},
      {"export mnasnet-a1 --out /tmp/never.onnx --opset 9", 2, "--opset: 9; must be in [10, 17]"},
      {"export mnasnet-a1 --out /tmp/never.onnx --batch -2", 2, "--batch: -2"},
      {"export mnasnet-a1", 2, "--out is required"},
      {"export " MNAS_BINARY " --out /tmp/never.onnx", 2, "neither a checkpoint"},
      {"export /nonexistent.ckpt --out /tmp/never.onnx", 2, "'/nonexistent.ckpt'"},
  };
  std::vector<std::string> args;
  for (const BadCall& c : calls) args.push_back(c.args);
  const std::vector<Result> results = run_mnas_all(args);
  for (size_t i = 0; i < args.size(); ++i) {
    const BadCall& c = calls[i];
    SCOPED_TRACE(c.args);
    const Result& r = results[i];
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(Cli, ARefusedSearchLeavesNoStoreAndAResumeKeepsItsLength) {
  const std::string store = temp_path("length.db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  // Refused after parsing (a bad value): no file left behind, so the corrected command works.
  Result r = run_mnas("search --store " + store + " --evaluator surrogate --batch 0");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(std::ifstream(store).good());
  const std::string common = " --store " + store + " --evaluator surrogate --references none";
  r = run_mnas("search --trials 4" + common);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // A resume without --trials keeps the search's own length (4), not the command's default.
  r = run_mnas("search --resume --store " + store + " --references none");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(run_json("results " + store + " --json")["trials"], 4);
  r = run_mnas("search --resume --trials 7 --store " + store + " --references none");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_mnas("search --resume --store " + store + " --references none");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(run_json("results " + store + " --json")["trials"], 7);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  std::remove((store.substr(0, store.rfind('.')) + ".html").c_str());
}

// NAS-Bench-201 in the real loop: stored, resumed, reported like any search, with the table's
// exact optimum as its reference; what needs a network refuses it.
TEST(Cli, ATableSpaceSearchRunsTheWholeLoopAndWhatNeedsANetworkRefusesIt) {
  const std::string store = temp_path("nb201.db");
  const std::string report = store.substr(0, store.rfind('.')) + ".html";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  Result r = run_mnas(
      "search --space nb201 --reward hard --strategy predictor --trials 60 "
      "--store " +
      store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("evaluator table:cifar10"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pixel3 (table:pixel3, T = 10.6756 ms"), std::string::npos) << r.err;
  r = run_mnas("search --resume --trials 90 --store " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resuming at trial 61"), std::string::npos) << r.err;
  const nlohmann::json j = run_json("results " + store + " --json");
  EXPECT_EQ(j["trials"], 90);
  EXPECT_EQ(j["config"]["table_space"], "nb201");
  ASSERT_EQ(j["references"].size(), 1u);
  const nlohmann::json& optimum = j["references"][0];
  EXPECT_EQ(optimum["name"], "table-optimum");
  EXPECT_NEAR(optimum["accuracy"].get<double>(), 0.9366, 1e-4);
  const double best = j["top"][0]["reward"].get<double>();
  EXPECT_LE(best, optimum["reward"].get<double>());
  EXPECT_GT(best, optimum["reward"].get<double>() - 0.02);
  EXPECT_EQ(j["top"][0]["canonical"].get<std::string>().front(), '|');
  EXPECT_NE(slurp(report).find("The table's optimum"), std::string::npos);
  // Refused: a network's commands, MnasNet's flags, a table's names outside a table space.
  const std::string cell =
      "'|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "nor_conv_3x3~2|'";
  const std::vector<Result> refused = run_mnas_all({
      "finalize " + store,
      "train " + cell,
      "search --space nb201 --input 32x32x3 --store " + store + ".x",
      "search --space nb201 --device pi=table:raspi5 --store " + store + ".x",
      "search --evaluator table:cifar10 --store " + store + ".x",
      "search --space nb201 --references mobilenetv2 --store " + store + ".x",
  });
  const char* expected[] = {"is a search on a table space",
                            "is a NAS-Bench-201 cell",
                            "--input: a table space",
                            "unknown device 'raspi5'; the table has pixel3",
                            "--evaluator: evaluator: 'table:cifar10' is a table's accuracy",
                            "--references: a table space has no zoo models"};
  for (size_t i = 0; i < refused.size(); ++i) {
    EXPECT_EQ(refused[i].exit_code, 2) << i << refused[i].err;
    EXPECT_NE(refused[i].err.find(expected[i]), std::string::npos) << i << refused[i].err;
  }
  EXPECT_FALSE(std::ifstream(store + ".x").good());
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  std::remove(report.c_str());
}

// An output never replaces a file the same command reads (by device and inode, links too).
TEST(Cli, AnOutputIsNeverWrittenOverAnInput) {
  const std::string arch = temp_path("arch.txt"), store = temp_path("over.db"),
                    fresh = temp_path("fresh.db"), link = temp_path("arch-link.txt");
  for (const std::string& p : {arch, link, store, fresh}) std::remove(p.c_str());
  const std::string canonical = run_mnas("describe mobilenetv2 --json").out;
  { std::ofstream(arch) << nlohmann::json::parse(canonical)["canonical"].get<std::string>(); }
  ASSERT_EQ(::link(arch.c_str(), link.c_str()), 0);
  const std::string before = slurp(arch);
  Result r = run_mnas("search --trials 2 --evaluator surrogate --references none --store " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Result> refused = run_mnas_all({
      "export @" + arch + " --out " + arch,
      "export @" + arch + " --out " + link,
      "eval " + arch + " --export-weights " + link,
      "report " + store + " --out " + store,
      "search --trials 2 --evaluator surrogate --store " + fresh + " --report " + fresh,
      "search --resume --store " + store + " --report " + store,
  });
  const std::string expected[] = {"--out: '" + arch + "' is SOURCE",
                                  "the same file as SOURCE '" + arch + "'",
                                  "--export-weights: '" + link + "' is the same file as CKPT",
                                  "--out: '" + store + "' is STORE",
                                  "--report: '" + fresh + "' is --store",
                                  "--report: '" + store + "' is --store"};
  for (size_t i = 0; i < refused.size(); ++i) {
    EXPECT_EQ(refused[i].exit_code, 2) << i << refused[i].err;
    EXPECT_NE(refused[i].err.find(expected[i]), std::string::npos) << i << refused[i].err;
  }
  EXPECT_EQ(slurp(arch), before);
  EXPECT_FALSE(std::ifstream(fresh).good());
  EXPECT_EQ(run_json("results " + store + " --json")["trials"], 2);  // the store is intact
  for (const std::string& p : {arch, link, store, store + "-wal", store + "-shm"}) {
    std::remove(p.c_str());
  }
  std::remove((store.substr(0, store.rfind('.')) + ".html").c_str());
}

// A resume keeps the references the search started with and names the stored command it runs;
// results of a search whose every trial failed do not invent a target of 0 ms.
TEST(Cli, AResumeKeepsItsReferencesAndShowsTheCommandItRuns) {
  const std::string store = temp_path("kept.db"), failing = temp_path("failing.db");
  for (const std::string& p : {store, failing}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p + suffix).c_str());
  }
  Result r = run_mnas(
      "search --trials 1 --evaluator 'cmd:printf {\"accuracy\":0.5}' "
      "--target-ms 1 --references none --store " +
      store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_mnas("search --resume --trials 2 --store " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("evaluator cmd: printf {\"accuracy\":0.5}"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("mnas: reference"), std::string::npos) << r.err;  // none, as started
  const nlohmann::json j = run_json("results " + store + " --json");
  EXPECT_EQ(j["trials"], 2);
  EXPECT_TRUE(j["references"].empty());
  r = run_mnas("search --trials 2 --evaluator cmd:false --references none --store " + failing);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_mnas("results " + failing);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("target 0.000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("device local: T = mobilenetv2 timed alongside each trial (no trial "
                       "measured yet)"),
            std::string::npos)
      << r.out;
  for (const std::string& p : {store, failing}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p + suffix).c_str());
    std::remove((p.substr(0, p.rfind('.')) + ".html").c_str());
  }
}

// A pipe where a store or a checkpoint should be is refused at once (opening it to look would
// wait for a writer forever).
TEST(Cli, APipeInsteadOfAFileIsRefusedNotWaitedFor) {
  const std::string fifo = temp_path("store.fifo");
  std::remove(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::vector<Result> refused = run_mnas_all({
      "search --evaluator surrogate --store " + fifo,
      "search --resume --store " + fifo,
      "results " + fifo,
      "report " + fifo + " --out " + temp_path("fifo.html"),
      "export " + fifo + " --out " + temp_path("fifo.onnx"),
  });
  for (size_t i = 0; i < refused.size(); ++i) {
    EXPECT_EQ(refused[i].exit_code, 2) << i << refused[i].err;
    EXPECT_NE(refused[i].err.find("'" + fifo + "' is a pipe, not a"), std::string::npos)
        << i << refused[i].err;
  }
  std::remove(fifo.c_str());
}

TEST(Cli, AWidthMultiplierNarrowsTheSearchedSkeletonAndIsKeptByTheStore) {
  const std::string store = temp_path("narrow.db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  const std::string common = " --store " + store + " --evaluator surrogate --references none";
  Result r = run_mnas("search --trials 2 --multiplier 0.5" + common);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = run_json("results " + store + " --json");
  const nlohmann::json& small_input = j["config"]["space"]["skeletons"][0];
  EXPECT_EQ(small_input["stem"]["filters"], 16);
  EXPECT_EQ(small_input["blocks"][6]["filters"], 160);
  EXPECT_EQ(small_input["head"]["filters"], 1280);
  // A resume keeps it; another multiplier is another search.
  r = run_mnas("search --resume --trials 3 --store " + store + " --references none");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_mnas("search --resume --trials 4 --multiplier 0.75 --store " + store);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--space or --multiplier: changes space"), std::string::npos) << r.err;
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  std::remove((store.substr(0, store.rfind('.')) + ".html").c_str());
}

// A new multi-fidelity search continues its runs unless told not to; a resume keeps what the
// search ran with (a store that trained rungs from scratch is not switched over).
TEST(Cli, ANewMultiFidelitySearchContinuesItsRunsAndAResumeKeepsWhatItRanWith) {
  const auto continues = [](const std::string& store) {
    return run_json("results " + store + " --json")["config"]["fidelity"]["continue"].get<bool>();
  };
  const std::string on = temp_path("fidelity-on.db"), off = temp_path("fidelity-off.db");
  for (const std::string& store : {on, off}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  }
  const std::string common =
      " --evaluator surrogate --references none --batch 3 --fidelity 1000,5000";
  Result r = run_mnas("search --trials 3 --store " + on + common);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(continues(on));
  r = run_mnas("search --trials 3 --no-fidelity-continue --store " + off + common);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(continues(off));
  r = run_mnas("search --resume --trials 6 --store " + off + common);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(continues(off));
  r = run_mnas("search --resume --trials 9 --fidelity-continue --store " + off + common);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--fidelity-continue"), std::string::npos) << r.err;
  for (const std::string& store : {on, off}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
    std::remove((store.substr(0, store.rfind('.')) + ".html").c_str());
  }
}

TEST(Cli, TheControllerLearningRateReachesTheControllerAndIsKeptByTheStore) {
  const auto trials_of = [](const std::string& lr, const std::string& name) {
    const std::string store = temp_path(name);
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
    const std::string common =
        " --store " + store + " --evaluator surrogate --references none --batch 4 --seed 5";
    Result r = run_mnas("search --trials 12" + common + lr);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = run_json("results " + store + " --json --top 100");
    // A resume keeps it; another learning rate is another search.
    r = run_mnas("search --resume --trials 16 --controller-lr 0.5 --store " + store);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--controller-lr: changes controller.learning_rate"), std::string::npos)
        << r.err;
    r = run_mnas("search --resume --trials 13 --references none --store " + store);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("strategy ppo (learning rate " +
                         (lr.empty() ? std::string("0.0035") : lr.substr(lr.rfind(' ') + 1)) + ")"),
              std::string::npos)
        << r.err;
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
    std::remove((store.substr(0, store.rfind('.')) + ".html").c_str());
    return j;
  };
  const nlohmann::json fast = trials_of(" --controller-lr 0.05", "lr_fast.db");
  const nlohmann::json standard = trials_of("", "lr_default.db");
  EXPECT_EQ(fast["config"]["controller"]["learning_rate"], 0.05);
  EXPECT_EQ(standard["config"]["controller"]["learning_rate"], 3.5e-3);
  // A long search starts slower (search_config.h: default_controller_lr).
  const std::string store = temp_path("lr_long.db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  const Result r = run_mnas(
      "search --trials 1000 --time-budget 0.2 --batch 2 --references none "
      "--evaluator surrogate --store " +
      store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("the time budget (0.2 s) ended the search at "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" of 1000 trials; `mnas search --store " + store + " --resume --trials N`"),
            std::string::npos)
      << r.err;
  EXPECT_NEAR(run_json("results " + store + " --json")["config"]["controller"]["learning_rate"]
                  .get<double>(),
              7e-4, 1e-12);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  std::remove((store.substr(0, store.rfind('.')) + ".html").c_str());
  // The same seed draws the same first step (the policy before any update); the steps after
  // it follow different updates.
  const auto step = [](const nlohmann::json& j, bool first) {
    std::set<std::string> archs;
    for (const nlohmann::json& t : j["top"]) {
      if ((t["step"] == 0) == first) archs.insert(t["canonical"].get<std::string>());
    }
    return archs;
  };
  ASSERT_EQ(fast["top"].size(), 12u);
  ASSERT_EQ(standard["top"].size(), 12u);
  EXPECT_EQ(step(fast, true).size(), 4u);
  EXPECT_EQ(step(fast, true), step(standard, true));
  EXPECT_NE(step(fast, false), step(standard, false));
}

TEST(Cli, ExportWritesAnOnnxFileAndSaysWhatItTakes) {
  const std::string out = temp_path("small.onnx");
  const nlohmann::json j = run_json("export mnasnet-small --input 32x32x3 --classes 10 --out " +
                                    out + " --opset 11 --batch 0 --json");
  EXPECT_EQ(j["file"], out);
  EXPECT_EQ(j["opset"], 11);
  EXPECT_EQ(j["weights"], "random");
  EXPECT_EQ(j["input"]["shape"], "[batch, 3, 32, 32]");
  EXPECT_EQ(j["output"]["shape"], "[batch, 10]");
  const std::string bytes = slurp(out);
  EXPECT_EQ(static_cast<size_t>(j["bytes"].get<int64_t>()), bytes.size());
  EXPECT_NE(bytes.find("mnas"), std::string::npos);  // the producer, in the protobuf
  // Trained weights fit only their own network: no --input on a weights file.
  const std::string weights = temp_path("small.mnasw");
  Result r = run_mnas(
      "train mnasnet-small --input 28x28x1 --classes 10 --epochs 1 "
      "--train-images 256 --holdout 64 --recipe proxy --threads 1 --out " +
      temp_path("small.ckpt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_mnas("eval " + temp_path("small.ckpt") + " --export-weights " + weights);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_mnas("export " + weights + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("weights  trained (weights file"), std::string::npos) << r.out;
  r = run_mnas("export " + temp_path("small.ckpt") + " --out " + out + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["weights"], "trained");
  // The file says how to feed it: Fashion-MNIST's class names, grey, its 28x28 images as they are.
  const nlohmann::json described = run_json("export --describe " + out + " --json");
  EXPECT_EQ(described["metadata"]["mnas.labels"],
            R"(["T-shirt/top","Trouser","Pullover","Dress","Coat","Sandal","Shirt","Sneaker",)"
            R"("Bag","Ankle boot"])");
  EXPECT_EQ(described["metadata"]["mnas.channel_order"], "grey");
  EXPECT_NE(described["metadata"]["mnas.preprocess"].get<std::string>().find(
                "fashion-mnist's 28x28 grey images; pixels / 255"),
            std::string::npos)
      << described;
  EXPECT_EQ(described["input"]["shape"], nlohmann::json({"1", "1", "28", "28"}));
  r = run_mnas("export --describe " + out + " --out " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--out: --describe reads a file; it writes nothing"), std::string::npos)
      << r.err;
  r = run_mnas("export " + weights + " --out " + out + " --input 32x32x1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--input: trained weights fit only their own network"), std::string::npos)
      << r.err;
  for (const std::string& f : {out, weights, temp_path("small.ckpt")}) std::remove(f.c_str());
}

// A surrogate search's store for `mnas finalize` (`search_flags` added to a small search), and
// everything finalize writes beside it (report, checkpoints), removed before and after.
class FinalizeStore {
 public:
  FinalizeStore(const std::string& name, const std::string& search_flags)
      : path_(temp_path(name + ".db")), base_(temp_path(name)) {
    remove_all();
    const Result r = run_mnas("search --store " + path_ +
                              " --evaluator surrogate --device local --target-ms 0.5 --batch 2 "
                              "--references none " +
                              search_flags);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  ~FinalizeStore() { remove_all(); }
  const std::string& path() const { return path_; }
  std::string report() const { return base_ + ".html"; }

 private:
  void remove_all() const {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    std::remove(report().c_str());
    [[maybe_unused]] const int rc = std::system(("rm -rf '" + base_ + ".finalists'").c_str());
  }
  std::string path_, base_;
};

// After a search: its best candidate and MobileNetV2 trained (a tiny recipe here), scaled,
// measured, compared at equal latency; the state in the store, so a second run trains nothing; the
// report draws them; a finalist's checkpoint exports.
TEST(Cli, FinalizeTrainsScalesAndComparesTheFinalists) {
  const FinalizeStore searched("finalize", "--trials 4");
  const std::string& store = searched.path();
  const std::string finalize = "finalize " + store +
                               " --top 1 --multipliers 0.5 --references mobilenetv2 "
                               "--recipe proxy --train-images 256";
  Result r = run_mnas(finalize + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["finalists"].size(), 2u);
  for (const nlohmann::json& f : j["finalists"]) {
    EXPECT_EQ(f["status"], "done") << f["failure"];
    EXPECT_GT(f["test_top1"].get<double>(), 0.0);
    EXPECT_GT(f["latency_ms"].get<double>(), 0.0);
    EXPECT_TRUE(std::ifstream(f["checkpoint"].get<std::string>()).good());
  }
  EXPECT_EQ(j["finalists"][0]["model"].get<std::string>().rfind("trial ", 0), 0u);
  EXPECT_EQ(j["finalists"][1]["model"], "mobilenetv2");
  EXPECT_EQ(j["finalists"][1]["multiplier"], 0.5);
  EXPECT_NE(r.err.find("finalist 2/2 mobilenetv2 x0.5 @28 done"), std::string::npos) << r.err;
  EXPECT_NE(slurp(searched.report()).find("Finalists: test accuracy vs latency"),
            std::string::npos);

  // Everything is in the store: the same command again trains nothing.
  r = run_mnas(finalize);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("2 networks (2 done before)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("finalist 1/2"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("vs MobileNetV2"), std::string::npos) << r.out;
  // Trained elsewhere, measured here: --remeasure times the done networks again, trains nothing.
  r = run_mnas(finalize + " --remeasure");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("finalist mobilenetv2 x0.5 @28 measured again (2/2 done before)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("finalist 1/2"), std::string::npos) << r.err;

  const std::string onnx = temp_path("finalist.onnx");
  r = run_mnas("export " + j["finalists"][0]["checkpoint"].get<std::string>() + " --out " + onnx);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::remove(onnx.c_str());
  r = run_mnas("finalize " + store + " --multipliers 0.5,,1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--multipliers: '0.5,,1' has an empty item"), std::string::npos) << r.err;
  // A hard budget: the most accurate trial within T (not the best reward), trained on every
  // image (--holdout 0).
  const nlohmann::json trials = run_json("results " + store + " --json --top 100")["top"];
  int64_t expected = -1;
  double best = -1;
  for (const nlohmann::json& t : trials) {
    if (t["latencies"]["local"]["ratio"].get<double>() <= 1.0 &&
        t["accuracy"].get<double>() > best) {
      best = t["accuracy"].get<double>();
      expected = t["id"].get<int64_t>();
    }
  }
  r = run_mnas("finalize " + store +
               " --top 1 --rank accuracy --holdout 0 --multipliers 0.5 --references none "
               "--recipe proxy --train-images 256 --json");
  if (expected < 0) {  // no trial was within T
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("no finished trial is within T on every device"), std::string::npos)
        << r.err;
  } else {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json hard = nlohmann::json::parse(r.out)["finalists"];
    ASSERT_EQ(hard.size(), 1u);
    EXPECT_EQ(hard[0]["trial"], expected) << hard[0];
    EXPECT_NE(hard[0]["recipe"].get<std::string>().find(", 0 held out"), std::string::npos)
        << hard[0];
  }
  r = run_mnas("finalize " + store + " --rank fastest");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--rank: 'fastest'; use reward or accuracy"), std::string::npos) << r.err;
}

// At int8: the network finalized at fp32 is not trained again; its quantized network is scored
// and timed in int8, both results are kept side by side, and the report draws each precision.
TEST(Cli, FinalizeAtInt8QuantizesWhatWasTrainedAndTimesItInInt8) {
  const FinalizeStore searched("finalize_int8", "--latency measured --trials 2");
  const std::string finalize = "finalize " + searched.path() +
                               " --top 1 --multipliers 0.5 --references none --recipe proxy "
                               "--train-images 256 --json";
  const nlohmann::json fp32 = run_json(finalize)["finalists"].at(0);
  ASSERT_EQ(fp32["status"], "done") << fp32;
  EXPECT_EQ(fp32["precision"], "fp32");

  Result r = run_mnas(finalize + " --precision int8");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 networks (0 done before) at int8"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("epoch 1/"), std::string::npos) << "trained again:\n" << r.err;
  const nlohmann::json int8 = nlohmann::json::parse(r.out)["finalists"].at(0);
  ASSERT_EQ(int8["status"], "done") << int8;
  EXPECT_EQ(int8["precision"], "int8");
  EXPECT_EQ(int8["checkpoint"], fp32["checkpoint"]);
  EXPECT_DOUBLE_EQ(int8["fp32_top1"].get<double>(), fp32["test_top1"].get<double>());
  EXPECT_GT(int8["test_top1"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(int8["train_seconds"].get<double>(), fp32["train_seconds"].get<double>());
  EXPECT_NE(int8["latencies"].dump().find("\"precision\":\"int8\""), std::string::npos)
      << int8["latencies"];
  const std::string html = slurp(searched.report());
  EXPECT_NE(html.find("Finalists: test accuracy vs latency"), std::string::npos);
  EXPECT_NE(html.find("Finalists at int8"), std::string::npos);

  // Both are kept: neither precision's work is done again.
  r = run_mnas(finalize);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 networks (1 done before) at fp32"), std::string::npos) << r.err;
  r = run_mnas(finalize + " --precision int8");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 networks (1 done before) at int8"), std::string::npos) << r.err;

  r = run_mnas(finalize + " --precision int4");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--precision: 'int4'; use fp32 or int8"), std::string::npos) << r.err;
}

// The synthetic latency has no int8.
TEST(Cli, FinalizeAtInt8NeedsARealDevice) {
  const FinalizeStore searched("finalize_int8_surrogate", "--latency surrogate --trials 2");
  const Result r = run_mnas("finalize " + searched.path() +
                            " --top 1 --references none --recipe proxy --train-images 64 "
                            "--precision int8");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--precision: int8: the search's latency is the synthetic surrogate's"),
            std::string::npos)
      << r.err;
}

void shell(const std::string& command) {
  [[maybe_unused]] const int rc = std::system(command.c_str());
}

TEST(Cli, DataMakeScenesWritesACocoSetThatChecksAndBadSetsAreRefused) {
  const std::string a = temp_path("scenes_a"), b = temp_path("scenes_b");
  shell("rm -rf " + a + " " + b);
  const std::string options = " --train 30 --test 10 --size 48 --max-side 40 --seed 3 --json";
  const nlohmann::json made = run_json("data make-scenes --out " + a + options);
  EXPECT_EQ(made["dataset"], "coco:" + a);
  EXPECT_EQ(made["splits"]["train"]["images"], 30);
  EXPECT_EQ(made["splits"]["test"]["images"], 10);
  const int64_t objects = made["splits"]["train"]["objects"];
  EXPECT_GE(objects, 30);
  EXPECT_LE(objects, 6 * 30);

  const nlohmann::json checked = run_json("data check coco:" + a + " --json");
  EXPECT_EQ(checked["splits"]["train"]["images"], 30);
  EXPECT_EQ(checked["splits"]["train"]["objects"], objects);
  EXPECT_EQ(checked["splits"]["train"]["categories"], 10);
  EXPECT_EQ(checked["objects_per_category"].size(), 10u);
  const nlohmann::ordered_json in_order =
      nlohmann::ordered_json::parse(run_mnas("data check coco:" + a + " --json").out);
  EXPECT_EQ(in_order["objects_per_category"].begin().key(), "T-shirt/top");  // label order
  const Result text = run_mnas("data check coco:" + a);
  EXPECT_NE(text.out.find("Ankle boot"), std::string::npos) << text.out;

  // Deterministic: the same options write the same files.
  run_json("data make-scenes --out " + b + options);
  EXPECT_EQ(slurp(a + "/train.json"), slurp(b + "/train.json"));
  EXPECT_EQ(slurp(a + "/test/000004.png"), slurp(b + "/test/000004.png"));

  // Nothing is written into a set that exists; out-of-range options name their flag.
  Result r = run_mnas("data make-scenes --out " + a);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("already holds a train split"), std::string::npos) << r.err;
  r = run_mnas("data make-scenes --out " + temp_path("never") + " --min-objects 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--min-objects: 0 out of [1, 64]"), std::string::npos) << r.err;
  r = run_mnas("data check " + a);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected coco:PATH"), std::string::npos) << r.err;
  r = run_mnas("data check coco:/nonexistent");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/train.json"), std::string::npos) << r.err;

  // A box moved outside its image, an image that is not there: the file and the field named.
  nlohmann::json doc = nlohmann::json::parse(slurp(b + "/train.json"));
  doc["annotations"][2]["bbox"][0] = 45;
  std::ofstream(b + "/train.json") << doc.dump();
  r = run_mnas("data check coco:" + b);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(b + "/train.json': annotations[2].bbox: [45, "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("reaches outside image"), std::string::npos) << r.err;
  shell("rm " + b + "/train.json " + a + "/test/000004.png");
  r = run_mnas("data check coco:" + a);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(a + "/test/000004.png"), std::string::npos) << r.err;
  shell("rm -rf " + a + " " + b);
}

TEST(Cli, HelpForEveryCommand) {
  const std::vector<std::string> args = {
      "--help",           "space --help",  "describe --help", "latency --help", "lut build --help",
      "lut check --help", "train --help",  "eval --help",     "search --help",  "results --help",
      "report --help",    "export --help", "finalize --help", "data make-scenes --help",
      "data check --help"};
  const std::vector<Result> results = run_mnas_all(args);
  for (size_t i = 0; i < args.size(); ++i) {
    EXPECT_EQ(results[i].exit_code, 0) << args[i];
    EXPECT_NE(results[i].out.find("--"), std::string::npos) << results[i].out;
  }
}

}  // namespace
