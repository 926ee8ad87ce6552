// The exported ONNX file, read by another engine (OpenCV DNN, as a user's runtime would), gives
// LibTorch's eval-mode logits; and what the exporter refuses.
#include "export/onnx_export.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <opencv2/dnn.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "base/error.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "data/idx_reader.h"
#include "data/scene_generator.h"
#include "detection/box_coder.h"
#include "graph/graph.h"
#include "graph/reference_executor.h"
#include "latency/int8_calibration.h"
#include "nn/detector.h"
#include "nn/network.h"
#include "space/architecture_codec.h"
#include "space/search_space.h"
#include "space/zoo.h"
#include "testing/fixtures.h"
#include "train/trainer.h"

namespace mnas {
namespace {

// Logits of `input` ([batch, C, H, W]) from the ONNX bytes, by OpenCV DNN.
torch::Tensor run_opencv(const std::string& onnx, const torch::Tensor& input) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx.data(), onnx.size());
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  const torch::Tensor in = input.contiguous();
  std::vector<int> dims(in.sizes().begin(), in.sizes().end());
  cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F, in.data_ptr<float>());
  net.setInput(blob, "input");
  const cv::Mat out = net.forward("logits");
  const int64_t batch = in.size(0), per_image = static_cast<int64_t>(out.total()) / batch;
  EXPECT_EQ(static_cast<int64_t>(out.total()), batch * per_image);
  return torch::from_blob(const_cast<float*>(out.ptr<float>()), {batch, per_image}).clone();
}

double relative_error(const torch::Tensor& got, const torch::Tensor& expected) {
  EXPECT_EQ(got.sizes(), expected.sizes());
  if (got.sizes() != expected.sizes()) return 1e9;
  return (got - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}

// A trained-looking network: BN statistics and affine parameters away from their initial values,
// and the training normalisation (mean, std) of the weights file.
struct TrainedLike {
  Network net{nullptr};
  WeightsFile weights;
};

TrainedLike trained_like(const Architecture& a, uint64_t seed) {
  torch::manual_seed(seed);
  TrainedLike t{Network(a), {}};
  t.net->train();
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < 3; ++i)
      t.net->forward(torch::randn({4, a.input.channels, a.input.height, a.input.width}) * 2 + 0.5);
    for (auto& p : t.net->named_parameters()) {
      if (p.key().find("bn") != std::string::npos) p.value().uniform_(0.5, 1.5);
    }
  }
  t.net->eval();
  t.weights.arch = to_canonical_string(a);
  for (int c = 0; c < a.input.channels; ++c) {
    t.weights.mean.push_back(0.3f + 0.1f * c);
    t.weights.std.push_back(0.2f + 0.05f * c);
  }
  t.weights.tensors = t.net->folded_weights();
  return t;
}

// LibTorch's eval-mode logits for `pixels` (normalised as the weights file says), computed in
// float64: two float32 results differ by both libraries' rounding, which depends on the CPU's
// kernels (AVX2, AVX-512) and grows with depth — for one random architecture on an AVX-512 Xeon,
// LibTorch's own float32 logits were 7.2e-5 off the float64 ones, OpenCV's 3.4e-5. Against
// float64 only the export's side is measured.
torch::Tensor reference_logits(TrainedLike& t, const torch::Tensor& pixels) {
  torch::NoGradGuard no_grad;
  const auto f64 = [](const std::vector<float>& v) {
    return torch::tensor(v).to(torch::kDouble).view({1, -1, 1, 1});
  };
  t.net->to(torch::kDouble);
  const torch::Tensor logits =
      t.net->forward((pixels.to(torch::kDouble) - f64(t.weights.mean)) / f64(t.weights.std));
  t.net->to(torch::kFloat);
  return logits.to(torch::kFloat);
}

// OpenCV on the exported file vs LibTorch in eval mode on the same pixels.
double parity_error(const Architecture& a, uint64_t seed, int opset = 13) {
  TrainedLike t = trained_like(a, seed);
  OnnxExportOptions options;
  options.opset = opset;
  const std::string onnx = export_onnx(a, &t.weights, options);
  const torch::Tensor pixels = torch::rand({1, a.input.channels, a.input.height, a.input.width});
  return relative_error(run_opencv(onnx, pixels), reference_logits(t, pixels));
}

TEST(OnnxExport, ZooModelsMatchLibTorch) {
  for (const auto& [name, arch] : testing::small_zoo_models()) {
    EXPECT_LT(parity_error(arch, 1), 1e-4) << name;
  }
}

