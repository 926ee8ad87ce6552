// The COCO-format reader (coco_annotations.h, coco_images.h) and the scene generator
// (scene_generator.h): torch-free, so this test links only mnas_data_formats.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include <stb/stb_image_write.h>
#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "data/coco_annotations.h"
#include "data/coco_images.h"
#include "data/scene_generator.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

using testing::error_of;
using Json = nlohmann::json;

// A valid document: two categories (given out of id order), two images (the second without
// objects), one object each of two kinds, a crowd region, keys COCO has that mnas does not read.
Json valid_doc() {
  return Json::parse(R"({
    "info": {"year": 2017}, "licenses": [],
    "categories": [{"id": 7, "name": "boot", "supercategory": "garment"}, {"id": 3, "name": "shirt"}],
    "images": [{"id": 11, "file_name": "a/one.png", "width": 40, "height": 30, "license": 1},
               {"id": 12, "file_name": "two.png", "width": 20, "height": 20}],
    "annotations": [
      {"id": 1, "image_id": 11, "category_id": 7, "bbox": [1, 2, 10, 5], "area": 50, "segmentation": []},
      {"id": 2, "image_id": 11, "category_id": 3, "bbox": [30.5, -0.5, 10, 4], "iscrowd": 0},
      {"id": 3, "image_id": 11, "category_id": 3, "bbox": [0, 0, 40, 30], "iscrowd": 1}
    ]})");
}

std::string parse_error(const Json& doc) {
  return error_of([&] { parse_coco_annotations(doc.dump(), "COCO annotations 'x.json'"); });
}

TEST(CocoAnnotations, ReadsImagesObjectsAndCategoriesInLabelOrder) {
  const CocoAnnotations a = parse_coco_annotations(valid_doc().dump(), "doc");
  ASSERT_EQ(a.categories.size(), 2u);
  EXPECT_EQ(a.categories[0].id, 3);  // ascending id: label 0 is "shirt"
  EXPECT_EQ(a.categories[0].name, "shirt");
  EXPECT_EQ(a.categories[1].name, "boot");
  ASSERT_EQ(a.images.size(), 2u);
  EXPECT_EQ(a.images[0].id, 11);
  EXPECT_EQ(a.images[0].file_name, "a/one.png");
  ASSERT_EQ(a.images[0].objects.size(), 2u);
  EXPECT_EQ(a.images[0].objects[0].category, 1);  // boot
  EXPECT_EQ(a.images[0].objects[0].box.x, 1);
  EXPECT_EQ(a.images[0].objects[0].box.h, 5);
  // Half a pixel out on two sides: clipped to the image, counted.
  const Box clipped = a.images[0].objects[1].box;
  EXPECT_EQ(clipped.x, 30.5);
  EXPECT_EQ(clipped.y, 0);
  EXPECT_EQ(clipped.w, 9.5);
  EXPECT_EQ(clipped.h, 3.5);
  EXPECT_EQ(a.boxes_clipped, 1);
  EXPECT_EQ(a.crowd_skipped, 1);
  EXPECT_TRUE(a.images[1].objects.empty());  // an image without objects is kept
}

