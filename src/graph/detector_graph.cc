#include "graph/detector_graph.h"

#include <string>
#include <vector>

#include "base/error.h"
#include "detection/ssdlite_layout.h"
#include "graph/graph_builder.h"

namespace mnas {

using graph_internal::GraphBuilder;

namespace {

// 3×3 depthwise → ReLU → 1×1 convolution to `outputs` (no ReLU): a prediction layer.
int prediction(GraphBuilder& g, const std::string& name, int x, int outputs) {
  x = g.depthwise(name + ".depthwise", x, 3, 1, /*relu=*/true);
  return g.conv(name + ".predict", x, outputs, 1, 1, /*relu=*/false);
}

}  // namespace

Graph lower_detector(const Architecture& backbone, int categories, const DefaultBoxOptions& boxes,
                     uint64_t seed) {
  if (categories < 1) throw Error::about("categories", std::to_string(categories) + " < 1");
  check_default_box_options(boxes);
  const NetworkPlan plan = plan_network(backbone);
  const SsdliteLayout layout = ssdlite_layout(plan);

  GraphBuilder g({backbone.input.height, backbone.input.width, backbone.input.channels}, seed);
  std::vector<int> maps;
  int x = graph_internal::lower_stem_ops(g, backbone, 0);
  size_t next_tap = 0;
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    x = graph_internal::lower_layer_ops(g, plan.layers[i], x);
    if (next_tap < layout.taps.size() && static_cast<int>(i) == layout.taps[next_tap]) {
      maps.push_back(x);
      ++next_tap;
    }
  }
  maps.push_back(graph_internal::lower_head_ops(g, backbone.head_filters, x));
  for (size_t i = layout.backbone_maps; i < layout.maps.size(); ++i) {
    const std::string name = detector_extra_name(static_cast<int>(i) - layout.backbone_maps);
    const int out = layout.maps[i].channels, mid = out / 2;
    int e = g.conv(name + ".reduce", maps.back(), mid, 1, 1, /*relu=*/true);
    e = g.depthwise(name + ".depthwise", e, 3, 2, /*relu=*/true);
    maps.push_back(g.conv(name + ".expand", e, out, 1, 1, /*relu=*/true));
  }

  std::vector<int> outputs;
  for (const char* kind : {"class", "box"}) {
    const bool scores = kind[0] == 'c';
    for (size_t i = 0; i < maps.size(); ++i) {
      const int per_cell = boxes_per_cell(boxes, static_cast<int>(i));
      MNAS_ASSERT(g.shape(maps[i]) == layout.maps[i]);
      outputs.push_back(prediction(g, detector_head_name(kind, static_cast<int>(i)), maps[i],
                                   per_cell * (scores ? categories + 1 : 4)));
    }
  }
  const int first = outputs.front();
  outputs.erase(outputs.begin());
  return g.finish(first, outputs);
}

}  // namespace mnas
