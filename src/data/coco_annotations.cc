#include "data/coco_annotations.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "base/error.h"
#include "base/file_io.h"
#include "base/json_fields.h"
#include "base/number_format.h"

namespace mnas {
namespace {

namespace jf = json_fields;
using Json = jf::Json;

constexpr int64_t kMaxId = int64_t{1} << 53;  // exact in a double, as JSON readers hold numbers

int64_t as_id(const Json& value, const std::string& path) {
  if (!value.is_number_integer()) {
    throw Error(path + ": expected an integer id, got " + jf::type_name(value));
  }
  const int64_t id =
      value.is_number_unsigned()
          ? static_cast<int64_t>(std::min<uint64_t>(value.get<uint64_t>(), kMaxId + 1))
          : value.get<int64_t>();
  if (id < 0 || id > kMaxId) throw Error(path + ": id " + std::to_string(id) + " out of [0, 2^53]");
  return id;
}

// A file name inside the image folder: relative, no "..", no NUL (json allows "\u0000").
void check_file_name(const std::string& name, const std::string& path) {
  if (name.empty()) throw Error(path + ": empty file name");
  if (name.front() == '/')
    throw Error(path + ": '" + name + "' is absolute (must be relative to the image folder)");
  if (name.find('\0') != std::string::npos) throw Error(path + ": a NUL byte in the file name");
  size_t start = 0;
  while (start <= name.size()) {
    const size_t slash = std::min(name.find('/', start), name.size());
    if (name.compare(start, slash - start, "..") == 0 && slash - start == 2) {
      throw Error(path + ": '" + name + "' leaves the image folder (\"..\")");
    }
    start = slash + 1;
  }
}

std::vector<CocoCategory> parse_categories(const Json& doc) {
  const Json& list = jf::required(doc, "categories", "");
  jf::require_array(list, "categories");
  if (list.empty()) throw Error("categories: empty (a detection data set needs at least one)");
  if (list.size() > kMaxCocoCategories) {
    throw Error("categories: " + std::to_string(list.size()) + " entries, more than " +
                std::to_string(kMaxCocoCategories));
  }
  std::vector<CocoCategory> categories;
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = jf::element("categories", i);
    jf::require_object(list[i], path);
    CocoCategory c;
    c.id = jf::as_int(jf::required(list[i], "id", path), jf::child(path, "id"), 0, 1 << 30);
    c.name = jf::as_string(jf::required(list[i], "name", path), jf::child(path, "name"));
    if (c.name.empty()) throw Error(jf::child(path, "name") + ": empty");
    if (!names.insert(c.name).second) {
      throw Error(jf::child(path, "name") + ": '" + c.name + "' is the name of another category");
    }
    categories.push_back(std::move(c));
  }
  std::stable_sort(categories.begin(), categories.end(),
                   [](const CocoCategory& a, const CocoCategory& b) { return a.id < b.id; });
  for (size_t i = 1; i < categories.size(); ++i) {
    if (categories[i].id == categories[i - 1].id) {
      throw Error("categories: id " + std::to_string(categories[i].id) + " given twice");
    }
  }
  return categories;
}

std::vector<CocoImage> parse_images(const Json& doc) {
  const Json& list = jf::required(doc, "images", "");
  jf::require_array(list, "images");
  if (static_cast<int64_t>(list.size()) > kMaxCocoImages) {
    throw Error("images: " + std::to_string(list.size()) + " entries, more than " +
                std::to_string(kMaxCocoImages));
  }
  std::vector<CocoImage> images;
  images.reserve(list.size());
  std::set<std::string> files;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = jf::element("images", i);
    jf::require_object(list[i], path);
    CocoImage image;
    image.id = as_id(jf::required(list[i], "id", path), jf::child(path, "id"));
    image.file_name =
        jf::as_string(jf::required(list[i], "file_name", path), jf::child(path, "file_name"));
    check_file_name(image.file_name, jf::child(path, "file_name"));
    image.width =
        jf::as_int(jf::required(list[i], "width", path), jf::child(path, "width"), 1, 1 << 16);
    image.height =
        jf::as_int(jf::required(list[i], "height", path), jf::child(path, "height"), 1, 1 << 16);
    if (!files.insert(image.file_name).second) {
      throw Error(jf::child(path, "file_name") + ": '" + image.file_name + "' is listed twice");
    }
    images.push_back(std::move(image));
  }
  return images;
}