TEST(CocoAnnotations, RefusesMalformedDocumentsNamingTheField) {
  EXPECT_NE(error_of([] {
              parse_coco_annotations("{\"images\": [", "COCO annotations 'x.json'");
            }).find("COCO annotations 'x.json'"),
            std::string::npos);
  struct Case {
    const char* pointer;  // JSON pointer to replace, or "-key" to remove a top-level key
    Json value;
    const char* expected;
  };
  const Case cases[] = {
      {"-images", nullptr, "images: missing"},
      {"/categories", Json::array(), "categories: empty"},
      {"/categories/1/id", 7, "categories: id 7 given twice"},
      {"/categories/1/name", "boot", "categories[1].name: 'boot' is the name of another category"},
      {"/categories/0/name", 5, "categories[0].name"},
      {"/images/1/id", 11, "images[1].id: id 11 given twice"},
      {"/images/1/id", -4, "images[1].id: id -4 out of"},
      {"/images/1/id", "12", "images[1].id: expected an integer id, got string"},
      {"/images/1/file_name", "a/one.png", "images[1].file_name: 'a/one.png' is listed twice"},
      {"/images/1/file_name", "../two.png", "leaves the image folder"},
      {"/images/1/file_name", "a/../../two.png", "leaves the image folder"},
      {"/images/1/file_name", "/etc/passwd", "is absolute"},
      {"/images/1/file_name", "", "images[1].file_name: empty file name"},
      {"/images/1/width", 0, "images[1].width"},
      {"/annotations/0/image_id", 99, "annotations[0].image_id: no image has id 99"},
      {"/annotations/0/category_id", 4, "annotations[0].category_id: no category has id 4"},
      {"/annotations/0/bbox", Json::array({1, 2, 3}),
       "annotations[0].bbox: expected [x, y, width, height], got 3"},
      {"/annotations/0/bbox/2", "10", "annotations[0].bbox[2]"},
      {"/annotations/0/bbox/2", 0, "annotations[0].bbox: [1, 2, 0, 5] has no area"},
      {"/annotations/0/bbox/3", -1, "has no area"},
      {"/annotations/0/bbox/0", 35,
       "annotations[0].bbox: [35, 2, 10, 5] reaches outside image 11 ('a/one.png', 40x30)"},
      {"/annotations/0/bbox/1", -1.5, "reaches outside image 11"},
      {"/annotations/0/bbox", Json::array({-1, 0, 0.5, 3}), "has no area inside image 11"},
      {"/annotations/0/iscrowd", 2, "annotations[0].iscrowd"},
      {"-annotations", nullptr, "annotations: missing"},
  };
  for (const Case& c : cases) {
    Json doc = valid_doc();
    if (c.pointer[0] == '-') {
      doc.erase(c.pointer + 1);
    } else {
      doc[Json::json_pointer(c.pointer)] = c.value;
    }
    const std::string error = parse_error(doc);
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.pointer << ": " << error;
    EXPECT_EQ(error.rfind("COCO annotations 'x.json': ", 0), 0u) << error;
  }
  Json nul = valid_doc();
  nul["images"][1]["file_name"] = std::string("two\0.png", 8);
  EXPECT_NE(parse_error(nul).find("NUL"), std::string::npos);
  EXPECT_NE(error_of([] {
              read_coco_annotations("/nonexistent/train.json");
            }).find("/nonexistent/train.json"),
            std::string::npos);
}

void write_png(const std::string& path, int width, int height, uint8_t value) {
  const std::vector<uint8_t> pixels(size_t(width) * height, value);
  ASSERT_TRUE(stbi_write_png(path.c_str(), width, height, 1, pixels.data(), width));
}

TEST(CocoImages, DecodesResizesAndScalesTheBoxes) {
  const std::string root = testing::fresh_path("coco", "images");
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root + "/a");
  write_png(root + "/a/one.png", 40, 30, 200);
  write_png(root + "/two.png", 20, 20, 10);
  const CocoAnnotations a = parse_coco_annotations(valid_doc().dump(), "doc");
  const DetectionImages d = read_coco_images(a, root, 15, 20, 1);
  ASSERT_EQ(d.ids, (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(d.pixels.size(), 2u * 15 * 20);
  EXPECT_EQ(d.pixels[0], 200);
  EXPECT_EQ(d.pixels[15 * 20], 10);
  ASSERT_EQ(d.objects[0].size(), 2u);
  const Box b = d.objects[0][0].box;  // [1, 2, 10, 5] in 40x30, scaled by 0.5 both ways
  EXPECT_DOUBLE_EQ(b.x, 0.5);
  EXPECT_DOUBLE_EQ(b.y, 1.0);
  EXPECT_DOUBLE_EQ(b.w, 5.0);
  EXPECT_DOUBLE_EQ(b.h, 2.5);
  EXPECT_EQ(d.categories, (std::vector<std::string>{"shirt", "boot"}));

  // An image of another size than its annotation says; a missing image.
  write_png(root + "/two.png", 21, 20, 10);
  EXPECT_NE(error_of([&] {
              read_coco_images(a, root, 15, 20, 1);
            }).find("'" + root + "/two.png' is 21x20 but its annotation (id 12) says 20x20"),
            std::string::npos);
  std::filesystem::remove(root + "/two.png");
  EXPECT_NE(error_of([&] { coco_image_header(a.images[1], root); }).find(root + "/two.png"),
            std::string::npos);
  std::filesystem::remove_all(root);
}

// A source of one kind of 28×28 "object": a bright 12×12 square at rows and columns 8..19.
RawImages square_source() {
  RawImages r;
  r.height = r.width = 28;
  r.channels = 1;
  r.pixels.assign(2 * 28 * 28, 0);
  for (int i = 0; i < 2; ++i)
    for (int y = 8; y < 20; ++y)
      for (int x = 8; x < 20; ++x) r.pixels[i * 784 + y * 28 + x] = 200;
  r.labels = {0, 1};
  return r;
}

TEST(Scenes, BoxesAreTheExtentOfTheVisiblePixels) {
  SceneOptions o;
  o.size = 64;
  o.min_objects = o.max_objects = 1;
  o.min_side = o.max_side = 28;  // not resized: the square lands at (left + 8, top + 8)
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20; ++i) {
    const Scene s = draw_scene(square_source(), o, rng);
    ASSERT_EQ(s.objects.size(), 1u);
    const Box b = s.objects[0].box;
    EXPECT_EQ(b.w, 12);
    EXPECT_EQ(b.h, 12);
    // Exactly the bright pixels: inside 200, one pixel outside 0.
    const int x = static_cast<int>(b.x), y = static_cast<int>(b.y);
    EXPECT_EQ(s.pixels[y * 64 + x], 200);
    EXPECT_EQ(s.pixels[(y + 11) * 64 + x + 11], 200);
    if (x > 0) {
      EXPECT_EQ(s.pixels[y * 64 + x - 1], 0);
    }
    if (y + 12 < 64) {
      EXPECT_EQ(s.pixels[(y + 12) * 64 + x], 0);
    }
  }
}

