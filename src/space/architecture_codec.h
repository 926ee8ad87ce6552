#ifndef MNAS_SPACE_ARCHITECTURE_CODEC_H_
#define MNAS_SPACE_ARCHITECTURE_CODEC_H_

#include <string>
#include <string_view>

#include "space/architecture.h"

namespace mnas {

// ---------------------------------------------------------------------------------------------
// Canonical text form. One line, no spaces, safe to pass unquoted in a shell. It is the
// architecture's identity: two architectures are the same exactly when their strings are equal,
// and the search store keys its trials by it.
//
//   arch    := "input=" H "x" W "x" C ":stem=s" S S "_o" F ":blocks=" block ("," block)*
//              ":head=o" F ":classes=" N ":dropout=" D
//   block   := op "_r" LAYERS "_k" KERNEL "_s" STRIDE STRIDE "_e" EXPANSION "_i" IN "_o" OUT
//              "_se" RATIO "_" skip
//   op      := "conv" | "dconv" | "mbconv"
//   skip    := "pool" | "identity" | "none"
//
// Block strings follow the tensorflow/tpu reference style (r = repeats, k = kernel, s = stride in
// both directions, e = expansion, i/o = input/output filters, se = SE ratio), with every field
// present and the op and skip spelled out. IN is redundant (the previous block's OUT, or the
// stem's filters) and is checked. Numbers are decimal; RATIO and D are the shortest text that
// reads back exactly ("0.25", "0", "0.2"). Example (MobileNetV2's first two blocks):
//   input=224x224x3:stem=s22_o32:blocks=dconv_r1_k3_s11_e1_i32_o16_se0_identity,
//   mbconv_r2_k3_s22_e6_i16_o24_se0_identity,...:head=o1280:classes=1000:dropout=0.2
// The parser accepts the sections in any order but each exactly once; to_canonical_string writes
// them in the order above.
// ---------------------------------------------------------------------------------------------

// Validates `arch` (throws mnas::Error if invalid) and returns its canonical string.
std::string to_canonical_string(const Architecture& arch);

// Parses and validates; throws mnas::Error naming the section, block and field at fault.
Architecture parse_architecture_string(std::string_view text);

// ---------------------------------------------------------------------------------------------
// JSON form:
//   {"input": {"height": 224, "width": 224, "channels": 3},   (or the string "224x224x3")
//    "stem": {"filters": 32, "stride": 2},
//    "blocks": [{"op": "mbconv", "expansion": 6, "kernel": 3, "se_ratio": 0.25,
//                "skip": "identity", "filters": 24, "layers": 2, "stride": 2}, ...],
//    "head": {"filters": 1280}, "classes": 1000, "dropout": 0.2}
// Every field is written. When reading, a block's "expansion" may be left out for conv and dconv
// (it is 1), "se_ratio" defaults to 0 and "skip" to "identity"; every other field is required.
// Unknown fields are errors (a typo must not silently fall back to a default).
// ---------------------------------------------------------------------------------------------

// Validates and writes; `indent` < 0 writes one line.
std::string to_json_string(const Architecture& arch, int indent = -1);

// Parses and validates; throws mnas::Error naming the JSON path at fault ("blocks[1].kernel").
Architecture parse_architecture_json(std::string_view text);

}  // namespace mnas

#endif  // MNAS_SPACE_ARCHITECTURE_CODEC_H_
