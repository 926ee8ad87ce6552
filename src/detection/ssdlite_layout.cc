#include "detection/ssdlite_layout.h"

#include <algorithm>

#include "base/error.h"

namespace mnas {
namespace {

// SSDLite's extra layers' output widths (MobileNetV2's paper), the first four at most.
constexpr int kExtraWidths[] = {512, 256, 256, 128};
constexpr int kMaxExtras = 4;

int halved(int side) { return (side + 1) / 2; }  // 3×3, stride 2, padding 1

}  // namespace

std::vector<FeatureMapSize> SsdliteLayout::sizes() const {
  std::vector<FeatureMapSize> out;
  for (const TensorShape& m : maps) out.push_back({m.height, m.width});
  return out;
}

std::string detector_extra_name(int index) { return "extra" + std::to_string(index + 1); }

std::string detector_head_name(const std::string& kind, int index) {
  return kind + std::to_string(index + 1);
}

std::vector<int> ssdlite_taps(const NetworkPlan& plan) {
  std::vector<int> taps;
  for (size_t i = plan.layers.size(); i-- > 0 && taps.size() < 2;) {
    const int h = plan.layers[i].out.height;
    const int above = taps.empty() ? plan.head_out.height : plan.layers[taps.back()].out.height;
    if (h > above) taps.push_back(static_cast<int>(i));
  }
  std::reverse(taps.begin(), taps.end());
  return taps;
}

SsdliteLayout ssdlite_layout(const NetworkPlan& plan) {
  SsdliteLayout layout;
  layout.taps = ssdlite_taps(plan);
  if (layout.taps.empty()) {
    throw Error("the architecture keeps one resolution from its first layer to its head: a "
                "detector needs feature maps of two (a layer before the last stride)");
  }
  for (int t : layout.taps) layout.maps.push_back(plan.layers[t].out);
  layout.maps.push_back(plan.head_out);
  layout.backbone_maps = static_cast<int>(layout.maps.size());
  for (int i = 0; i < kMaxExtras; ++i) {
    const TensorShape& last = layout.maps.back();
    if (std::max(last.height, last.width) <= 1) break;
    layout.maps.push_back({halved(last.height), halved(last.width), kExtraWidths[i]});
  }
  return layout;
}

SsdliteLayout ssdlite_layout(const Architecture& backbone) {
  return ssdlite_layout(plan_network(backbone));
}

}  // namespace mnas