TEST(Scenes, AreDeterministicInsideTheirImageAndKeepObjectsApart) {
  SceneOptions o;
  o.size = 96;
  std::mt19937_64 a(3), b(3), c(4);
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    const Scene sa = draw_scene(square_source(), o, a);
    const Scene sb = draw_scene(square_source(), o, b);
    const Scene sc = draw_scene(square_source(), o, c);
    EXPECT_EQ(sa.pixels, sb.pixels);
    ASSERT_EQ(sa.objects.size(), sb.objects.size());
    differs = differs || sa.pixels != sc.pixels;
    ASSERT_GE(sa.objects.size(), 1u);
    ASSERT_LE(sa.objects.size(), 6u);
    for (size_t k = 0; k < sa.objects.size(); ++k) {
      const Box& box = sa.objects[k].box;
      EXPECT_EQ(box.x, sb.objects[k].box.x);
      EXPECT_GE(box.x, 0);
      EXPECT_GE(box.y, 0);
      EXPECT_LE(box.x + box.w, 96);
      EXPECT_LE(box.y + box.h, 96);
      for (size_t j = 0; j < k; ++j) {
        const Box& other = sa.objects[j].box;
        const double shared = intersection_area(box, other);
        EXPECT_LE(shared, kSceneMaxCover * std::min(area(box), area(other)) + 1e-9);
      }
    }
  }
  EXPECT_TRUE(differs);
}

TEST(Scenes, OptionsOutOfRangeNameTheirField) {
  SceneOptions o;
  o.max_side = 200;
  EXPECT_NE(error_of([&] { check_scene_options(o); }).find("max_side: 200 out of [20, 96]"),
            std::string::npos);
  o = SceneOptions();
  o.min_objects = 7;
  EXPECT_NE(error_of([&] { check_scene_options(o); }).find("max_objects: 6 out of [7, 64]"),
            std::string::npos);
}

TEST(Scenes, AWrittenSplitReadsBackAsCoco) {
  const std::string root = testing::fresh_path("coco", "scenes");
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  SceneOptions o;
  o.size = 48;
  o.max_side = 40;
  int last = 0;
  write_scene_split(square_source(), {"square", "also square"}, o, 12, root, "train",
                    [&](int done, int total) {
                      last = done;
                      EXPECT_EQ(total, 12);
                    });
  EXPECT_EQ(last, 12);
  const CocoSplitPaths paths = coco_split_paths(root, "train");
  const CocoAnnotations a = read_coco_annotations(paths.annotations);
  ASSERT_EQ(a.images.size(), 12u);
  EXPECT_EQ(a.categories[1].name, "also square");
  EXPECT_EQ(a.categories[1].id, 2);
  const DetectionImages d = read_coco_images(a, paths.images, 48, 48, 1);
  EXPECT_EQ(d.pixels.size(), 12u * 48 * 48);
  // The same options and seed write the same split, byte for byte.
  const std::string again = testing::fresh_path("coco", "again");
  std::filesystem::remove_all(again);
  std::filesystem::create_directories(again);
  write_scene_split(square_source(), {"square", "also square"}, o, 12, again, "train");
  EXPECT_EQ(read_whole_file(paths.annotations, "a"), read_whole_file(again + "/train.json", "b"));
  EXPECT_EQ(read_whole_file(paths.images + "/000007.png", "a"),
            read_whole_file(again + "/train/000007.png", "b"));
  // Another split draws other scenes; an existing split is not written over.
  write_scene_split(square_source(), {"square", "also square"}, o, 12, root, "test");
  EXPECT_NE(read_whole_file(paths.images + "/000001.png", "a"),
            read_whole_file(root + "/test/000001.png", "b"));
  EXPECT_NE(error_of([&] {
              write_scene_split(square_source(), {"a", "b"}, o, 1, root, "test");
            }).find("exists: scenes are written only to a new split"),
            std::string::npos);
  std::filesystem::remove_all(root);
  std::filesystem::remove_all(again);
}

}  // namespace
}  // namespace mnas
