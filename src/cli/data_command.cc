// `mnas data`: detection data — make the Fashion-MNIST scenes, check a COCO-format data set.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/number_format.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "data/coco_annotations.h"
#include "data/coco_images.h"
#include "data/dataset.h"
#include "data/idx_reader.h"
#include "data/scene_generator.h"

namespace mnas::cli {
namespace {

constexpr const char* kCocoPrefix = "coco:";
constexpr const char* kDefaultFashionMnist = "/usr/share/datasets/fashion-mnist";

struct MakeScenesOptions {
  std::string out;
  std::string source = "fashion-mnist";
  std::string data_dir;
  int train = 10000;
  int test = 2000;
  SceneOptions scene;
  bool json = false;
};

struct CheckOptions {
  std::string dataset;
  bool json = false;
};

// "max_side" -> "--max-side": the library names its fields, the command line its flags.
[[noreturn]] void rethrow_as_flag(const Error& e) {
  std::string flag = e.field();
  std::replace(flag.begin(), flag.end(), '_', '-');
  const std::string message = e.what();
  throw Error::about("--" + flag, message.substr(e.field().size() + 2), e.kind());
}

// A new folder, or an existing empty one: scenes are not mixed into anything else.
void prepare_out(const std::string& out) {
  struct stat st;
  if (::stat(out.c_str(), &st) != 0) {
    if (::mkdir(out.c_str(), 0777) != 0) {
      throw Error("--out: cannot create '" + out + "' (" + std::strerror(errno) + ")",
                  Error::Kind::kIo);
    }
    return;
  }
  if (!S_ISDIR(st.st_mode)) throw Error("--out: '" + out + "' exists and is not a folder");
  for (const char* split : {"train", "test"}) {
    const CocoSplitPaths p = coco_split_paths(out, split);
    if (path_exists(p.annotations) || path_exists(p.images)) {
      throw Error("--out: '" + out + "' already holds a " + split +
                  " split; scenes are written only to a new or empty folder");
    }
  }
}

void run_make_scenes(const MakeScenesOptions& o) {
  try {
    check_scene_options(o.scene);
  } catch (const Error& e) {
    if (e.field().empty()) throw;
    rethrow_as_flag(e);
  }
  if (o.source != "fashion-mnist" && o.source != "mnist") {
    throw Error("--source: unknown '" + o.source +
                "'; use fashion-mnist or mnist (grey objects on black)");
  }
  if (o.source == "mnist" && o.data_dir.empty()) throw Error("--data-dir: required for mnist");
  const std::string dir = o.data_dir.empty() ? kDefaultFashionMnist : o.data_dir;
  const std::vector<std::string> names = dataset_labels(o.source);
  prepare_out(o.out);

  nlohmann::ordered_json splits = nlohmann::ordered_json::object();
  for (const auto& [split, count] :
       {std::pair<const char*, int>{"train", o.train}, {"test", o.test}}) {
    if (count == 0) continue;
    const RawImages source = read_idx_split(dir, std::string(split) == "train");
    write_scene_split(source, names, o.scene, count, o.out, split, [&](int done, int total) {
      if (!o.json) std::cerr << "mnas: " << split << " scenes " << done << "/" << total << "\n";
    });
    const CocoAnnotations written =
        read_coco_annotations(coco_split_paths(o.out, split).annotations);
    int64_t objects = 0;
    for (const CocoImage& image : written.images) objects += image.objects.size();
    splits[split] = {{"images", count}, {"objects", objects}};
  }
  if (o.json) {
    std::cout << nlohmann::ordered_json{{"out", o.out},
                                        {"dataset", kCocoPrefix + o.out},
                                        {"splits", splits}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "Wrote " << o.out << ": ";
  bool first = true;
  for (const auto& [split, s] : splits.items()) {
    std::cout << (first ? "" : ", ") << group_thousands(s["images"].get<int64_t>()) << " " << split
              << " scenes (" << group_thousands(s["objects"].get<int64_t>()) << " objects)";
    first = false;
  }
  std::cout << ", " << o.scene.size << "x" << o.scene.size << " grey, " << o.scene.min_objects
            << "-" << o.scene.max_objects << " " << o.source << " objects each, "
            << o.scene.min_side << "-" << o.scene.max_side << " px, seed " << o.scene.seed
            << ".\nCOCO JSON beside each split's images; check it with `mnas data check coco:"
            << o.out << "`.\n";
}

// Counts of one split, every image's header checked against its annotation.
// Objects per category name, in the order the data set lists them: train, test.
struct CategoryCounts {
  std::vector<std::string> order;
  std::map<std::string, std::vector<int64_t>> counts;
  std::vector<int64_t>& of(const std::string& name) {
    auto [it, added] = counts.try_emplace(name, std::vector<int64_t>(2, 0));
    if (added) order.push_back(name);
    return it->second;
  }
};

nlohmann::ordered_json check_split(const std::string& root, const std::string& split,
                                   CategoryCounts* per_category) {
  const CocoSplitPaths p = coco_split_paths(root, split);
  const CocoAnnotations a = read_coco_annotations(p.annotations);
  for (const CocoCategory& c : a.categories) per_category->of(c.name);
  int64_t objects = 0, empty = 0;
  double min_side = 0, max_side = 0;
  for (const CocoImage& image : a.images) {
    coco_image_header(image, p.images);
    if (image.objects.empty()) ++empty;
    for (const CocoObject& o : image.objects) {
      const double side = std::sqrt(area(o.box));
      min_side = objects == 0 ? side : std::min(min_side, side);
      max_side = std::max(max_side, side);
      ++objects;
      ++per_category->of(a.categories[o.category].name)[split == "train" ? 0 : 1];
    }
  }
  return {{"images", a.images.size()},        {"objects", objects},
          {"images_without_objects", empty},  {"crowd_skipped", a.crowd_skipped},
          {"boxes_clipped", a.boxes_clipped}, {"categories", a.categories.size()},
          {"box_side_min", min_side},         {"box_side_max", max_side}};
}

void run_check(const CheckOptions& o) {
  if (o.dataset.rfind(kCocoPrefix, 0) != 0 || o.dataset.size() == std::strlen(kCocoPrefix)) {
    throw Error(
        "DATASET: expected coco:PATH (PATH/train.json with images in PATH/train/, "
        "PATH/test.json with PATH/test/)");
  }
  const std::string root = o.dataset.substr(std::strlen(kCocoPrefix));
  CategoryCounts per_category;
  nlohmann::ordered_json splits = nlohmann::ordered_json::object();
  for (const char* split : {"train", "test"}) {
    const CocoSplitPaths p = coco_split_paths(root, split);
    if (std::string(split) == "test" && !path_exists(p.annotations)) continue;  // optional
    splits[split] = check_split(root, split, &per_category);
  }
  if (o.json) {
    nlohmann::ordered_json categories = nlohmann::ordered_json::object();
    for (const std::string& name : per_category.order) {
      const std::vector<int64_t>& counts = per_category.of(name);
      categories[name] = {{"train", counts[0]}, {"test", counts[1]}};
    }
    std::cout << nlohmann::ordered_json{{"dataset", o.dataset},
                                        {"splits", splits},
                                        {"objects_per_category", categories}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << o.dataset << ": every image read and its size checked against its annotation\n\n";
  Table summary(
      {"split", "images", "objects", "without objects", "crowd skipped", "clipped", "box side px"},
      {false, true, true, true, true, true, true});
  for (const auto& [split, s] : splits.items()) {
    summary.add_row({split, group_thousands(s["images"].get<int64_t>()),
                     group_thousands(s["objects"].get<int64_t>()),
                     group_thousands(s["images_without_objects"].get<int64_t>()),
                     group_thousands(s["crowd_skipped"].get<int64_t>()),
                     group_thousands(s["boxes_clipped"].get<int64_t>()),
                     format_double(std::round(s["box_side_min"].get<double>() * 10) / 10) + "-" +
                         format_double(std::round(s["box_side_max"].get<double>() * 10) / 10)});
  }
  std::cout << summary.render() << "\n";
  Table categories({"category", "train objects", "test objects"}, {false, true, true});
  for (const std::string& name : per_category.order) {
    const std::vector<int64_t>& counts = per_category.of(name);
    categories.add_row({name, group_thousands(counts[0]), group_thousands(counts[1])});
  }
  std::cout << categories.render();
}

}  // namespace

void add_data_command(CLI::App& app) {
  CLI::App* data =
      app.add_subcommand("data", "Detection data: make scenes, check a COCO-format set");
  data->require_subcommand(1);

  const auto [m, make] = add_subcommand<MakeScenesOptions>(
      *data, "make-scenes",
      "Write a detection data set made from Fashion-MNIST: grey scenes with 1-6 garments pasted "
      "at random sizes and places, their exact boxes in COCO's JSON format (deterministic: the "
      "same options write the same files)",
      run_make_scenes);
  make->add_option("--out", m->out,
                   "Folder to write (new or empty): OUT/train.json, OUT/train/*.png, "
                   "OUT/test.json, OUT/test/*.png")
      ->required();
  make->add_option("--source", m->source,
                   "Objects to paste: fashion-mnist (default) or mnist (needs --data-dir)");
  make->add_option(
      "--data-dir", m->data_dir,
      "Folder of the source's IDX files (default " + std::string(kDefaultFashionMnist) + ")");
  make->add_option("--train", m->train,
                   "Training scenes, from the source's training images (default 10000)")
      ->check(CLI::Range(0, 10'000'000));
  make->add_option("--test", m->test, "Test scenes, from the source's test images (default 2000)")
      ->check(CLI::Range(0, 10'000'000));
  make->add_option("--size", m->scene.size, "Scene side in pixels (default 96; in [16, 1024])");
  make->add_option("--min-objects", m->scene.min_objects, "Fewest objects per scene (default 1)");
  make->add_option("--max-objects", m->scene.max_objects,
                   "Most objects per scene (default 6; at most 64)");
  make->add_option("--min-side", m->scene.min_side,
                   "Smallest pasted object side in pixels (default 20; the source's is 28)");
  make->add_option("--max-side", m->scene.max_side,
                   "Largest pasted object side in pixels (default 56; at most --size)");
  make->add_option("--seed", m->scene.seed,
                   "Seed (default 1); each split draws its own sequence from it");
  make->add_flag("--json", m->json, "Print what was written as JSON (no progress lines)");

  const auto [c, check] = add_subcommand<CheckOptions>(
      *data, "check",
      "Read a COCO-format detection data set as training would — every annotation validated, "
      "every image's size checked against it — and count its images, objects and categories",
      run_check);
  check
      ->add_option("DATASET", c->dataset,
                   "coco:PATH — PATH/train.json with its images in PATH/train/, and optionally "
                   "PATH/test.json with PATH/test/")
      ->required();
  check->add_flag("--json", c->json, "Machine-readable output");
}

}  // namespace mnas::cli
