#ifndef MNAS_EXPORT_ONNX_BUILDER_H_
#define MNAS_EXPORT_ONNX_BUILDER_H_

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "export/onnx_export.h"
#include "graph/graph.h"
#include "graph/quantization.h"
#include "space/architecture.h"
#include "space/weights_file.h"

// What the ONNX exports (onnx_export.cc: a classifier; onnx_detector_export.cc: a detector) build
// their models with. Internal to export/.
namespace mnas::onnx_internal {

// Float32 little-endian whatever the host, as TensorProto.raw_data requires.
// 4-byte values (float, int32) in ONNX's raw_data order.
template <typename T>
std::string little_endian(const std::vector<T>& values) {
  static_assert(sizeof(T) == 4, "4-byte values");
  std::string bytes(values.size() * 4, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (int b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  return bytes;
}

class OnnxBuilder {
 public:
  explicit OnnxBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  void initializer(const std::string& name, const std::vector<int64_t>& dims,
                   const std::vector<float>& values) {
    raw_initializer(name, dims, onnx::TensorProto::FLOAT, little_endian(values));
  }
  void initializer(const std::string& name, const std::vector<int64_t>& dims,
                   const std::vector<int8_t>& values) {
    raw_initializer(name, dims, onnx::TensorProto::INT8,
                    std::string(reinterpret_cast<const char*>(values.data()), values.size()));
  }
  void initializer(const std::string& name, const std::vector<int64_t>& dims,
                   const std::vector<int32_t>& values) {
    raw_initializer(name, dims, onnx::TensorProto::INT32, little_endian(values));
  }
  void initializer(const std::string& name, const std::vector<int64_t>& dims,
                   const std::vector<int64_t>& values) {
    std::string bytes(values.size() * 8, '\0');
    for (size_t i = 0; i < values.size(); ++i) {
      const uint64_t bits = static_cast<uint64_t>(values[i]);
      for (int b = 0; b < 8; ++b) bytes[8 * i + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
    }
    raw_initializer(name, dims, onnx::TensorProto::INT64, bytes);
  }
  void raw_initializer(const std::string& name, const std::vector<int64_t>& dims, int type,
                       const std::string& bytes) {
    onnx::TensorProto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(bytes);
  }

  onnx::NodeProto* node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& inputs, const std::string& output) {
    onnx::NodeProto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const std::string& in : inputs) n->add_input(in);
    n->add_output(output);
    return n;
  }

  static void ints(onnx::NodeProto* n, const char* name, const std::vector<int64_t>& values) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
  }
  static void int_attribute(onnx::NodeProto* n, const char* name, int64_t value) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }

  // The graph's input and outputs: float tensors [batch, dims...]; batch 0 is the symbolic
  // "batch".
  void input(const std::string& name, int batch, const std::vector<int64_t>& dims) {
    tensor_type(graph_->add_input(), name, batch, dims);
  }
  void output(const std::string& name, int batch, const std::vector<int64_t>& dims) {
    tensor_type(graph_->add_output(), name, batch, dims);
  }

 private:
  static void tensor_type(onnx::ValueInfoProto* v, const std::string& name, int batch,
                          const std::vector<int64_t>& dims) {
    v->set_name(name);
    onnx::TypeProto::Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto* shape = t->mutable_shape();
    if (batch > 0) {
      shape->add_dim()->set_dim_value(batch);
    } else {
      shape->add_dim()->set_dim_param("batch");
    }
    for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
  }

  onnx::GraphProto* graph_;
};

// Throws mnas::Error unless the weights file's mean and std have one finite value per input
// channel (std > 0), or are both empty.
void check_normalisation(const WeightsFile& w, int channels);

// A model declaring `opset`, with the IR version that goes with it and mnas as its producer.
void start_model(onnx::ModelProto& model, int opset);
void add_note(onnx::ModelProto& model, const std::string& key, const std::string& value);

// Throws mnas::Error unless `weights` fit a network of `canonical` with `classes` classes (a
// detector's: categories): its notes valid, a name per class when it has names, the same
// architecture, a sound normalisation.
void check_weights(const WeightsFile& weights, const std::string& canonical, int classes,
                   int channels, bool detector);

// The metadata that says how to feed the file: "mnas.input" (NCHW, pixels / 255),
// "mnas.channel_order", and with trained weights "mnas.normalization", "mnas.labels" and
// "mnas.preprocess".
void add_feeding_notes(onnx::ModelProto& model, const InputShape& input,
                       const WeightsFile* weights);

// The graph's input "input", float32 [batch, C, H, W], and the weights file's input normalisation
// (x - mean) / std as its first node when it has one (checked: one finite value per channel,
// std > 0); returns the name of the value the network starts from ("input" or
// "input_normalised").
std::string add_input(OnnxBuilder& b, const InputShape& input, int batch,
                      const WeightsFile* weights);

// The graph's operators as ONNX nodes, from the (normalised) input `first`; with `int8`, every
// value fake-quantized as the int8 network holds it (QDQ). A value in `renamed` gets that name
// (the classifier's logits before their Flatten). Returns every value's ONNX name, after its
// fake quantization with int8.
std::vector<std::string> add_graph_nodes(OnnxBuilder& b, const Graph& graph,
                                         const std::string& first, const Int8Calibration* int8,
                                         const std::map<int, std::string>& renamed = {});

// Runs ONNX's model checker (an mnas::Error naming what it refused) and serialises the model.
std::string finish_model(const onnx::ModelProto& model);

}  // namespace mnas::onnx_internal

#endif  // MNAS_EXPORT_ONNX_BUILDER_H_
