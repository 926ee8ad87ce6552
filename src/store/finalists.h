#ifndef MNAS_STORE_FINALISTS_H_
#define MNAS_STORE_FINALISTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/trial.h"

namespace mnas {

// One network `mnas finalize` trains fully and measures: a search's candidate or a zoo model, at
// one depth multiplier and input size (search/finalize.h). The store keeps the list (its
// `finalists` entry, as JSON), so that a finalize that was stopped goes on where it stopped and
// `mnas report` draws them. Torch-free: the report reads it.
struct FinalVariant {
  std::string model;         // "trial 12" or a zoo name ("mobilenetv2")
  int64_t trial = 0;         // the candidate's trial id; 0 for a zoo model
  double multiplier = 1.0;   // depth multiplier (space/scaling.h)
  int input = 0;             // the square input side it was trained and measured at
  std::string canonical;     // the scaled architecture
  std::string recipe;        // what it was trained with ("full: 30 epochs, all images")
  std::string checkpoint;    // the trained network (mnas export, mnas eval take it)
  std::string status = "pending";  // pending | done | failed
  std::string failure;             // why, for failed
  double test_top1 = 0, test_top5 = 0;  // on the data set's test split
  int64_t params = 0, macs = 0;
  double train_seconds = 0;
  std::vector<DeviceLatency> latencies;  // one per device of the search
  double latency_ms = 0;                 // the first device's
  // The arithmetic it was compared in: "fp32", or "int8" (test accuracy that of the
  // post-training-quantized int8 network, latency measured in int8). Lists from before int8
  // read "fp32".
  std::string precision = "fp32";
  double fp32_top1 = 0;  // int8 only: the same checkpoint's fp32 test accuracy

  // What identifies the training: the same architecture trained the same way (an fp32 and an
  // int8 variant share their checkpoint).
  std::string training_key() const { return canonical + "|" + recipe; }
  // What identifies the work: that training, compared in its precision (fp32 keys are those of
  // lists from before int8).
  std::string key() const { return training_key() + (precision == "fp32" ? "" : "|" + precision); }
};

// The JSON the store keeps: {"format": "mnas-finalists/1", "variants": [...]}, and back. Reading
// validates every field (names, statuses, finite numbers in range, the architecture strings)
// and throws mnas::Error naming `where` and the field.
std::string finalists_json(const std::vector<FinalVariant>& variants);
std::vector<FinalVariant> parse_finalists(const std::string& text, const std::string& where);

// The accuracy of the zoo model `model`'s variants at `latency_ms`, read off their curve (test
// accuracy against latency, linear between neighbouring done variants, sorted by latency); NaN
// outside the curve's latency range or with fewer than two points. How a finalist compares
// with, say, MobileNetV2 "at equal latency".
double accuracy_at_latency(const std::vector<FinalVariant>& variants, const std::string& model,
                           double latency_ms);

}  // namespace mnas

#endif  // MNAS_STORE_FINALISTS_H_
