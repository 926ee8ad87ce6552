#ifndef MNAS_DATA_IDX_READER_H_
#define MNAS_DATA_IDX_READER_H_

#include <string>

#include "data/raw_images.h"

namespace mnas {

// Reads an IDX image file (magic 0x00000803: count, rows, cols, then bytes) and its IDX label file
// (magic 0x00000801: count, then bytes), raw or gzip. Checks the magic numbers, the sizes against
// the headers, that both files have the same count, and that every label is below `classes`.
// Throws mnas::Error naming the file and the problem.
RawImages read_idx(const std::string& images_path, const std::string& labels_path, int classes);

// The training (train-*) or test (t10k-*) split of an IDX folder as Fashion-MNIST and MNIST ship
// it: <dir>/<prefix>-images-idx3-ubyte and -labels-idx1-ubyte, each raw or with .gz; 10 classes.
// Throws mnas::Error (kIo) naming the folder and the file it lacks.
RawImages read_idx_split(const std::string& dir, bool train);

}  // namespace mnas

#endif  // MNAS_DATA_IDX_READER_H_
