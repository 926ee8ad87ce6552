// libFuzzer: a COCO-format annotation file (data/coco_annotations.h) as `mnas train --dataset
// coco:PATH` and `mnas data check` read it. Whatever it holds, the reader either refuses it with an
// mnas::Error or returns annotations that keep its promises: categories in ascending id order,
// every object's category an index into them, every box with area inside its image.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/error.h"
#include "data/coco_annotations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const mnas::CocoAnnotations a = mnas::parse_coco_annotations(
        std::string_view(reinterpret_cast<const char*>(data), size), "input");
    if (a.categories.empty()) std::abort();
    for (size_t i = 1; i < a.categories.size(); ++i) {
      if (a.categories[i - 1].id >= a.categories[i].id) std::abort();
    }
    for (const mnas::CocoImage& image : a.images) {
      for (const mnas::CocoObject& o : image.objects) {
        if (o.category < 0 || static_cast<size_t>(o.category) >= a.categories.size()) std::abort();
        if (!(o.box.w > 0 && o.box.h > 0 && o.box.x >= 0 && o.box.y >= 0)) std::abort();
        if (o.box.x + o.box.w > image.width || o.box.y + o.box.h > image.height) std::abort();
      }
    }
  } catch (const mnas::Error&) {
  }
  return 0;
}
