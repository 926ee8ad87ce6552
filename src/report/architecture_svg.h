#ifndef MNAS_REPORT_ARCHITECTURE_SVG_H_
#define MNAS_REPORT_ARCHITECTURE_SVG_H_

#include <string>

#include "space/architecture.h"

namespace mnas {

// An architecture drawn block by block as SVG, in the manner of the MnasNet paper's Figure 7: the
// stem, one box per block (its op — Conv, SepConv, MBConv with its expansion —, kernel, SE,
// shortcut and repeats, coloured by op, as wide as its channels), the feature map after it
// (height × width × channels), the head and the classifier; `title` above, and the parameters and
// multiply-adds below. A standalone document (`mnas describe ARCH --svg FILE`) that is also
// embedded inline in the HTML report. Text from the caller is escaped.
std::string architecture_svg(const Architecture& arch, const std::string& title);

}  // namespace mnas

#endif  // MNAS_REPORT_ARCHITECTURE_SVG_H_
