#include "data/coco_images.h"

#include "base/error.h"
#include "base/file_io.h"
#include "data/image_decode.h"

namespace mnas {
namespace {

constexpr size_t kMaxImageFileBytes = size_t{256} << 20;  // as image folders allow

struct ImageFile {
  std::string path;
  std::vector<uint8_t> bytes;
  ImageHeader header;
};

ImageFile open_image(const CocoImage& image, const std::string& image_dir) {
  ImageFile f;
  f.path = image_dir + "/" + image.file_name;
  const std::string bytes = read_whole_file(f.path, "image", kMaxImageFileBytes);
  f.bytes.assign(bytes.begin(), bytes.end());
  f.header = read_image_header(f.bytes, f.path);
  if (f.header.width != image.width || f.header.height != image.height) {
    throw Error("image '" + f.path + "' is " + std::to_string(f.header.width) + "x" +
                std::to_string(f.header.height) + " but its annotation (id " +
                std::to_string(image.id) + ") says " + std::to_string(image.width) + "x" +
                std::to_string(image.height) + ": its boxes would be misplaced");
  }
  return f;
}

}  // namespace

CocoSplitPaths coco_split_paths(const std::string& root, const std::string& split) {
  return {root + "/" + split + ".json", root + "/" + split};
}

ImageHeader coco_image_header(const CocoImage& image, const std::string& image_dir) {
  return open_image(image, image_dir).header;
}

DetectionImages read_coco_images(const CocoAnnotations& labels, const std::string& image_dir,
                                 int height, int width, int channels) {
  MNAS_ASSERT(height > 0 && width > 0 && (channels == 1 || channels == 3));
  DetectionImages out;
  out.height = height;
  out.width = width;
  out.channels = channels;
  for (const CocoCategory& c : labels.categories) out.categories.push_back(c.name);
  const size_t image_bytes = size_t(height) * width * channels;
  out.pixels.reserve(labels.images.size() * image_bytes);
  for (const CocoImage& image : labels.images) {
    const ImageFile f = open_image(image, image_dir);
    const std::vector<uint8_t> pixels = decode_image(f.bytes, f.path, height, width, channels);
    out.pixels.insert(out.pixels.end(), pixels.begin(), pixels.end());
    const double sx = double(width) / image.width, sy = double(height) / image.height;
    std::vector<CocoObject> objects;
    for (const CocoObject& o : image.objects) {
      objects.push_back({o.category, Box{o.box.x * sx, o.box.y * sy, o.box.w * sx, o.box.h * sy}});
    }
    out.objects.push_back(std::move(objects));
    out.ids.push_back(image.id);
  }
  return out;
}

}  // namespace mnas
