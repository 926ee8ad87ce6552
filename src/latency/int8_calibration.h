#ifndef MNAS_LATENCY_INT8_CALIBRATION_H_
#define MNAS_LATENCY_INT8_CALIBRATION_H_

// Post-training quantization's calibration: the fp32 network of a trained graph runs on
// calibration images with every value observed, and the ranges become the int8 network's
// quantization (graph/quantization.h; XnnpackNetwork's int8 constructor uses it).

#include <cstdint>
#include <functional>

#include "graph/graph.h"
#include "graph/quantization.h"

namespace mnas {

// Runs `graph` in fp32 (XNNPACK) on `images` images, `fill(i, input)` writing image i into the
// input (NHWC, graph.values[graph.input].elements() floats), and reads every value's range by
// `method`. Throws mnas::Error for images < 1, or when a value is not finite (a diverged
// network).
Int8Calibration calibrate_int8(const Graph& graph, int64_t images,
                               const std::function<void(int64_t, float*)>& fill,
                               CalibrationMethod method, int threads = 1);

}  // namespace mnas

#endif  // MNAS_LATENCY_INT8_CALIBRATION_H_