// bbox [x, y, w, h] of an annotation of `image`; clipped when it reaches past the image by at most
// the tolerance.
Box parse_box(const Json& value, const CocoImage& image, const std::string& path, bool* clipped) {
  jf::require_array(value, path);
  if (value.size() != 4) {
    throw Error(path + ": expected [x, y, width, height], got " + std::to_string(value.size()) +
                " numbers");
  }
  double v[4];
  for (size_t k = 0; k < 4; ++k) v[k] = jf::as_double(value[k], jf::element(path, k));
  Box b{v[0], v[1], v[2], v[3]};
  const std::string shown = "[" + format_double(b.x) + ", " + format_double(b.y) + ", " +
                            format_double(b.w) + ", " + format_double(b.h) + "]";
  if (!(b.w > 0 && b.h > 0))
    throw Error(path + ": " + shown + " has no area (width and height must be > 0)");
  const double t = kCocoBoxTolerance;
  if (b.x < -t || b.y < -t || b.x + b.w > image.width + t || b.y + b.h > image.height + t) {
    throw Error(path + ": " + shown + " reaches outside image " + std::to_string(image.id) + " ('" +
                image.file_name + "', " + std::to_string(image.width) + "x" +
                std::to_string(image.height) + ")");
  }
  const double x0 = std::max(0.0, b.x), y0 = std::max(0.0, b.y);
  const double x1 = std::min<double>(image.width, b.x + b.w);
  const double y1 = std::min<double>(image.height, b.y + b.h);
  const Box inside{x0, y0, x1 - x0, y1 - y0};
  if (!(inside.w > 0 && inside.h > 0)) {
    throw Error(path + ": " + shown + " has no area inside image " + std::to_string(image.id));
  }
  *clipped = inside.x != b.x || inside.y != b.y || inside.w != b.w || inside.h != b.h;
  return inside;
}

}  // namespace

CocoAnnotations parse_coco_annotations(std::string_view json, const std::string& what) {
  try {
    const Json doc = jf::parse(json, what);
    jf::require_object(doc, "");
    CocoAnnotations out;
    out.categories = parse_categories(doc);
    out.images = parse_images(doc);

    std::unordered_map<int, int> category_index;
    for (size_t i = 0; i < out.categories.size(); ++i)
      category_index[out.categories[i].id] = static_cast<int>(i);
    std::unordered_map<int64_t, size_t> image_index;
    for (size_t i = 0; i < out.images.size(); ++i) {
      if (!image_index.emplace(out.images[i].id, i).second) {
        throw Error(jf::child(jf::element("images", i), "id") + ": id " +
                    std::to_string(out.images[i].id) + " given twice");
      }
    }

    const Json& list = jf::required(doc, "annotations", "");
    jf::require_array(list, "annotations");
    if (static_cast<int64_t>(list.size()) > kMaxCocoAnnotations) {
      throw Error("annotations: " + std::to_string(list.size()) + " entries, more than " +
                  std::to_string(kMaxCocoAnnotations));
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = jf::element("annotations", i);
      jf::require_object(list[i], path);
      const std::string image_path = jf::child(path, "image_id");
      const int64_t image_id = as_id(jf::required(list[i], "image_id", path), image_path);
      const auto image = image_index.find(image_id);
      if (image == image_index.end()) {
        throw Error(image_path + ": no image has id " + std::to_string(image_id));
      }
      const std::string category_path = jf::child(path, "category_id");
      const int category_id =
          jf::as_int(jf::required(list[i], "category_id", path), category_path, 0, 1 << 30);
      const auto category = category_index.find(category_id);
      if (category == category_index.end()) {
        throw Error(category_path + ": no category has id " + std::to_string(category_id));
      }
      if (const auto crowd = list[i].find("iscrowd"); crowd != list[i].end()) {
        if (jf::as_int(*crowd, jf::child(path, "iscrowd"), 0, 1) == 1) {
          ++out.crowd_skipped;
          continue;
        }
      }
      CocoImage& target = out.images[image->second];
      bool clipped = false;
      const Box box =
          parse_box(jf::required(list[i], "bbox", path), target, jf::child(path, "bbox"), &clipped);
      if (clipped) ++out.boxes_clipped;
      target.objects.push_back({category->second, box});
    }
    return out;
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.rfind(what, 0) == 0) throw;  // json_fields::parse named the document already
    throw Error(what + ": " + message, e.kind());
  }
}

CocoAnnotations read_coco_annotations(const std::string& path) {
  const std::string what = "COCO annotations '" + path + "'";
  return parse_coco_annotations(read_whole_file(path, "COCO annotations"), what);
}

}  // namespace mnas
