#ifndef MNAS_BASE_MEDIAN_H_
#define MNAS_BASE_MEDIAN_H_

#include <algorithm>
#include <vector>

#include "base/error.h"

namespace mnas {

// The median of a non-empty list (the mean of the middle two for an even count): the one
// definition every summary uses (a lookup table's check, a search's drift check and its T, the
// results), so that two of them cannot disagree on the same numbers.
inline double median(std::vector<double> v) {
  MNAS_ASSERT(!v.empty());
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  if (v.size() % 2 == 1) return v[mid];
  const double upper = v[mid];
  std::nth_element(v.begin(), v.begin() + mid - 1, v.end());
  return (v[mid - 1] + upper) / 2;
}

}  // namespace mnas

#endif  // MNAS_BASE_MEDIAN_H_
