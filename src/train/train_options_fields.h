#ifndef MNAS_TRAIN_TRAIN_OPTIONS_FIELDS_H_
#define MNAS_TRAIN_TRAIN_OPTIONS_FIELDS_H_

// TrainOptions as data (base/field_table.h): every setting of a training run declared once — its
// key in a checkpoint's options, its `mnas train` flag, help, default and range. The checkpoint's
// options JSON, validate(TrainOptions)'s ranges and `mnas train`'s flags (applied over the
// recipe) are made from it.

#include <vector>

#include "base/field_table.h"
#include "train/trainer.h"

namespace mnas {

const std::vector<Field<TrainOptions>>& train_option_fields();

}  // namespace mnas

#endif  // MNAS_TRAIN_TRAIN_OPTIONS_FIELDS_H_
