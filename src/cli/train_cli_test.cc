// `mnas train` / `mnas eval` through the real binary on a generated image folder: a stopped run
// resumed with --resume ends where the uninterrupted run ends, and the test split is evaluated.
#include <stb/stb_image_write.h>

#include <signal.h>

#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "cli/cli_test_util.h"

#include <sstream>

namespace {

// 28×28 (the 12×12 images are resized): slow enough (~0.3 s an epoch) to be killed mid-run.
constexpr const char* kArch =
    "input=28x28x1:stem=s11_o32:blocks=conv_r1_k3_s11_e1_i32_o32_se0_none:head=o32:classes=2:"
    "dropout=0";

// root/{train,test}/{dark,bright}/N.png: noisy 12×12 grey images, dark or bright.
std::string make_folder() {
  const std::string root = temp_path("images");
  std::system(("rm -rf '" + root + "'").c_str());
  std::mt19937 rng(5);
  for (const char* split : {"train", "test"}) {
    for (int c = 0; c < 2; ++c) {
      const std::string dir = root + "/" + split + "/" + (c ? "bright" : "dark");
      std::system(("mkdir -p '" + dir + "'").c_str());
      const int count = std::string(split) == "train" ? 150 : 10;
      for (int i = 0; i < count; ++i) {
        std::vector<unsigned char> pixels(144);
        for (auto& p : pixels) p = static_cast<unsigned char>((c ? 128 : 0) + rng() % 128);
        stbi_write_png((dir + "/" + std::to_string(i) + ".png").c_str(), 12, 12, 1, pixels.data(),
                       12);
      }
    }
  }
  return root;
}

std::vector<std::string> split_args(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

TEST(TrainCli, ResumeEndsWhereTheUninterruptedRunEndsOnAnImageFolder) {
  const std::string root = make_folder();
  const std::string full = temp_path("full.ckpt"), part = temp_path("part.ckpt");
  std::remove(part.c_str());
  const std::string common = std::string(kArch) + " --dataset folder:" + root +
                             " --holdout 16 --batch 16 --threads 1 --seed 3 --warmup-epochs 0"
                             " --epochs 3";
  const nlohmann::json a = run_json("train " + common + " --json --out " + full);
  EXPECT_EQ(a["status"], "done");
  EXPECT_EQ(a["epochs"], 3);

  // The same run, killed (SIGKILL) as soon as its first checkpoint is written.
  std::vector<std::string> args = split_args("train " + common + " --out " + part);
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    std::vector<char*> argv = {const_cast<char*>(MNAS_BINARY)};
    for (std::string& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(MNAS_BINARY, argv.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::ifstream(part).good() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it could be killed";

  const nlohmann::json b =
      run_json("train " + common + " --json --resume " + part + " --out " + part);
  EXPECT_EQ(b["epochs"], 3);
  EXPECT_DOUBLE_EQ(b["train_loss"].get<double>(), a["train_loss"].get<double>());
  EXPECT_DOUBLE_EQ(b["top1"].get<double>(), a["top1"].get<double>());
  EXPECT_GT(a["top1"].get<double>(), 0.5);  // dark vs bright is learnable in 3 short epochs

  const nlohmann::json test = run_json("eval " + full + " --split test --json");
  EXPECT_EQ(test["images"], 20);
  EXPECT_EQ(test["split"], "test");
  const nlohmann::json x = run_json("eval " + full + " --split test --engine xnnpack --json");
  EXPECT_DOUBLE_EQ(x["top1"].get<double>(), test["top1"].get<double>());
  EXPECT_EQ(x["precision"], "fp32");

  // Quantized after training (int8 XNNPACK network, ranges from the run's training images: all
  // 284 of them, fewer than the default 512), it still separates dark from bright.
  const nlohmann::json q =
      run_json("eval " + full + " --split test --engine xnnpack --precision int8 --json");
  EXPECT_EQ(q["precision"], "int8");
  EXPECT_EQ(q["calibration"], "percentile");
  EXPECT_EQ(q["calibration_images"], 284);
  EXPECT_NEAR(q["top1"].get<double>(), test["top1"].get<double>(), 0.1);
  const nlohmann::json p = run_json("eval " + full + " --engine xnnpack --precision int8 "
                                    "--calibration minmax --calibration-images 50 --json");
  EXPECT_EQ(p["calibration"], "minmax");
  EXPECT_EQ(p["calibration_images"], 50);
  for (const auto& [flags, names] : std::vector<std::pair<std::string, std::string>>{
           {" --precision int8", "--engine xnnpack"},
           {" --engine xnnpack --precision int16", "--precision"},
           {" --engine xnnpack --precision int8 --calibration kl", "--calibration"},
           {" --engine xnnpack --precision int8 --calibration-images 0", "--calibration-images"},
           {" --engine xnnpack --calibration-images 20", "--precision int8"}}) {
    const Result bad = run_mnas("eval " + full + flags);
    EXPECT_EQ(bad.exit_code, 2) << flags << ": " << bad.err;
    EXPECT_NE(bad.err.find(names), std::string::npos) << flags << ": " << bad.err;
  }

  // Resuming with a changed recipe is refused.
  const Result r = run_mnas("train " + common + " --lr 0.3 --resume " + part);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(r.err.empty());

  // The same quantization exported as an int8 QDQ ONNX file; what has nothing to calibrate on
  // (an architecture's random weights, a weights file without its run) is refused, naming why.
  const std::string onnx = temp_path("int8.onnx"), weights = temp_path("w.bin");
  const nlohmann::json e =
      run_json("export " + full + " --precision int8 --out " + onnx + " --json");
  EXPECT_EQ(e["precision"], "int8");
  const Result described = run_mnas("export --describe " + onnx);
  EXPECT_NE(described.out.find("mnas.precision"), std::string::npos) << described.out;
  run_json("eval " + full + " --engine xnnpack --export-weights " + weights + " --json");
  for (const auto& [flags, names] : std::vector<std::pair<std::string, std::string>>{
           {"export " + weights + " --precision int8 --out " + onnx, "weights file"},
           {"export mnasnet-small --precision int8 --out " + onnx, "random weights"},
           {"export " + full + " --precision int8 --opset 12 --out " + onnx, "--opset"},
           {"export " + full + " --calibration percentile --out " + onnx, "--calibration"}}) {
    const Result bad = run_mnas(flags);
    EXPECT_EQ(bad.exit_code, 2) << flags << ": " << bad.err;
    EXPECT_NE(bad.err.find(names), std::string::npos) << flags << ": " << bad.err;
  }
  std::remove(onnx.c_str());
  std::remove(weights.c_str());

  // Without the training images there is nothing to calibrate on: said, not guessed.
  std::system(("rm -rf '" + root + "/train'").c_str());
  const Result gone = run_mnas("eval " + full + " --engine xnnpack --precision int8");
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("calibrates on the run's training images"), std::string::npos)
      << gone.err;
  std::system(("rm -rf '" + root + "'").c_str());
  std::remove(full.c_str());
  std::remove(part.c_str());
}

// --recipe proxy trains what a search trial trains (1 epoch, no warm-up, crops or flips); the
// flags given change it, the others keep the recipe's values.
// SSDLite on tiny scenes (48×48, 60 training and 20 test scenes): a run, its checkpoint scored
// again by `mnas eval`, a resumed run ending where the uninterrupted one ends, and the mistakes
// a user makes between the two tasks.
TEST(TrainCli, ADetectorTrainsResumesAndIsScoredWithCocoMap) {
  const std::string scenes = temp_path("det_scenes");
  [[maybe_unused]] int rc = std::system(("rm -rf " + scenes).c_str());
  const Result made = run_mnas("data make-scenes --out " + scenes +
                               " --train 60 --test 20 --size 48 --max-side 40 --json");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string full = scenes + "/full.ckpt", part = scenes + "/part.ckpt";
  const std::string common = "train mnasnet-small --task detection --dataset coco:" + scenes +
                             " --holdout 20 --batch 16 --threads 1 --json";
  const nlohmann::json run = run_json(common + " --epochs 2 --out " + full);
  EXPECT_EQ(run["status"], "done");
  EXPECT_EQ(run["task"], "detection");
  EXPECT_EQ(run["holdout_images"], 20);
  EXPECT_EQ(run["epochs"], 2);
  EXPECT_TRUE(run["canonical"].get<std::string>().rfind("input=48x48x1:", 0) == 0) << run;
  const double ap = run["ap"];
  EXPECT_GE(ap, 0.0);
  EXPECT_LE(ap, 1.0);
  EXPECT_EQ(run["category_ap"].size(), 10u);

  // The checkpoint scores its held-out scenes as the run did, and the test scenes too.
  const nlohmann::json again = run_json("eval " + full + " --split holdout --json");
  EXPECT_EQ(again["images"], 20);
  EXPECT_DOUBLE_EQ(again["ap"].get<double>(), ap);
  EXPECT_DOUBLE_EQ(again["ap50"].get<double>(), run["ap50"].get<double>());
  EXPECT_EQ(run_json("eval " + full + " --json")["images"], 20);
  // XNNPACK runs the detector's graph (BatchNorm folded) to the same detections, near enough.
  const nlohmann::json xnn = run_json("eval " + full + " --split holdout --engine xnnpack --json");
  EXPECT_EQ(xnn["engine"], "xnnpack");
  EXPECT_NEAR(xnn["ap50"].get<double>(), run["ap50"].get<double>(), 0.02);

  // Exported to ONNX: scores and boxes (the parity is onnx_export_test's), said by --describe.
  const std::string onnx = temp_path("detector.onnx");
  const nlohmann::json exported = run_json("export " + full + " --out " + onnx + " --json");
  EXPECT_EQ(exported["task"], "detection");
  EXPECT_EQ(exported["outputs"][1]["name"], "boxes");
  const nlohmann::json described = run_json("export --describe " + onnx + " --json");
  EXPECT_EQ(described["outputs"].size(), 2u);
  EXPECT_EQ(described["metadata"]["mnas.task"], "detection");
  std::remove(onnx.c_str());

  // One epoch, then resumed to two: the same network as the uninterrupted run.
  ASSERT_EQ(run_json(common + " --epochs 1 --out " + part)["epochs"], 1);
  const nlohmann::json resumed = run_json(common + " --epochs 2 --resume " + part);
  EXPECT_DOUBLE_EQ(resumed["train_loss"].get<double>(), run["train_loss"].get<double>());
  EXPECT_DOUBLE_EQ(resumed["ap"].get<double>(), ap);

  const struct {
    std::string args;
    int exit_code;
    const char* message;
  } bad[] = {
      {common + " --epochs 3 --lr 0.3 --resume " + part, 2, "option 'lr' differs"},
      {"eval " + full + " --engine xnnpack --precision int8", 2,
       "--precision: not for a detector's checkpoint"},
      {"export " + full + " --out /tmp/never.onnx --precision int8", 2, "fp32 only so far"},
      {"export " + full + " --out /tmp/never.onnx --task classification", 2,
       "is a detection checkpoint"},
      {"export " + full + " --out /tmp/never.onnx --classes 3", 2, "--classes: trained weights"},
      {"train mnasnet-small --task detection --epochs 1", 2, "trains on a COCO-format set"},
      {"train mnasnet-small --dataset coco:" + scenes, 2, "is a detection set"},
      {"train mnasnet-small --task segmentation", 2, "--task: unknown 'segmentation'"},
      {"train mnasnet-small --task detection --dataset coco:/nonexistent", 1,
       "/nonexistent/train.json"},
      {"train mnasnet-small --task detection --dataset coco:" + scenes + " --data-dir /x", 2,
       "--data-dir: not used with coco:PATH"},
  };
  for (const auto& b : bad) {
    const Result r = run_mnas(b.args);
    EXPECT_EQ(r.exit_code, b.exit_code) << b.args << ": " << r.err;
    EXPECT_NE(r.err.find(b.message), std::string::npos) << b.args << ": " << r.err;
  }
  rc = std::system(("rm -rf " + scenes).c_str());
}

TEST(TrainCli, RecipeProxyIsWhatATrialTrainsAndFlagsChangeIt) {
  const Result r = run_mnas(
      "train mnasnet-small --recipe proxy --train-images 64 --holdout 32 --threads 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["recipe"], "proxy");
  EXPECT_EQ(j["epochs"], 1);            // the recipe's, not the full recipe's 30
  EXPECT_EQ(j["holdout_images"], 32);  // the flag's, not the recipe's 2,000
  EXPECT_EQ(j["status"], "done");
}

}  // namespace
