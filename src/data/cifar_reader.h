#ifndef MNAS_DATA_CIFAR_READER_H_
#define MNAS_DATA_CIFAR_READER_H_

#include <string>
#include <vector>

#include "data/raw_images.h"

namespace mnas {

// Reads CIFAR binary files: records of `label_bytes` label bytes (CIFAR-10: 1; CIFAR-100: 2, the
// second being the fine label used here) and 3072 pixel bytes (R, G, B planes of 32×32), raw or
// gzipped. Checks that each file is a whole number of records (saying when it looks like the
// other CIFAR's, or like an unextracted tar archive), that every label is below `classes` and,
// for CIFAR-100, every coarse label below 20. Throws mnas::Error naming the file and the problem.
RawImages read_cifar(const std::vector<std::string>& paths, int label_bytes, int classes);

}  // namespace mnas

#endif  // MNAS_DATA_CIFAR_READER_H_
