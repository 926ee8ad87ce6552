// Throughput of the search-space core on the paths a search runs for every trial: sampling and
// decoding tokens, the canonical string (the store key) both ways, and the analytic cost model
// (what a latency lookup table's checks and FLOP-based baselines call thousands of times).
#include <benchmark/benchmark.h>

#include <random>

#include "space/architecture_codec.h"
#include "space/cost_model.h"
#include "space/search_space.h"

namespace {

void BM_SampleAndDecode(benchmark::State& state) {
  const mnas::SearchSpace space;
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(space.sample(rng));
}
BENCHMARK(BM_SampleAndDecode);

void BM_CanonicalStringRoundTrip(benchmark::State& state) {
  const mnas::SearchSpace space;
  std::mt19937_64 rng(2);
  const mnas::Architecture arch = space.sample(rng);
  for (auto _ : state) {
    benchmark::DoNotOptimize(mnas::parse_architecture_string(mnas::to_canonical_string(arch)));
  }
}
BENCHMARK(BM_CanonicalStringRoundTrip);

void BM_CostModel(benchmark::State& state) {
  const mnas::SearchSpace space;
  std::mt19937_64 rng(3);
  const mnas::Architecture arch = space.sample(rng);
  for (auto _ : state) benchmark::DoNotOptimize(mnas::estimate_cost(arch));
}
BENCHMARK(BM_CostModel);

}  // namespace
