#include "search/fidelity.h"

#include <algorithm>
#include <map>
#include <utility>

#include "base/median.h"

namespace mnas {

int64_t rung_holdout(int64_t holdout, int64_t images, int64_t last_images) {
  if (holdout <= 0 || images >= last_images) return holdout;
  const int64_t share = (holdout * images + last_images - 1) / last_images;
  return std::min(holdout, std::max(kMinRungHoldout, share));
}

int promoted_count(int pool, int keep) { return pool <= 0 ? 0 : (pool + keep - 1) / keep; }

double rung_gain(const std::vector<StoredRung>& rungs, int rung, int last) {
  std::map<std::pair<int, int>, double> at_rung, at_last;  // (step, index) → accuracy
  for (const StoredRung& r : rungs) {
    if (r.status != "done") continue;
    if (r.rung == rung) at_rung[{r.step, r.index}] = r.accuracy;
    if (r.rung == last) at_last[{r.step, r.index}] = r.accuracy;
  }
  std::vector<double> gains;
  for (const auto& [key, accuracy] : at_last) {
    const auto it = at_rung.find(key);
    if (it != at_rung.end()) gains.push_back(accuracy - it->second);
  }
  return gains.empty() ? 0 : median(gains);
}

std::vector<RungSummary> summarize_rungs(const std::vector<StoredRung>& rungs,
                                         const std::vector<int64_t>& rung_images) {
  std::vector<RungSummary> out;
  const int last = static_cast<int>(rung_images.size()) - 1;
  for (int k = 0; k <= last; ++k) {
    RungSummary summary;
    summary.images = rung_images[k];
    std::vector<double> accuracy;
    for (const StoredRung& r : rungs) {
      if (r.rung != k) continue;
      ++summary.evaluated;
      summary.seconds += r.seconds;
      if (r.status == "done") {
        accuracy.push_back(r.accuracy);
      } else {
        ++summary.failed;
      }
    }
    std::sort(accuracy.begin(), accuracy.end());
    summary.median_accuracy = accuracy.empty() ? 0.0 : median(accuracy);
    summary.gain_to_last = k == last ? 0.0 : rung_gain(rungs, k, last);
    out.push_back(summary);
  }
  return out;
}

}  // namespace mnas
