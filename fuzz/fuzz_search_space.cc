// libFuzzer: search-space JSON files; an accepted space samples and encodes architectures.
#include <cstdint>
#include <random>
#include <string>

#include "base/error.h"
#include "space/search_space.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const mnas::SearchSpace space = mnas::SearchSpace::from_json(text);
    MNAS_ASSERT(mnas::SearchSpace::from_json(space.to_json()) == space);
    std::mt19937_64 rng(size);
    const mnas::Architecture a = space.sample(rng);
    space.decode(space.encode(a));
  } catch (const mnas::Error&) {
  }
  return 0;
}