// Random architectures of the search space until every op, kernel, SE and skip choice occurred
// (at least 20), at the search's 28x28x1: odd sizes on the way (7x7) exercise the ceil-mode pool.
TEST(OnnxExport, RandomArchitecturesWithEveryChoiceMatchLibTorch) {
  const SearchSpace space = testing::fashion_mnist_space();
  std::mt19937_64 rng(33);
  std::set<std::string> seen;
  int tried = 0;
  while (tried < 20 || seen.size() < 3 + 2 + 2 + 3) {
    ASSERT_LT(tried, 200) << "the space never offered every choice";
    const Architecture a = space.sample(rng);
    for (const BlockSpec& b : a.blocks) {
      seen.insert(std::string("op ") + to_string(b.op));
      seen.insert("kernel " + std::to_string(b.kernel));
      seen.insert(b.se_ratio > 0 ? "se" : "no se");
      seen.insert(std::string("skip ") + to_string(b.skip));
    }
    EXPECT_LT(parity_error(a, tried), 1e-4) << to_canonical_string(a);
    ++tried;
  }
}

// A symbolic batch: one file for any number of images. (OpenCV 4.6 runs batches > 1 only for
// networks without squeeze-and-excitation: its Mul of [N, C, H, W] by [N, C, 1, 1] wants N = 1.)
TEST(OnnxExport, ASymbolicBatchRunsManyImagesAtOnce) {
  const Architecture a = zoo_model("mobilenetv2", ZooOptions{{32, 32, 3}, 10, 1.0});
  TrainedLike t = trained_like(a, 2);
  OnnxExportOptions options;
  options.batch = 0;
  const std::string onnx = export_onnx(a, &t.weights, options);
  const torch::Tensor pixels = torch::rand({3, 3, 32, 32});
  EXPECT_LT(relative_error(run_opencv(onnx, pixels), reference_logits(t, pixels)), 1e-4);
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(onnx));
  EXPECT_EQ(model.graph().input(0).type().tensor_type().shape().dim(0).dim_param(), "batch");
  EXPECT_EQ(model.graph().output(0).type().tensor_type().shape().dim(0).dim_param(), "batch");
}

TEST(OnnxExport, EveryOpsetOpenCvReads) {
  const Architecture a = zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 10, 1.0});
  for (int opset = kMinOpset; opset <= kMaxOpset; ++opset) {
    EXPECT_LT(parity_error(a, 7, opset), 1e-4) << "opset " << opset;
  }
}

// A bare architecture: random weights (the same as the XNNPACK lowering's for the same seed), no
// normalisation; checked against the plain reference executor, without LibTorch.
TEST(OnnxExport, RandomWeightsAreTheLoweringsOwn) {
  const Architecture a = zoo_model("mnasnet-a1", ZooOptions{{32, 32, 3}, 10, 1.0});
  OnnxExportOptions options;
  options.seed = 5;
  const std::string onnx = export_onnx(a, nullptr, options);
  const torch::Tensor nchw = torch::rand({1, 3, 32, 32});
  const torch::Tensor nhwc = nchw.permute({0, 2, 3, 1}).contiguous();
  const std::vector<float> expected = run_reference(
      lower_architecture(a, 5),
      std::vector<float>(nhwc.data_ptr<float>(), nhwc.data_ptr<float>() + nhwc.numel()));
  EXPECT_LT(relative_error(run_opencv(onnx, nchw), torch::tensor(expected).view({1, -1})), 1e-4);
}

TEST(OnnxExport, TheFileSaysWhatItIs) {
  const Architecture a = zoo_model("mobilenetv2", ZooOptions{{28, 28, 1}, 10, 1.0});
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(export_onnx(a, nullptr)));
  EXPECT_EQ(model.opset_import(0).version(), 13);
  EXPECT_EQ(model.producer_name(), "mnas");
  ASSERT_EQ(model.graph().input_size(), 1);
  EXPECT_EQ(model.graph().input(0).name(), "input");
  const auto& dims = model.graph().input(0).type().tensor_type().shape().dim();
  ASSERT_EQ(dims.size(), 4);
  EXPECT_EQ(dims[0].dim_value(), 1);  // the default: a fixed batch of 1
  EXPECT_EQ(dims[1].dim_value(), 1);
  EXPECT_EQ(dims[2].dim_value(), 28);
  EXPECT_EQ(model.graph().output(0).name(), "logits");
  EXPECT_EQ(model.metadata_props(0).value(), to_canonical_string(a));
  for (const onnx::NodeProto& n : model.graph().node()) {
    EXPECT_NE(n.op_type(), "Identity");  // OpenCV 4.6 refuses it
    EXPECT_NE(n.op_type(), "Clip");
  }
}

