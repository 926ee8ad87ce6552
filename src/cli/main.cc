#include <malloc.h>

#include "cli/app.h"

int main(int argc, char** argv) {
  // glibc returns large buffers to the OS after every free and faults them back in on the next
  // allocation; with LibTorch's activation buffers that costs up to 5× in training throughput
  // (shared/facts.md). Keep freed memory instead.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return mnas::cli::run(argc, argv);
}
