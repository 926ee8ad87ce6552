#include "data/dataset.h"

#include <sys/stat.h>

#include <cstdint>
#include <cstring>

#include "base/error.h"
#include "data/cifar_reader.h"
#include "data/idx_reader.h"
#include "data/image_folder.h"

namespace mnas {
namespace {

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Dataset load_idx_dir(const std::string& name, const std::string& dir, Split split) {
  return to_dataset(read_idx_split(dir, split == Split::kTrain), 10,
                    name + (split == Split::kTrain ? "/train" : "/test"));
}

constexpr const char* kFolderPrefix = "folder:";

bool is_folder(const std::string& name) { return name.rfind(kFolderPrefix, 0) == 0; }

// The training folder of "folder:PATH": PATH/train when it exists, else PATH.
std::string folder_root(const std::string& name) {
  const std::string path = name.substr(std::strlen(kFolderPrefix));
  if (path.empty()) throw Error("--dataset: 'folder:' needs a path, e.g. folder:/data/flowers");
  return path;
}

std::string train_folder(const std::string& root) {
  return exists(root + "/train") ? root + "/train" : root;
}

Dataset load_folder(const std::string& name, Split split, const ImageSize& size) {
  const std::string root = folder_root(name);
  const std::string train = train_folder(root);
  const ImageFolderInfo info = image_folder_info(train);
  std::string dir = train;
  if (split == Split::kTest) {
    if (train == root) {
      throw Error("image folder '" + root + "': no test split (put the training images under " +
                      root + "/train/<class>/ and the test images under " + root +
                      "/test/<class>/)",
                  Error::Kind::kIo);
    }
    dir = root + "/test";
  }
  return to_dataset(read_image_folder(dir, info.classes, size.height ? size.height : info.height,
                                      size.width ? size.width : info.width,
                                      size.channels ? size.channels : info.channels),
                    static_cast<int>(info.classes.size()),
                    name + (split == Split::kTrain ? "/train" : "/test"));
}

}  // namespace

Dataset to_dataset(RawImages&& raw, int classes, const std::string& name) {
  Dataset d;
  d.name = name;
  d.height = raw.height;
  d.width = raw.width;
  d.channels = raw.channels;
  d.classes = classes;
  const int64_t n = static_cast<int64_t>(raw.labels.size());
  d.images = torch::empty({n, raw.height, raw.width, raw.channels}, torch::kUInt8);
  MNAS_ASSERT(static_cast<size_t>(d.images.numel()) == raw.pixels.size());
  std::memcpy(d.images.data_ptr<uint8_t>(), raw.pixels.data(), raw.pixels.size());
  raw.pixels = {};
  d.labels = torch::from_blob(raw.labels.data(), {n}, torch::kLong).clone();
  return d;
}

DatasetInfo dataset_info(const std::string& name) {
  if (name == "fashion-mnist" || name == "mnist") return {28, 28, 1, 10};
  if (name == "cifar10") return {32, 32, 3, 10};
  if (name == "cifar100") return {32, 32, 3, 100};
  if (is_folder(name)) {
    const ImageFolderInfo info = image_folder_info(train_folder(folder_root(name)));
    return {info.height, info.width, info.channels, static_cast<int>(info.classes.size())};
  }
  throw Error("--dataset: unknown '" + name + "'; use " + dataset_names());
}

std::string dataset_names() { return "fashion-mnist, mnist, cifar10, cifar100 or folder:PATH"; }

std::vector<std::string> dataset_labels(const std::string& name) {
  if (name == "fashion-mnist") {
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  }
  if (name == "mnist") return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  if (name == "cifar10") {
    return {"airplane", "automobile", "bird",  "cat",  "deer",
            "dog",      "frog",       "horse", "ship", "truck"};
  }
  if (name == "cifar100") {  // the fine labels, in label order (alphabetical)
    return {"apple",       "aquarium_fish", "baby",       "bear",        "beaver",
            "bed",         "bee",           "beetle",     "bicycle",     "bottle",
            "bowl",        "boy",           "bridge",     "bus",         "butterfly",
            "camel",       "can",           "castle",     "caterpillar", "cattle",
            "chair",       "chimpanzee",    "clock",      "cloud",       "cockroach",
            "couch",       "crab",          "crocodile",  "cup",         "dinosaur",
            "dolphin",     "elephant",      "flatfish",   "forest",      "fox",
            "girl",        "hamster",       "house",      "kangaroo",    "keyboard",
            "lamp",        "lawn_mower",    "leopard",    "lion",        "lizard",
            "lobster",     "man",           "maple_tree", "motorcycle",  "mountain",
            "mouse",       "mushroom",      "oak_tree",   "orange",      "orchid",
            "otter",       "palm_tree",     "pear",       "pickup_truck", "pine_tree",
            "plain",       "plate",         "poppy",      "porcupine",   "possum",
            "rabbit",      "raccoon",       "ray",        "road",        "rocket",
            "rose",        "sea",           "seal",       "shark",       "shrew",
            "skunk",       "skyscraper",    "snail",      "snake",       "spider",
            "squirrel",    "streetcar",     "sunflower",  "sweet_pepper", "table",
            "tank",        "telephone",     "television", "tiger",       "tractor",
            "train",       "trout",         "tulip",      "turtle",      "wardrobe",
            "whale",       "willow_tree",   "wolf",       "woman",       "worm"};
  }
  if (is_folder(name)) return image_folder_info(train_folder(folder_root(name))).classes;
  throw Error("--dataset: unknown '" + name + "'; use " + dataset_names());
}

std::string dataset_preprocess(const std::string& name, int height, int width, int channels) {
  const std::string size = std::to_string(height) + "x" + std::to_string(width);
  const std::string scale = "; pixels / 255 into [0, 1], NCHW, " +
                            std::string(channels == 1 ? "1 channel (grey)" : "3 channels (RGB)");
  if (is_folder(name)) {
    return "images decoded (PNG, JPEG, BMP, GIF) to " +
           std::string(channels == 1 ? "grey (stb_image: (77 R + 150 G + 29 B) / 256)"
                                     : "RGB (grey images repeated into 3 channels)") +
           ", resized to " + size +
           " when their size differs (stb_image_resize defaults: Mitchell filter when "
           "shrinking, Catmull-Rom when enlarging; the aspect ratio is not kept)" + scale;
  }
  const DatasetInfo info = dataset_info(name);
  std::string out = name + "'s " + std::to_string(info.height) + "x" + std::to_string(info.width) +
                    " " + (info.channels == 1 ? "grey" : "RGB") + " images";
  if (info.height != height || info.width != width) {
    out += ", resized to " + size + " (bilinear, corners not aligned, after scaling)";
  }
  return out + scale;
}

Dataset load_dataset(const std::string& name, const std::string& data_dir, Split split,
                     const ImageSize& size) {
  const bool train = split == Split::kTrain;
  if (is_folder(name)) {
    if (!data_dir.empty()) throw Error("--data-dir: not used with folder:PATH (the path is there)");
    return load_folder(name, split, size);
  }
  if (name == "fashion-mnist") {
    return load_idx_dir(name, data_dir.empty() ? "/usr/share/datasets/fashion-mnist" : data_dir,
                        split);
  }
  if (data_dir.empty()) {
    throw Error("--data-dir: required for " + name + " (no Debian package ships it)");
  }
  if (name == "mnist") return load_idx_dir(name, data_dir, split);
  if (name == "cifar10") {
    std::vector<std::string> files;
    if (train) {
      for (int i = 1; i <= 5; ++i)
        files.push_back(data_dir + "/data_batch_" + std::to_string(i) + ".bin");
    } else {
      files.push_back(data_dir + "/test_batch.bin");
    }
    return to_dataset(read_cifar(files, 1, 10), 10, name + (train ? "/train" : "/test"));
  }
  if (name == "cifar100") {
    return to_dataset(read_cifar({data_dir + (train ? "/train.bin" : "/test.bin")}, 2, 100), 100,
                      name + (train ? "/train" : "/test"));
  }
  throw Error("--dataset: unknown '" + name + "'; use " + dataset_names());
}

}  // namespace mnas
