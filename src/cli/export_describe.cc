// `mnas export --describe FILE`: an ONNX file read back (export/onnx_export.h's
// describe_onnx_file), printed as text or JSON.
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/printable.h"
#include "cli/export_options.h"

namespace mnas::cli {

void run_describe(const ExportOptions& o) {
  for (const char* flag :
       {"SOURCE", "--out", "--format", "--opset", "--batch", "--seed", "--input", "--classes",
        "--multiplier", "--precision", "--calibration", "--calibration-images", "--data-dir",
        "--task"}) {
    if (o.cmd->count(flag) > 0) {
      throw Error(std::string(flag) + ": --describe reads a file; it writes nothing");
    }
  }
  refuse_special_file(o.describe, "--describe", "an ONNX file");
  const OnnxDescription d = describe_onnx_file(o.describe);
  const auto dims = [](const std::vector<std::string>& shape) {
    std::string out;
    for (const std::string& s : shape) out += (out.empty() ? "" : ", ") + printable(s, 64);
    return "[" + out + "]";
  };
  if (o.json) {
    nlohmann::json meta = nlohmann::json::object();
    nlohmann::json outputs = nlohmann::json::array();
    for (const auto& [name, shape] : d.outputs)
      outputs.push_back({{"name", name}, {"shape", shape}});
    for (const auto& [k, v] : d.metadata) meta[k] = v;
    std::cout << nlohmann::json{{"file", o.describe},
                                {"producer", d.producer},
                                {"ir_version", d.ir_version},
                                {"opset", d.opset},
                                {"input", {{"name", d.input_name}, {"shape", d.input_shape}}},
                                {"output", {{"name", d.output_name}, {"shape", d.output_shape}}},
                                {"outputs", outputs},
                                {"metadata", meta}}
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return;
  }
  std::cout << o.describe << ": ONNX IR " << d.ir_version << ", opset " << d.opset << ", made by "
            << printable(d.producer, 80) << "\n"
            << "  input    '" << printable(d.input_name, 64) << "' " << dims(d.input_shape) << "\n"
            << "  output   '" << printable(d.output_name, 64) << "' " << dims(d.output_shape)
            << "\n";
  for (size_t i = 1; i < d.outputs.size(); ++i) {  // a detector's boxes
    std::cout << "  output   '" << printable(d.outputs[i].first, 64) << "' "
              << dims(d.outputs[i].second) << "\n";
  }
  for (const auto& [k, v] : d.metadata) {
    std::cout << "  " << printable(k, 64) << ": " << printable(v, 4000) << "\n";
  }
}

}  // namespace mnas::cli
