#include "table/embedded_nb201.h"

// The assembler includes the file's bytes (MNAS_NB201_GZ, set by CMake) between two symbols: no
// generated source, and a 600 KB table costs nothing to compile.
__asm__(".section .rodata\n"
        ".global mnas_nb201_gz_begin\n"
        ".global mnas_nb201_gz_end\n"
        ".balign 16\n"
        "mnas_nb201_gz_begin:\n"
        ".incbin \"" MNAS_NB201_GZ "\"\n"
        "mnas_nb201_gz_end:\n"
        ".previous\n");

extern "C" const char mnas_nb201_gz_begin[];
extern "C" const char mnas_nb201_gz_end[];

namespace mnas {

std::string_view embedded_nb201_gz() {
  return std::string_view(mnas_nb201_gz_begin,
                          static_cast<size_t>(mnas_nb201_gz_end - mnas_nb201_gz_begin));
}

}  // namespace mnas
