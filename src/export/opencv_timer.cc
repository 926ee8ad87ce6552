// opencv_timer MODEL.onnx N,C,H,W [RUNS]: times an ONNX model with OpenCV DNN on one thread
// and prints {"median_ms": ..., "p90_ms": ..., "mean_ms": ..., "min_ms": ..., "runs": N} — the
// output contract of a cmd: device (export/command_device.h). The tests' stand-in for a
// deployment runtime; docs/devices.md has the recipes for real ones.
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <numeric>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: opencv_timer MODEL.onnx N,C,H,W [RUNS]\n");
    return 2;
  }
  cv::dnn::MatShape shape(4);
  if (std::sscanf(argv[2], "%d,%d,%d,%d", &shape[0], &shape[1], &shape[2], &shape[3]) != 4 ||
      *std::min_element(shape.begin(), shape.end()) < 1) {
    std::fprintf(stderr, "opencv_timer: the input shape must be N,C,H,W, e.g. 1,3,224,224\n");
    return 2;
  }
  const int runs = argc == 4 ? std::atoi(argv[3]) : 10;
  if (runs < 1 || runs > 100000) {
    std::fprintf(stderr, "opencv_timer: RUNS must be in [1, 100000]\n");
    return 2;
  }
  try {
    cv::setNumThreads(1);
    cv::dnn::Net net = cv::dnn::readNetFromONNX(argv[1]);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    cv::Mat input(4, shape.data(), CV_32F);
    cv::randu(input, 0.0f, 1.0f);
    std::vector<double> ms;
    for (int i = -2; i < runs; ++i) {  // two warm-up runs
      net.setInput(input, "input");
      const auto start = std::chrono::steady_clock::now();
      net.forward();
      const double t =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (i >= 0) ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / ms.size();
    const size_t p90 = std::min(ms.size() - 1, static_cast<size_t>(0.9 * ms.size()));
    std::printf("opencv_timer: %s, %d runs\n", argv[1], runs);
    std::printf("{\"median_ms\": %.6f, \"p90_ms\": %.6f, \"mean_ms\": %.6f, \"min_ms\": %.6f, "
                "\"runs\": %d}\n",
                ms[ms.size() / 2], ms[p90], mean, ms.front(), runs);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "opencv_timer: %s\n", e.what());
    return 1;
  }
}
