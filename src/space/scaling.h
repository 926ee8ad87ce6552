#ifndef MNAS_SPACE_SCALING_H_
#define MNAS_SPACE_SCALING_H_

#include "space/architecture.h"

namespace mnas {

// The reference rounding rule for channel counts (tensorflow/tpu `round_filters`, torchvision
// `_make_divisible`): round `filters` to the nearest multiple of `divisor`, at least `divisor`, and
// never below 90% of `filters` (add one divisor if it would be).
// round_filters(32 * 1.4) = 48, round_filters(16 * 0.75) = 16, round_filters(40 * 0.5) = 24.
int round_filters(double filters, int divisor = 8);

// Scales the stem's and every block's filters by `multiplier` with round_filters. The head is
// scaled only when `scale_head` is true, and then never below its original width (MobileNetV2's
// rule); MnasNet keeps its head at 1280. Throws mnas::Error unless 0 < multiplier ≤ 4.
Architecture scale_depth(const Architecture& arch, double multiplier, bool scale_head = false);

// Throws mnas::Error naming `field` unless 0 < multiplier ≤ 4.
void validate_multiplier(double multiplier, const char* field = "multiplier");

}  // namespace mnas

#endif  // MNAS_SPACE_SCALING_H_
