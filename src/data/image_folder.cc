#include "data/image_folder.h"

#include <dirent.h>
#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

#include "space/error.h"

namespace mnas {
namespace {

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
      if (!stbi_info(first.c_str(), &info.width, &info.height, &info.channels)) {
        throw Error("image '" + first + "': cannot be decoded (" + stbi_failure_reason() + ")");
      }
      info.channels = info.channels <= 2 ? 1 : 3;  // grey (+alpha) → 1, colour (+alpha) → 3
    }
    info.images += static_cast<int64_t>(files.size());
  }
  return info;
}

Dataset read_image_folder(const std::string& root, const std::vector<std::string>& classes,
                          int height, int width, int channels, const std::string& name) {
  if (height < 1 || width < 1 || height > 4096 || width > 4096)
    throw Error("image folder '" + root + "': size " + std::to_string(height) + "x" +
                std::to_string(width) + " is outside 1..4096");
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
  Dataset d;
  d.name = name;
  d.height = height;
  d.width = width;
  d.channels = channels;
  d.classes = static_cast<int>(classes.size());
  const int64_t n = static_cast<int64_t>(files.size());
  const int64_t image_bytes = int64_t{height} * width * channels;
  d.images = torch::empty({n, height, width, channels}, torch::kUInt8);
  d.labels = torch::empty({n}, torch::kLong);
  uint8_t* out = d.images.data_ptr<uint8_t>();
  int64_t* labels = d.labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const std::string& path = files[i].first;
    int w = 0, h = 0, original = 0;
    std::unique_ptr<unsigned char, void (*)(void*)> pixels(
        stbi_load(path.c_str(), &w, &h, &original, channels), stbi_image_free);
    if (!pixels) {
      throw Error("image '" + path + "': cannot be decoded (" + stbi_failure_reason() + ")");
    }
    uint8_t* dst = out + i * image_bytes;
    if (w == width && h == height) {
      std::memcpy(dst, pixels.get(), static_cast<size_t>(image_bytes));
    } else if (!stbir_resize_uint8(pixels.get(), w, h, 0, dst, width, height, 0, channels)) {
      throw Error("image '" + path + "': cannot be resized to " + std::to_string(height) + "x" +
                  std::to_string(width));
    }
    labels[i] = files[i].second;
  }
  return d;
}

}  // namespace mnas
