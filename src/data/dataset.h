#ifndef MNAS_DATA_DATASET_H_
#define MNAS_DATA_DATASET_H_

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "data/raw_images.h"

namespace mnas {

// Images held in memory, all of one size: what a classification and a detection set share.
struct ImageSet {
  std::string name;  // "fashion-mnist/train", "coco:PATH/train", ...
  int height = 0, width = 0, channels = 0;
  torch::Tensor images;  // uint8 [N, H, W, C]
};

// An image-classification data set held in memory.
struct Dataset : ImageSet {
  int classes = 0;
  torch::Tensor labels;  // int64 [N], each in [0, classes)
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// The tensors of what a reader decoded (its pixels copied once, then released). `classes` is the
// data set's class count (every label is below it: the readers checked).
Dataset to_dataset(RawImages&& raw, int classes, const std::string& name);

enum class Split { kTrain, kTest };

// The size images are decoded to, for data sets whose images have no fixed size (image folders).
// Zeros: the data set's own (an image folder's first image).
struct ImageSize {
  int height = 0, width = 0, channels = 0;
};

// Reads a data set by name:
//   "fashion-mnist"  IDX files (raw or .gz); default directory /usr/share/datasets/fashion-mnist
//   "mnist"          IDX files; --data-dir required
//   "cifar10"        CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin)
//   "cifar100"       CIFAR-100 binary (train.bin, test.bin; fine labels)
//   "folder:PATH"    an image folder (data/image_folder.h): PATH/train/<class>/* and
//                    PATH/test/<class>/* when PATH/train exists, else PATH/<class>/* as the
//                    training set (no test split); images resized to `size`
// `data_dir` empty means the default. Throws mnas::Error naming the file and the problem for
// anything unreadable or malformed (kIo when a file cannot be opened).
Dataset load_dataset(const std::string& name, const std::string& data_dir, Split split,
                     const ImageSize& size = {});

// Image shape and classes of a named data set without reading it (for defaults such as a zoo
// model's input). For an image folder: its class count and its first image's size. Throws
// mnas::Error for an unknown name.
struct DatasetInfo {
  int height = 0, width = 0, channels = 0, classes = 0;
};
DatasetInfo dataset_info(const std::string& name);

// The names load_dataset accepts.
std::string dataset_names();

// The class names of a named data set in label order: the published names of the built-in
// sets, an image folder's sorted sub-folder names. Throws mnas::Error as dataset_info does.
std::vector<std::string> dataset_labels(const std::string& name);

// How the training pipeline turns the data set's images into a height×width×channels input,
// in words, for whoever feeds the exported network: decoding, colour conversion, resizing and
// scaling (the normalisation that follows is inside the network).
std::string dataset_preprocess(const std::string& name, int height, int width, int channels);

}  // namespace mnas

#endif  // MNAS_DATA_DATASET_H_
