#include "data/scene_generator.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <stb/stb_image_write.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"

namespace mnas {
namespace {

// Uniform integer in [lo, hi] from the generator's raw output (std::uniform_int_distribution's
// algorithm is the library's own; this one is the same everywhere). The modulo bias is below
// 2^-50 for the ranges used here.
int uniform(std::mt19937_64& rng, int lo, int hi) {
  return lo + static_cast<int>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

// Bilinear resize of a side×side grey image to `to`×`to` (pixel centres aligned).
std::vector<uint8_t> resize_square(const uint8_t* src, int side_in, int to) {
  std::vector<uint8_t> out(size_t(to) * to);
  const double scale = double(side_in) / to;
  for (int y = 0; y < to; ++y) {
    const double fy = std::clamp((y + 0.5) * scale - 0.5, 0.0, side_in - 1.0);
    const int y0 = static_cast<int>(fy), y1 = std::min(y0 + 1, side_in - 1);
    const double wy = fy - y0;
    for (int x = 0; x < to; ++x) {
      const double fx = std::clamp((x + 0.5) * scale - 0.5, 0.0, side_in - 1.0);
      const int x0 = static_cast<int>(fx), x1 = std::min(x0 + 1, side_in - 1);
      const double wx = fx - x0;
      const double top = src[y0 * side_in + x0] * (1 - wx) + src[y0 * side_in + x1] * wx;
      const double bottom = src[y1 * side_in + x0] * (1 - wx) + src[y1 * side_in + x1] * wx;
      out[size_t(y) * to + x] = static_cast<uint8_t>(std::lround(top * (1 - wy) + bottom * wy));
    }
  }
  return out;
}

bool covers_too_much(const Box& box, const std::vector<CocoObject>& placed) {
  for (const CocoObject& o : placed) {
    const double shared = intersection_area(box, o.box);
    if (shared > kSceneMaxCover * area(o.box) || shared > kSceneMaxCover * area(box)) return true;
  }
  return false;
}

void range(const char* field, int value, int lo, int hi) {
  if (value < lo || value > hi) {
    throw Error::about(field, std::to_string(value) + " out of [" + std::to_string(lo) + ", " +
                                  std::to_string(hi) + "]");
  }
}

void make_folder(const std::string& path) {
  if (::mkdir(path.c_str(), 0777) != 0) {
    throw Error("cannot create folder '" + path + "' (" + std::strerror(errno) + ")",
                Error::Kind::kIo);
  }
}

std::string encode_png(const std::vector<uint8_t>& grey, int side) {
  std::string png;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
  };
  if (!stbi_write_png_to_func(append, &png, side, side, 1, grey.data(), side)) {
    throw Error("cannot encode a scene as PNG", Error::Kind::kIo);
  }
  return png;
}

}  // namespace

void check_scene_options(const SceneOptions& o) {
  range("size", o.size, 16, 1024);
  range("min_objects", o.min_objects, 1, 64);
  range("max_objects", o.max_objects, o.min_objects, 64);
  range("min_side", o.min_side, 4, o.size);
  range("max_side", o.max_side, o.min_side, o.size);
}

Scene draw_scene(const RawImages& source, const SceneOptions& o, std::mt19937_64& rng) {
  MNAS_ASSERT(source.channels == 1 && source.height == source.width && !source.labels.empty());
  const int side_in = source.height;
  const size_t image_bytes = size_t(side_in) * side_in;
  Scene scene;
  scene.pixels.assign(size_t(o.size) * o.size, 0);
  const int wanted = uniform(rng, o.min_objects, o.max_objects);
  for (int k = 0; k < wanted; ++k) {
    for (int attempt = 0; attempt < kScenePlacementTries; ++attempt) {
      const int index = uniform(rng, 0, static_cast<int>(source.labels.size()) - 1);
      const int side = uniform(rng, o.min_side, o.max_side);
      const int left = uniform(rng, 0, o.size - side), top = uniform(rng, 0, o.size - side);
      const std::vector<uint8_t> object =
          resize_square(source.pixels.data() + index * image_bytes, side_in, side);
      int x0 = side, y0 = side, x1 = -1, y1 = -1;
      for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x) {
          if (object[size_t(y) * side + x] < kSceneVisible) continue;
          x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
        }
      }
      if (x1 < 0) continue;  // nothing visible at this size
      const Box box{double(left + x0), double(top + y0), double(x1 - x0 + 1), double(y1 - y0 + 1)};
      if (covers_too_much(box, scene.objects)) continue;
      for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x) {
          uint8_t& p = scene.pixels[size_t(top + y) * o.size + left + x];
          p = std::max(p, object[size_t(y) * side + x]);
        }
      }
      scene.objects.push_back({static_cast<int>(source.labels[index]), box});
      break;
    }
  }
  return scene;
}

void write_scene_split(const RawImages& source, const std::vector<std::string>& class_names,
                       const SceneOptions& options, int count, const std::string& root,
                       const std::string& split, const std::function<void(int, int)>& progress) {
  check_scene_options(options);
  if (source.channels != 1 || source.height != source.width || source.labels.empty()) {
    throw Error("scenes are made from square grey images (Fashion-MNIST, MNIST)");
  }
  for (int64_t label : source.labels) MNAS_ASSERT(label >= 0 && size_t(label) < class_names.size());
  const CocoSplitPaths paths = coco_split_paths(root, split);
  for (const std::string& p : {paths.annotations, paths.images}) {
    if (path_exists(p)) throw Error("'" + p + "' exists: scenes are written only to a new split");
  }
  make_folder(paths.images);

  // Each split its own sequence: FNV-1a of the split's name (std::hash differs between standard
  // libraries), then SplitMix64's finaliser spreads (seed, split) apart.
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : split) h = (h ^ c) * 0x100000001B3ull;
  uint64_t z = options.seed * 0x9E3779B97F4A7C15ull + h;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  std::mt19937_64 rng(z ^ (z >> 31));

  nlohmann::json images = nlohmann::json::array(), annotations = nlohmann::json::array();
  int64_t annotation_id = 0;
  for (int i = 1; i <= count; ++i) {
    const Scene scene = draw_scene(source, options, rng);
    char name[32];
    std::snprintf(name, sizeof name, "%06d.png", i);
    write_file_atomically(paths.images + "/" + name, encode_png(scene.pixels, options.size),
                          "scene");
    images.push_back(
        {{"id", i}, {"file_name", name}, {"width", options.size}, {"height", options.size}});
    for (const CocoObject& o : scene.objects) {
      annotations.push_back({{"id", ++annotation_id},
                             {"image_id", i},
                             {"category_id", o.category + 1},
                             {"bbox", {o.box.x, o.box.y, o.box.w, o.box.h}},
                             {"area", area(o.box)},
                             {"iscrowd", 0}});
    }
    if (progress && (i % 500 == 0 || i == count)) progress(i, count);
  }
  nlohmann::json categories = nlohmann::json::array();
  for (size_t c = 0; c < class_names.size(); ++c) {
    categories.push_back({{"id", c + 1}, {"name", class_names[c]}});
  }
  const nlohmann::json doc{{"info",
                            {{"description", "mnas detection scenes (" + split + ")"},
                             {"generator",
                              {{"size", options.size},
                               {"min_objects", options.min_objects},
                               {"max_objects", options.max_objects},
                               {"min_side", options.min_side},
                               {"max_side", options.max_side},
                               {"seed", options.seed}}}}},
                           {"images", images},
                           {"annotations", annotations},
                           {"categories", categories}};
  write_file_atomically(paths.annotations, doc.dump() + "\n", "COCO annotations");
}

}  // namespace mnas