// What a deployer needs to feed a trained file is in it, and reads back (`mnas export
// --describe`): the class names, the channel order, the scaling, the normalisation, how training
// resized its images.
TEST(OnnxExport, ATrainedFileCarriesHowToFeedIt) {
  const Architecture a = zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 3, 1.0});
  TrainedLike t = trained_like(a, 5);
  t.weights.labels = {"blue", "green", "red"};
  t.weights.preprocess = "decoded to RGB, resized to 32x32";
  const std::string path = "/tmp/mnas_onnx_notes_" + std::to_string(::getpid()) + ".onnx";
  write_onnx_file(path, a, &t.weights);
  const OnnxDescription d = describe_onnx_file(path);
  std::map<std::string, std::string> meta(d.metadata.begin(), d.metadata.end());
  EXPECT_EQ(meta["mnas.labels"], R"(["blue","green","red"])");
  EXPECT_EQ(meta["mnas.channel_order"], "RGB");
  EXPECT_EQ(meta["mnas.input"], "float32 [batch, 3, 32, 32] NCHW, pixels / 255 in [0, 1]");
  EXPECT_EQ(meta["mnas.preprocess"], "decoded to RGB, resized to 32x32");
  EXPECT_NE(meta["mnas.normalization"].find("inside the model"), std::string::npos);
  EXPECT_EQ(meta["mnas.weights"], "trained");
  EXPECT_EQ(d.input_name, "input");
  EXPECT_EQ(d.input_shape, (std::vector<std::string>{"1", "3", "32", "32"}));
  EXPECT_EQ(d.output_shape, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(d.opset, 13);
  EXPECT_EQ(d.producer.rfind("mnas ", 0), 0u) << d.producer;
  // Names that do not fit the network are refused, not written.
  t.weights.labels = {"blue", "green"};
  EXPECT_THROW(export_onnx(a, &t.weights), Error);
  // Not an ONNX file: said, naming it.
  std::ofstream(path) << "not a model";
  try {
    describe_onnx_file(path);
    FAIL() << "a text file was described";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not an ONNX model"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(OnnxExport, RefusesWhatItCannotExportFaithfully) {
  const Architecture a = zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 10, 1.0});
  OnnxExportOptions options;
  options.opset = 9;
  EXPECT_THROW(export_onnx(a, nullptr, options), Error);
  options.opset = 18;
  EXPECT_THROW(export_onnx(a, nullptr, options), Error);
  options.opset = 13;
  options.batch = -1;
  EXPECT_THROW(export_onnx(a, nullptr, options), Error);

  TrainedLike t = trained_like(a, 3);
  const Architecture other = zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 100, 1.0});
  try {
    export_onnx(other, &t.weights);
    FAIL() << "weights of another architecture were exported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another architecture"), std::string::npos) << e.what();
  }
  WeightsFile bad = t.weights;
  bad.tensors.at("head").weight.pop_back();
  bad.tensors.at("head").shape[0] -= 1;
  try {
    export_onnx(a, &bad);
    FAIL() << "a tensor of the wrong shape was exported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("head"), std::string::npos) << e.what();
  }
  bad = t.weights;
  bad.std[1] = 0;
  EXPECT_THROW(export_onnx(a, &bad), Error);
  bad = t.weights;
  bad.mean.pop_back();
  EXPECT_THROW(export_onnx(a, &bad), Error);
  bad = t.weights;
  bad.tensors.erase("classifier");
  EXPECT_THROW(export_onnx(a, &bad), Error);
}

