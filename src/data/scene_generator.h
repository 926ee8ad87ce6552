#ifndef MNAS_DATA_SCENE_GENERATOR_H_
#define MNAS_DATA_SCENE_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "data/coco_annotations.h"
#include "data/coco_images.h"
#include "data/raw_images.h"

namespace mnas {

// Detection scenes made from a classification set of small grey objects on black (Fashion-MNIST,
// MNIST): each scene a size×size grey image with a few objects pasted at random sizes and places
// (brighter pixel wins where they meet), each object's box the extent of its visible pixels.
struct SceneOptions {
  int size = 96;  // scene side in pixels
  int min_objects = 1, max_objects = 6;
  int min_side = 20, max_side = 56;  // a pasted object's side in pixels (Fashion-MNIST's is 28)
  uint64_t seed = 1;
};

// A pasted object's pixels at least this bright (of 255) are visible and inside its box.
constexpr int kSceneVisible = 16;
// A placement is tried again when its box would cover more than this share of an earlier object's
// box, or an earlier box would cover that much of it (objects stay recognisable); after
// kScenePlacementTries tries the scene keeps the objects it has.
constexpr double kSceneMaxCover = 0.3;
constexpr int kScenePlacementTries = 20;

struct Scene {
  std::vector<uint8_t> pixels;  // size×size, grey
  std::vector<CocoObject> objects;
};

// Throws mnas::Error naming the field ("size", "max_side", ...) for options out of range: size in
// [16, 1024], 1 ≤ min_objects ≤ max_objects ≤ 64, 4 ≤ min_side ≤ max_side ≤ size.
void check_scene_options(const SceneOptions& options);

// One scene drawn from `source` with `rng` (a std::mt19937_64, whose sequence the standard fixes:
// the same seed gives the same scenes everywhere).
Scene draw_scene(const RawImages& source, const SceneOptions& options, std::mt19937_64& rng);

// Writes `count` scenes as `root`/<split>/NNNNNN.png and their COCO annotations as
// `root`/<split>.json (written last: a split without its JSON is an interrupted one), categories
// numbered from 1 in the order of `class_names`. The seed of a split is derived from
// options.seed and `split`, so train and test scenes differ. Refuses (Error) to write into a
// split that exists. Calls progress(done, count) every few hundred scenes.
void write_scene_split(const RawImages& source, const std::vector<std::string>& class_names,
                       const SceneOptions& options, int count, const std::string& root,
                       const std::string& split,
                       const std::function<void(int, int)>& progress = nullptr);

}  // namespace mnas

#endif  // MNAS_DATA_SCENE_GENERATOR_H_
