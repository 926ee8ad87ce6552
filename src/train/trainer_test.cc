#include "train/trainer.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "base/error.h"
#include "nn/network.h"
#include "space/architecture_codec.h"
#include "train/checkpoint_file.h"
#include "train/train_device.h"
#include "train/train_options_fields.h"

namespace mnas {
namespace {

// A synthetic 10-class "mnist" directory: 12×12 images whose class is which horizontal band is
// bright, plus noise. Learnable in one short epoch.
std::string make_data_dir() {
  const std::string dir = "/tmp/mnas_train_test_" + std::to_string(::getpid());
  ::mkdir(dir.c_str(), 0755);
  std::mt19937 rng(3);
  for (const char* prefix : {"train", "t10k"}) {
    const uint32_t n = std::string(prefix) == "train" ? 600 : 200;
    std::vector<uint8_t> img, lab;
    const auto be32 = [](std::vector<uint8_t>& b, uint32_t v) {
      for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
    };
    be32(img, 0x803);
    be32(img, n);
    be32(img, 12);
    be32(img, 12);
    be32(lab, 0x801);
    be32(lab, n);
    for (uint32_t i = 0; i < n; ++i) {
      const int label = static_cast<int>(rng() % 10);
      lab.push_back(static_cast<uint8_t>(label));
      for (int y = 0; y < 12; ++y) {
        for (int x = 0; x < 12; ++x) {
          const bool band = y == label || (label >= 6 && x == label);
          img.push_back(static_cast<uint8_t>((band ? 200 : 20) + rng() % 40));
        }
      }
    }
    std::ofstream(dir + "/" + prefix + "-images-idx3-ubyte", std::ios::binary)
        .write(reinterpret_cast<const char*>(img.data()), img.size());
    std::ofstream(dir + "/" + prefix + "-labels-idx1-ubyte", std::ios::binary)
        .write(reinterpret_cast<const char*>(lab.data()), lab.size());
  }
  return dir;
}

const Architecture kTiny = parse_architecture_string(
    "input=12x12x1:stem=s11_o8:blocks=dconv_r1_k3_s11_e1_i8_o8_se0_identity,"
    "mbconv_r2_k3_s22_e3_i8_o16_se0.25_pool,conv_r1_k3_s22_e1_i16_o16_se0_none:head=o32:"
    "classes=10:dropout=0.1");

TrainOptions tiny_options(const std::string& dir) {
  TrainOptions o;
  o.dataset = "mnist";
  o.data_dir = dir;
  o.epochs = 2;
  o.holdout = 100;
  o.batch = 32;
  o.lr = 0.05;
  o.warmup_epochs = 0;
  o.threads = 1;
  o.seed = 4;
  o.pad = 0;  // the class is the band's position: crops would move it
  o.device = "cpu";  // the exact (bit-for-bit) expectations below hold on the CPU
  return o;
}

// tiny_options(dir) for one epoch, its checkpoint written to dir/NAME.
TrainOptions one_epoch_to(const std::string& dir, const std::string& name) {
  TrainOptions o = tiny_options(dir);
  o.epochs = 1;
  o.checkpoint = dir + "/" + name;
  return o;
}

TEST(Trainer, LearnsASyntheticTaskAndReportsHoldoutAccuracy) {
  const std::string dir = make_data_dir();
  int calls = 0;
  const TrainResult r = train(kTiny, tiny_options(dir), [&](const TrainProgress& p) {
    ++calls;
    EXPECT_LE(p.step, p.steps);
    EXPECT_GT(p.images_per_second, 0);
  });
  EXPECT_EQ(r.status, "done");
  EXPECT_EQ(r.epochs_done, 2);
  EXPECT_EQ(calls, 2 * 16);        // 500 training images / 32
  EXPECT_GT(r.holdout_top1, 0.5);  // chance is 0.1
  EXPECT_GE(r.holdout_top5, r.holdout_top1);
  EXPECT_GT(r.params, 0);
}

TEST(Trainer, ResumedRunEndsWhereTheUninterruptedRunEnds) {
  const std::string dir = make_data_dir();
  TrainOptions full = tiny_options(dir);
  full.checkpoint = dir + "/full.ckpt";
  const TrainResult uninterrupted = train(kTiny, full);

  // Stop the same run in its second epoch, as a kill would: the checkpoint of epoch 1 stays.
  TrainOptions first = tiny_options(dir);
  first.checkpoint = dir + "/part.ckpt";
  EXPECT_THROW(train(kTiny, first,
                     [](const TrainProgress& p) {
                       if (p.epoch == 2 && p.step == 3) throw std::runtime_error("killed");
                     }),
               std::runtime_error);
  TrainOptions rest = tiny_options(dir);
  rest.checkpoint = dir + "/part.ckpt";
  const TrainResult resumed = train(kTiny, rest, nullptr, dir + "/part.ckpt");
  EXPECT_EQ(resumed.epochs_done, 2);
  EXPECT_DOUBLE_EQ(resumed.holdout_top1, uninterrupted.holdout_top1);
  EXPECT_DOUBLE_EQ(resumed.train_loss, uninterrupted.train_loss);
  const EvalResult a = evaluate_checkpoint(dir + "/full.ckpt", "test", dir);
  const EvalResult b = evaluate_checkpoint(dir + "/part.ckpt", "test", dir);
  EXPECT_EQ(a.top1, b.top1);
  EXPECT_EQ(a.images, 200);
  EXPECT_EQ(evaluate_checkpoint(dir + "/full.ckpt", "holdout", dir).top1,
            uninterrupted.holdout_top1);
}

TEST(TrainingRun, StoppedScoredAndContinuedEndsWhereTheUninterruptedRunEnds) {
  const std::string dir = make_data_dir();
  TrainOptions o = tiny_options(dir);  // kTiny has dropout: the run draws random numbers
  o.checkpoint = dir + "/whole.ckpt";
  const TrainResult uninterrupted = train(kTiny, o);

  o.checkpoint = dir + "/parts.ckpt";
  TrainingRun run(kTiny, o);
  ASSERT_EQ(run.total_steps(), 2 * 16);
  const TrainResult early = run.advance(5, 40);  // inside epoch 1, scored on 40 held-out images
  EXPECT_EQ(run.steps_done(), 5);
  EXPECT_EQ(early.status, "done");
  EXPECT_EQ(early.epochs_done, 0);
  EXPECT_GE(early.holdout_top1, 0.0);
  EXPECT_LE(early.holdout_top1, 1.0);
  EXPECT_DOUBLE_EQ(early.holdout_top1 * 40, std::round(early.holdout_top1 * 40));
  {  // another run in between: it reseeds and draws from torch's generator
    TrainOptions other = tiny_options(dir);
    other.seed = 9;
    TrainingRun between(kTiny, other);
    between.advance(7, 20);
  }
  const TrainResult middle = run.advance(20);  // over the epoch's end, scored on all 100
  EXPECT_EQ(middle.epochs_done, 1);
  EXPECT_DOUBLE_EQ(middle.holdout_top1 * 100, std::round(middle.holdout_top1 * 100));
  EXPECT_THROW(run.advance(19), Error);  // backwards
  EXPECT_THROW(run.advance(33), Error);  // past the end
  const TrainResult end = run.advance(run.total_steps());
  EXPECT_EQ(end.epochs_done, 2);
  EXPECT_DOUBLE_EQ(end.holdout_top1, uninterrupted.holdout_top1);
  EXPECT_DOUBLE_EQ(end.holdout_top5, uninterrupted.holdout_top5);
  EXPECT_DOUBLE_EQ(end.train_loss, uninterrupted.train_loss);
  EXPECT_EQ(evaluate_checkpoint(dir + "/whole.ckpt", "test", dir).top1,
            evaluate_checkpoint(dir + "/parts.ckpt", "test", dir).top1);
}

TEST(TrainingRun, AStopRecalibratesOnAsManyTrainingImagesAsItScores) {
  EXPECT_EQ(stop_recalibration_images(500), 500);    // a multi-fidelity first rung's score
  EXPECT_EQ(stop_recalibration_images(40), kMinStopRecalibrationImages);
  EXPECT_EQ(stop_recalibration_images(5000), kRecalibrationImages);
  EXPECT_EQ(stop_recalibration_images(kRecalibrationImages), kRecalibrationImages);
}

TEST(Trainer, ResumeRefusesAnotherArchitectureOrChangedOptions) {
  const std::string dir = make_data_dir();
  const TrainOptions o = one_epoch_to(dir, "r.ckpt");
  train(kTiny, o);
  Architecture other = kTiny;
  other.blocks[0].kernel = 5;
  EXPECT_THROW(train(other, tiny_options(dir), nullptr, dir + "/r.ckpt"), Error);
  TrainOptions changed = tiny_options(dir);
  changed.lr = 0.01;
  try {
    train(kTiny, changed, nullptr, dir + "/r.ckpt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'lr'"), std::string::npos) << e.what();
  }
  std::ofstream(dir + "/junk.ckpt") << "not a checkpoint";
  EXPECT_THROW(train(kTiny, tiny_options(dir), nullptr, dir + "/junk.ckpt"), Error);
  EXPECT_THROW(evaluate_checkpoint(dir + "/junk.ckpt", "test", dir), Error);
}

TEST(Trainer, AFlippedByteInACheckpointIsNoticed) {
  const std::string dir = make_data_dir();
  const TrainOptions o = one_epoch_to(dir, "flip.ckpt");
  train(kTiny, o);
  std::string bytes;
  {
    std::ifstream in(o.checkpoint, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_EQ(bytes.compare(0, 8, "MNASCKPT"), 0);
  EXPECT_TRUE(looks_like_checkpoint(bytes.substr(0, 8)));
  EXPECT_TRUE(looks_like_checkpoint(std::string("PK\x03\x04", 4) + "....."));  // before the frame
  EXPECT_FALSE(looks_like_checkpoint("MNASW001"));
  EXPECT_NO_THROW(evaluate_checkpoint(o.checkpoint, "test", dir));
  const auto expect_damaged = [&](std::string damaged, const std::string& part) {
    std::ofstream(o.checkpoint, std::ios::binary | std::ios::trunc) << damaged;
    try {
      evaluate_checkpoint(o.checkpoint, "test", dir);
      FAIL() << part;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;  // somewhere in the weights
  expect_damaged(flipped, "damaged (the checksum does not match)");
  expect_damaged(bytes.substr(0, bytes.size() - 100), "truncated");
}

// A checkpoint whose stored architecture and weights disagree (edited, or put together from two
// runs): refused naming the tensor, for kernel 5 weights under a kernel 3 architecture (which
// loaded and evaluated silently) and for other widths (which failed deep inside LibTorch).
TEST(Trainer, ACheckpointWhoseWeightsDoNotFitItsArchitectureIsRefused) {
  const std::string dir = make_data_dir();
  const auto write_checkpoint = [&](const std::string& stored_arch, const Architecture& weights,
                                    const std::string& path) {
    torch::serialize::OutputArchive a, model, optimizer;
    a.write("format", c10::IValue(std::string("mnas-checkpoint/1")));
    a.write("arch", c10::IValue(stored_arch));
    a.write("options", c10::IValue(std::string("{}")));
    a.write("epoch", c10::IValue(int64_t{1}));
    a.write("mean", torch::tensor(std::vector<float>{0.5f}));
    a.write("std", torch::tensor(std::vector<float>{0.25f}));
    Network net(weights);
    net->save(model);
    a.write("model", model);
    a.write("optimizer", optimizer);
    std::ostringstream archive;
    a.save_to(archive);
    std::ofstream(path, std::ios::binary) << frame_checkpoint(archive.str());
  };
  const std::string tiny = to_canonical_string(kTiny);
  std::string k5 = tiny;
  k5.replace(k5.find("dconv_r1_k3"), 11, "dconv_r1_k5");
  std::string wide = tiny;
  wide.replace(wide.find("head=o32"), 8, "head=o48");
  const std::string path = dir + "/mixed.ckpt";
  write_checkpoint(tiny, kTiny, path);
  EXPECT_NO_THROW(evaluate_checkpoint(path, "test", dir));  // the format as the trainer writes it
  for (const std::string& weights : {k5, wide}) {
    write_checkpoint(tiny, parse_architecture_string(weights), path);
    for (int use = 0; use < 2; ++use) {
      try {
        if (use == 0) evaluate_checkpoint(path, "test", dir);
        if (use == 1) load_trained_checkpoint(path);
        ADD_FAILURE() << "loaded " << weights;
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("its weights do not fit its architecture"),
                  std::string::npos)
            << e.what();
      }
    }
  }
}

TEST(Trainer, DivergenceIsAStatusNotACrash) {
  const std::string dir = make_data_dir();
  TrainOptions o = tiny_options(dir);
  o.lr = 1000;
  o.label_smoothing = 0;
  const TrainResult r = train(kTiny, o);
  EXPECT_EQ(r.status, "diverged");
  EXPECT_NE(r.reason.find("loss is"), std::string::npos) << r.reason;
}

TEST(Trainer, BadOptionsAndMismatchesAreErrors) {
  const std::string dir = make_data_dir();
  TrainOptions o = tiny_options(dir);
  o.optimizer = "lbfgs";
  EXPECT_THROW(train(kTiny, o), Error);
  o = tiny_options(dir);
  o.epochs = 0;
  EXPECT_THROW(train(kTiny, o), Error);
  o = tiny_options(dir);
  o.holdout = 600;
  EXPECT_THROW(train(kTiny, o), Error);
  Architecture three = kTiny;
  three.input.channels = 3;
  EXPECT_THROW(train(three, tiny_options(dir)), Error);
  Architecture hundred = kTiny;
  hundred.classes = 100;
  EXPECT_THROW(train(hundred, tiny_options(dir)), Error);
}

// The recipes by name and task: a detector's differs only where SSD's training does.
TEST(TrainRecipe, ADetectorsRecipeIsTheClassifiersWithSsdsBatchAndHoldout) {
  for (const char* name : {"full", "proxy"}) {
    const TrainOptions classifier = train_recipe(name);
    TrainOptions detector = train_recipe(name, "detection");
    EXPECT_EQ(detector.batch, kDetectionBatch);
    EXPECT_EQ(detector.holdout, kDetectionHoldout);
    detector.batch = classifier.batch;
    detector.holdout = classifier.holdout;
    nlohmann::json a, b;
    field_table::write(train_option_fields(), detector, a);
    field_table::write(train_option_fields(), classifier, b);
    EXPECT_EQ(a, b) << name;
  }
  EXPECT_EQ(train_recipe("full").epochs, 30);
  EXPECT_EQ(train_recipe("proxy").epochs, 1);
  EXPECT_THROW(train_recipe("long"), Error);
  try {
    train_recipe("full", "segmentation");
    ADD_FAILURE() << "an unknown task was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "task");
  }
}

// On a GPU (skipped without one: Debian's LibTorch is CPU-only). What must hold there: the same
// recipe learns as well as on the CPU (not bit for bit: GPU kernels sum in another order), a
// checkpoint written on the GPU evaluates and resumes on the CPU and the other way round.
#define MNAS_SKIP_WITHOUT_GPU()                                                        \
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA GPU here (LibTorch sees none)"

TEST(TrainerOnGpu, LearnsAsWellAsOnTheCpu) {
  MNAS_SKIP_WITHOUT_GPU();
  const std::string dir = make_data_dir();
  TrainOptions cpu = tiny_options(dir), gpu = tiny_options(dir);
  gpu.device = "cuda";
  const TrainResult on_cpu = train(kTiny, cpu);
  int calls = 0;
  const TrainResult on_gpu = train(kTiny, gpu, [&](const TrainProgress& p) {
    ++calls;
    EXPECT_LE(p.step, p.steps);
  });
  EXPECT_EQ(on_gpu.status, "done");
  EXPECT_EQ(on_gpu.device, "cuda:0");
  EXPECT_EQ(on_cpu.device, "cpu");
  EXPECT_GT(calls, 0);
  EXPECT_GT(on_gpu.holdout_top1, 0.5);
  EXPECT_NEAR(on_gpu.holdout_top1, on_cpu.holdout_top1, 0.08);  // 100 held-out images
  EXPECT_NEAR(on_gpu.train_loss, on_cpu.train_loss, 0.1);
  EXPECT_EQ(on_gpu.params, on_cpu.params);
}

TEST(TrainerOnGpu, CheckpointsMoveBetweenGpuAndCpu) {
  MNAS_SKIP_WITHOUT_GPU();
  const std::string dir = make_data_dir();
  TrainOptions o = one_epoch_to(dir, "gpu.ckpt");
  o.device = "cuda:0";
  const TrainResult first = train(kTiny, o);
  const EvalResult on_gpu = evaluate_checkpoint(o.checkpoint, "holdout", dir, "cuda");
  const EvalResult on_cpu = evaluate_checkpoint(o.checkpoint, "holdout", dir, "cpu");
  EXPECT_DOUBLE_EQ(on_gpu.top1, first.holdout_top1);
  EXPECT_NEAR(on_cpu.top1, on_gpu.top1, 0.02);  // the same weights; kernels round differently
  // The second epoch on the CPU from the GPU's checkpoint, then a third back on the GPU.
  TrainOptions more = o;
  more.device = "cpu";
  more.epochs = 2;
  const TrainResult second = train(kTiny, more, nullptr, o.checkpoint);
  EXPECT_EQ(second.status, "done");
  EXPECT_EQ(second.epochs_done, 2);
  EXPECT_GT(second.holdout_top1, 0.5);
  more.device = "cuda";
  more.epochs = 3;
  const TrainResult third = train(kTiny, more, nullptr, o.checkpoint);
  EXPECT_EQ(third.epochs_done, 3);
  EXPECT_EQ(third.device, "cuda:0");
}

TEST(TrainerOnGpu, AGpuBeyondTheMachineIsAClearError) {
  MNAS_SKIP_WITHOUT_GPU();
  const std::string dir = make_data_dir();
  TrainOptions o = tiny_options(dir);
  o.device = "cuda:" + std::to_string(cuda_device_count());
  try {
    train(kTiny, o);
    FAIL() << "trained on a GPU that is not there";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("GPU(s)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mnas