// The int8 export is QDQ around the float operators, with the calibration's scales; what cannot
// be quantized faithfully is refused.
TEST(OnnxExport, AnInt8ExportIsTheQuantizedNetworkAsQdq) {
  const Architecture a = parse_architecture_string(
      "input=16x16x1:stem=s22_o8:blocks=mbconv_r1_k3_s11_e3_i8_o8_se0.25_identity,"
      "dconv_r1_k5_s22_e1_i8_o16_se0_pool:head=o32:classes=5:dropout=0");
  TrainedLike t = trained_like(a, 5);
  Graph graph = lower_architecture(a);
  apply_weights(graph, t.weights.tensors);
  const std::vector<float> mean = t.weights.mean, std = t.weights.std;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  std::vector<std::vector<float>> images(17, std::vector<float>(16 * 16));
  for (auto& image : images) for (float& p : image) p = pixel(rng);
  const Int8Calibration calibration = calibrate_int8(
      graph, 16,
      [&](int64_t i, float* input) {
        for (int k = 0; k < 256; ++k) input[k] = (images[i][k] - mean[0]) / std[0];
      },
      CalibrationMethod::kMinMax);
  OnnxExportOptions options;
  options.int8 = &calibration;
  const std::string onnx = export_onnx(a, &t.weights, options);

  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(onnx));
  std::map<std::string, int> ops;
  for (const onnx::NodeProto& n : model.graph().node()) ++ops[n.op_type()];
  EXPECT_EQ(ops["QuantizeLinear"], int(graph.values.size()));  // every value, the input too
  EXPECT_EQ(ops["DequantizeLinear"], int(graph.values.size() + 2 * graph.params.size()));
  bool said = false;
  for (const auto& m : model.metadata_props()) said |= m.key() == "mnas.precision";
  EXPECT_TRUE(said);

  // The scales are the calibration's and the int8 network's: the logits' step, a weight's.
  std::map<std::string, const onnx::TensorProto*> init;
  for (const onnx::TensorProto& tensor : model.graph().initializer()) {
    init[tensor.name()] = &tensor;
  }
  const auto scalar = [&](const std::string& name) {
    float v;
    std::memcpy(&v, init.at(name)->raw_data().data(), 4);
    return v;
  };
  EXPECT_FLOAT_EQ(scalar("logits_nchw.scale"), calibration.values[graph.output].scale);
  EXPECT_EQ(init.at("stem.weight_q")->data_type(), onnx::TensorProto::INT8);
  EXPECT_EQ(init.at("stem.bias_q")->data_type(), onnx::TensorProto::INT32);
  EXPECT_EQ(init.at("classifier.weight_scale")->dims_size(), 0);  // per tensor
  EXPECT_EQ(init.at("stem.weight_scale")->dims(0), 8);           // per output channel
  // (OpenCV 4.6 cannot run QDQ weights; ONNX Runtime runs the file: bench/int8_parity.sh.)

  // Nothing to calibrate, an opset without per-channel DequantizeLinear, another network's
  // calibration: refused.
  EXPECT_THROW(export_onnx(a, nullptr, options), Error);
  options.opset = 12;
  EXPECT_THROW(export_onnx(a, &t.weights, options), Error);
  options.opset = 13;
  Int8Calibration other = calibration;
  other.values.pop_back();
  options.int8 = &other;
  EXPECT_THROW(export_onnx(a, &t.weights, options), Error);
}

// The deployment path end to end on the real proxy data: a checkpoint trained briefly on
// Fashion-MNIST, exported, run by OpenCV over the whole test split, gives LibTorch's test accuracy
// (`mnas eval --engine torch`: evaluate_checkpoint) image for image.
TEST(OnnxExport, ACheckpointKeepsItsTestAccuracyInOpenCv) {
  const Architecture a = parse_architecture_string(
      "input=28x28x1:stem=s22_o8:blocks=mbconv_r1_k3_s22_e3_i8_o16_se0.25_identity,"
      "dconv_r2_k5_s22_e1_i16_o24_se0_pool:head=o64:classes=10:dropout=0.1");
  TrainOptions o = train_recipe("proxy");
  o.train_images = 3000;
  o.epochs = 2;
  o.holdout = 100;
  o.threads = 1;
  o.checkpoint = "/tmp/mnas_export_test_" + std::to_string(::getpid()) + ".ckpt";
  ASSERT_EQ(train(a, o).status, "done");
  const EvalResult torch_eval = evaluate_checkpoint(o.checkpoint, "test");

  LoadedCheckpoint c = load_trained_checkpoint(o.checkpoint);
  std::remove(o.checkpoint.c_str());
  WeightsFile w;
  w.arch = to_canonical_string(c.arch);
  w.mean = c.mean;
  w.std = c.std;
  w.tensors = c.folded_weights;
  const std::string onnx = export_onnx(c.arch, &w);
  cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx.data(), onnx.size());
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);

  const Dataset test = load_dataset("fashion-mnist", "", Split::kTest, ImageSize{28, 28, 1});
  const Batch all = make_batch(test, torch::arange(test.size(), torch::kLong),
                               Normalization{{0.0f}, {1.0f}}, 28, 28, nullptr, nullptr);
  ASSERT_GE(all.images.max().item<float>(), 0.9f);  // pixels in [0, 1], as the model takes them
  int64_t correct = 0;
  for (int64_t i = 0; i < test.size(); ++i) {
    const torch::Tensor image = all.images[i].unsqueeze(0).contiguous();
    std::vector<int> dims = {1, 1, 28, 28};
    net.setInput(cv::Mat(4, dims.data(), CV_32F, image.data_ptr<float>()), "input");
    const cv::Mat logits = net.forward("logits");
    const float* l = logits.ptr<float>();
    correct += std::max_element(l, l + 10) - l == all.labels[i].item<int64_t>();
  }
  EXPECT_EQ(torch_eval.images, test.size());
  EXPECT_GT(torch_eval.top1, 0.5) << "the short training did not learn";
  EXPECT_NEAR(double(correct) / test.size(), torch_eval.top1, 1.5 / test.size())
      << "OpenCV " << correct << " of " << test.size() << ", LibTorch " << torch_eval.top1;
}

