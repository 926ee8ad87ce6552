#ifndef MNAS_TABLE_EMBEDDED_NB201_H_
#define MNAS_TABLE_EMBEDDED_NB201_H_

#include <string_view>

namespace mnas {

// The bytes of data/nasbench201/nasbench201.csv.gz as built into this binary.
std::string_view embedded_nb201_gz();

}  // namespace mnas

#endif  // MNAS_TABLE_EMBEDDED_NB201_H_
