#include "space/scaling.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "base/number_format.h"

namespace mnas {

int round_filters(double filters, int divisor) {
  int rounded = std::max(divisor, static_cast<int>(filters + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * filters) rounded += divisor;
  return rounded;
}

void validate_multiplier(double multiplier, const char* field) {
  if (!std::isfinite(multiplier) || multiplier <= 0.0 || multiplier > 4.0) {
    throw Error(std::string(field) + ": " + format_double(multiplier) +
                " is out of range; must be in (0, 4]");
  }
}

Architecture scale_depth(const Architecture& arch, double multiplier, bool scale_head) {
  validate_multiplier(multiplier);
  Architecture scaled = arch;
  scaled.stem_filters = round_filters(arch.stem_filters * multiplier);
  for (BlockSpec& block : scaled.blocks) block.filters = round_filters(block.filters * multiplier);
  if (scale_head) {
    scaled.head_filters =
        std::max(arch.head_filters, round_filters(arch.head_filters * multiplier));
  }
  validate(scaled);
  return scaled;
}

}  // namespace mnas