// A detector's file: OpenCV's scores and boxes against LibTorch's (float64) softmax and decoded
// default boxes, on 100 scenes (the issue's acceptance), for a trained-looking detector.
struct DetectorParity {
  double scores = 0, boxes = 0;
};

DetectorParity detector_parity(const Architecture& a, int images, uint64_t seed, int batch = 1) {
  torch::manual_seed(seed);
  Detector det(a, a.classes, DefaultBoxOptions{});
  // Trained-looking: BN's affine parameters moved, then its statistics those of the inputs (a
  // cumulative average over a few batches): the logits stay in a trained network's range. (With
  // statistics left at their initial values they reach 1e5, where any rounding flips a softmax.)
  {
    torch::NoGradGuard no_grad;
    for (auto& p : det->named_parameters()) {
      if (p.key().find("bn") != std::string::npos) p.value().uniform_(0.5, 1.5);
    }
    for (auto& m : det->modules(/*include_self=*/false)) {
      if (auto* bn = m->as<torch::nn::BatchNorm2d>()) {
        bn->options.momentum(c10::nullopt);
        bn->reset_running_stats();
      }
    }
    det->train();
    for (int i = 0; i < 4; ++i) {
      det->forward((torch::rand({8, a.input.channels, a.input.height, a.input.width}) - 0.3) /
                   0.25);
    }
  }
  det->eval();
  WeightsFile w;
  w.arch = to_canonical_string(a);
  w.mean.assign(a.input.channels, 0.3f);
  w.std.assign(a.input.channels, 0.25f);
  w.tensors = det->folded_weights();
  OnnxExportOptions options;
  options.batch = batch;
  const std::string onnx = export_detector_onnx(a, DefaultBoxOptions{}, &w, options);

  cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx.data(), onnx.size());
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  det->to(torch::kDouble);
  DetectorParity worst;
  const std::vector<CenterBox>& anchors = det->default_boxes();
  // Real scenes when the input is a scene's (grey 96x96 from Fashion-MNIST's test images, as
  // `mnas data make-scenes` draws them), random pixels otherwise.
  // (Without dataset-fashion-mnist, random pixels there too.)
  const bool scenes = a.input.channels == 1 && a.input.height == 96 && a.input.width == 96 &&
                      std::ifstream("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
  RawImages source;
  if (scenes) source = read_idx_split("/usr/share/datasets/fashion-mnist", /*train=*/false);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < images; i += batch) {
    torch::Tensor pixels =
        torch::rand({batch, a.input.channels, a.input.height, a.input.width}).contiguous();
    for (int b = 0; scenes && b < batch; ++b) {
      const Scene scene = draw_scene(source, SceneOptions{}, rng);
      pixels[b] = torch::tensor(std::vector<float>(scene.pixels.begin(), scene.pixels.end()))
                      .div(255.0f)
                      .view({1, 96, 96});
    }
    std::vector<int> dims(pixels.sizes().begin(), pixels.sizes().end());
    net.setInput(cv::Mat(4, dims.data(), CV_32F, pixels.data_ptr<float>()), "input");
    std::vector<cv::Mat> outs;
    net.forward(outs, std::vector<cv::String>{"scores", "boxes"});
    const int64_t n = static_cast<int64_t>(anchors.size());
    EXPECT_EQ(static_cast<int64_t>(outs[0].total()), batch * n * (a.classes + 1));
    EXPECT_EQ(static_cast<int64_t>(outs[1].total()), batch * n * 4);
    const torch::Tensor scores =
        torch::from_blob(outs[0].ptr<float>(), {batch, n, a.classes + 1}).clone();
    const torch::Tensor boxes = torch::from_blob(outs[1].ptr<float>(), {batch, n, 4}).clone();

    torch::NoGradGuard no_grad;
    const DetectorOutputs ref =
        det->forward((pixels.to(torch::kDouble) - 0.3) / 0.25);
    worst.scores = std::max(worst.scores,
                            relative_error(scores, ref.scores.softmax(2).to(torch::kFloat)));
    const torch::Tensor offsets = ref.offsets.to(torch::kFloat).contiguous();
    torch::Tensor expected = torch::empty({batch, n, 4});
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t k = 0; k < n; ++k) {
        const CenterBox c = decode_box(offsets.data_ptr<float>() + (b * n + k) * 4, anchors[k]);
        const Box box = to_corner(c);
        float* e = expected.data_ptr<float>() + (b * n + k) * 4;
        e[0] = static_cast<float>(box.x);
        e[1] = static_cast<float>(box.y);
        e[2] = static_cast<float>(box.x + box.w);
        e[3] = static_cast<float>(box.y + box.h);
      }
    }
    worst.boxes = std::max(worst.boxes, relative_error(boxes, expected));
  }
  return worst;
}

