#include "data/image_folder.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>

#include "base/error.h"
#include "base/file_io.h"
#include "data/image_decode.h"

namespace mnas {
namespace {

// One encoded image file: a PNG or JPEG of a few MB; anything beyond this is not an image to train
// on.
constexpr size_t kMaxImageFileBytes = size_t{256} << 20;

std::vector<uint8_t> image_file(const std::string& path) {
  const std::string bytes = read_whole_file(path, "image", kMaxImageFileBytes);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Sorted names in `dir` (without . and ..); throws kIo when it cannot be listed.
std::vector<std::string> list(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) {
    throw Error("image folder '" + dir + "': cannot be read (" + std::strerror(errno) + ")",
                Error::Kind::kIo);
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d.get())) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      names.emplace_back(e->d_name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool is_image_name(const std::string& name) {
  const size_t dot = name.find_last_of('.');
  if (dot == std::string::npos) return false;
  std::string ext = name.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "bmp" || ext == "gif";
}

std::vector<std::string> class_folders(const std::string& root) {
  if (!is_directory(root)) {
    throw Error("image folder '" + root + "': not a directory", Error::Kind::kIo);
  }
  std::vector<std::string> classes;
  for (const std::string& name : list(root)) {
    if (is_directory(root + "/" + name)) classes.push_back(name);
  }
  if (classes.empty()) {
    throw Error("image folder '" + root +
                "': no class folders (expected one sub-folder of images per class)");
  }
  return classes;
}

std::vector<std::string> images_of(const std::string& folder) {
  std::vector<std::string> files;
  for (const std::string& name : list(folder)) {
    if (is_image_name(name) && !is_directory(folder + "/" + name)) files.push_back(name);
  }
  if (files.empty()) {
    throw Error("image folder class '" + folder + "': no images (.png, .jpg, .jpeg, .bmp, .gif)");
  }
  return files;
}

}  // namespace

ImageFolderInfo image_folder_info(const std::string& root) {
  ImageFolderInfo info;
  info.classes = class_folders(root);
  for (const std::string& c : info.classes) {
    const std::vector<std::string> files = images_of(root + "/" + c);
    if (info.images == 0) {
      const std::string first = root + "/" + c + "/" + files.front();
      const ImageHeader h = read_image_header(image_file(first), first);
      info.height = h.height;
      info.width = h.width;
      info.channels = h.channels;
    }
    info.images += static_cast<int64_t>(files.size());
  }
  return info;
}

RawImages read_image_folder(const std::string& root, const std::vector<std::string>& classes,
                            int height, int width, int channels) {
  if (height < 1 || width < 1 || height > kMaxImageSide || width > kMaxImageSide)
    throw Error("image folder '" + root + "': size " + std::to_string(height) + "x" +
                std::to_string(width) + " is outside 1.." + std::to_string(kMaxImageSide));
  if (channels != 1 && channels != 3)
    throw Error("image folder '" + root + "': channels must be 1 or 3, not " +
                std::to_string(channels));
  std::vector<std::pair<std::string, int64_t>> files;
  for (const std::string& c : class_folders(root)) {
    const auto it = std::find(classes.begin(), classes.end(), c);
    if (it == classes.end()) {
      throw Error("image folder '" + root + "': class folder '" + c +
                  "' is not one of the training set's classes");
    }
    for (const std::string& f : images_of(root + "/" + c))
      files.emplace_back(root + "/" + c + "/" + f, it - classes.begin());
  }
  const size_t image_bytes = size_t{static_cast<size_t>(height)} * width * channels;
  if (image_bytes * files.size() > (size_t{1} << 34)) {
    throw Error("image folder '" + root + "': " + std::to_string(files.size()) + " images of " +
                std::to_string(height) + "x" + std::to_string(width) +
                " would need more than 16 GiB; choose a smaller --input");
  }
  RawImages d;
  d.height = height;
  d.width = width;
  d.channels = channels;
  d.pixels.reserve(image_bytes * files.size());
  for (const auto& [path, label] : files) {
    const std::vector<uint8_t> pixels =
        decode_image(image_file(path), path, height, width, channels);
    d.pixels.insert(d.pixels.end(), pixels.begin(), pixels.end());
    d.labels.push_back(label);
  }
  return d;
}

}  // namespace mnas
