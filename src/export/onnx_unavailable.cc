// mnas_export in a build without ONNX (-DMNAS_WITH_ONNX=OFF, e.g. on a GPU machine that lacks
// Debian's libonnx: docs/gpu.md): every export is refused with the reason, so that `mnas export`
// and cmd: devices say what is missing instead of failing to link.
#include "base/error.h"
#include "export/onnx_export.h"

namespace mnas {

std::string export_onnx(const Architecture&, const WeightsFile*, const OnnxExportOptions&) {
  throw Error(
      "ONNX export: this mnas was built without ONNX (-DMNAS_WITH_ONNX=OFF); build it with "
      "Debian's libonnx-dev to export models or to use cmd: devices");
}

std::string export_detector_onnx(const Architecture&, const DefaultBoxOptions&, const WeightsFile*,
                                 const OnnxExportOptions&) {
  return export_onnx(Architecture(), nullptr, {});  // refuses, saying why
}

void write_detector_onnx_file(const std::string&, const Architecture& backbone,
                              const DefaultBoxOptions& boxes, const WeightsFile* weights,
                              const OnnxExportOptions& options) {
  export_detector_onnx(backbone, boxes, weights, options);
}

OnnxDescription describe_onnx_file(const std::string&) {
  throw Error("ONNX: this mnas was built without ONNX (-DMNAS_WITH_ONNX=OFF); build it with "
              "Debian's libonnx-dev to read ONNX files");
}

void write_onnx_file(const std::string&, const Architecture& arch, const WeightsFile* weights,
                     const OnnxExportOptions& options) {
  export_onnx(arch, weights, options);
}

}  // namespace mnas