TEST(OnnxExport, ADetectorGivesLibTorchsScoresAndBoxes) {
  const DetectorParity small =
      detector_parity(zoo_model("mnasnet-small", ZooOptions{{96, 96, 1}, 10, 1.0}), 100, 1);
  EXPECT_LT(small.scores, 1e-4);
  EXPECT_LT(small.boxes, 1e-4);
  RecordProperty("scores", std::to_string(small.scores));
  RecordProperty("boxes", std::to_string(small.boxes));
  const DetectorParity rgb =
      detector_parity(zoo_model("mobilenetv2", ZooOptions{{64, 64, 3}, 3, 1.0}), 4, 2);
  EXPECT_LT(rgb.scores, 1e-4);
  EXPECT_LT(rgb.boxes, 1e-4);
}

TEST(OnnxExport, ADetectorFileSaysWhatItIs) {
  const Architecture a = zoo_model("mnasnet-small", ZooOptions{{96, 96, 1}, 4, 1.0});
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(export_detector_onnx(a, DefaultBoxOptions{}, nullptr)));
  ASSERT_EQ(model.graph().output_size(), 2);
  EXPECT_EQ(model.graph().output(0).name(), "scores");
  EXPECT_EQ(model.graph().output(1).name(), "boxes");
  const size_t boxes = default_boxes(detector_feature_maps(a), DefaultBoxOptions{}).size();
  EXPECT_EQ(model.graph().output(1).type().tensor_type().shape().dim(1).dim_value(),
            static_cast<int64_t>(boxes));
  EXPECT_EQ(model.graph().output(0).type().tensor_type().shape().dim(2).dim_value(), 5);
  std::map<std::string, std::string> notes;
  for (const auto& m : model.metadata_props()) notes[m.key()] = m.value();
  EXPECT_EQ(notes["mnas.task"], "detection");
  EXPECT_NE(notes["mnas.outputs"].find("NMS"), std::string::npos);
  // Refused: int8, weights of another backbone, a backbone with one resolution.
  OnnxExportOptions int8;
  Int8Calibration calibration;
  int8.int8 = &calibration;
  EXPECT_THROW(export_detector_onnx(a, DefaultBoxOptions{}, nullptr, int8), Error);
  WeightsFile other;
  other.arch = to_canonical_string(zoo_model("mobilenetv2", ZooOptions{{96, 96, 1}, 4, 1.0}));
  EXPECT_THROW(export_detector_onnx(a, DefaultBoxOptions{}, &other), Error);
  EXPECT_THROW(export_detector_onnx(zoo_model("mnasnet-small", ZooOptions{{1, 1, 1}, 4, 1.0}),
                                    DefaultBoxOptions{}, nullptr),
               Error);
}

}  // namespace
}  // namespace mnas
