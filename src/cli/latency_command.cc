// `mnas latency`: measure an architecture's inference latency on this machine with XNNPACK.
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/arch_argument.h"
#include "cli/commands.h"
#include "latency/latency_json.h"
#include "latency/latency_model.h"
#include "space/architecture_codec.h"

namespace mnas::cli {
namespace {

struct LatencyCommandOptions {
  ArchOptions arch;
  int threads = 1;
  MeasureOptions measure;
  bool json = false;
};

void run_latency(const LatencyCommandOptions& o) {
  const ResolvedArch r = resolve_arch(o.arch.arch, adjustments(o.arch));
  XnnpackLatency model(o.threads, o.measure);
  std::cerr << "mnas: measuring " << r.label << " (" << to_string(r.arch.input) << ", " << o.threads
            << " thread" << (o.threads > 1 ? "s" : "") << ", at least " << o.measure.min_runs
            << " runs and " << o.measure.min_seconds << " s, at most " << o.measure.max_seconds
            << " s per attempt)...\n";
  const LatencyResult result = model.latency(r.arch);
  if (o.json) {
    nlohmann::json j = latency_json(result);
    j["arch"] = r.label;
    j["canonical"] = to_canonical_string(r.arch);
    std::cout << j.dump(2) << "\n";
    return;
  }
  const LatencyStats& s = result.measurement.stats;
  std::printf("%s: median %.3f ms (min %.3f, mean %.3f, std %.3f, p90 %.3f; cv %.1f%%, %d runs",
              r.label.c_str(), s.median_ms, s.min_ms, s.mean_ms, s.std_ms, s.p90_ms, 100 * s.cv,
              s.runs);
  if (result.measurement.attempts.size() > 1) {
    std::printf(", best of %zu attempts", result.measurement.attempts.size());
  }
  const Provenance& p = result.provenance;
  std::printf(")\n  %s %s, %d thread%s, input %s, %s (%d logical CPUs%s), %s\n", p.engine.c_str(),
              p.engine_version.c_str(), p.threads, p.threads > 1 ? "s" : "", p.input_shape.c_str(),
              p.cpu_model.c_str(), p.logical_cpus,
              p.pinned_cpu >= 0 ? (", pinned to " + std::to_string(p.pinned_cpu)).c_str() : "",
              p.timestamp.c_str());
}

}  // namespace

void add_latency_command(CLI::App& app) {
  auto o = std::make_shared<LatencyCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "latency",
      "Measure an architecture's inference latency on this machine (XNNPACK, fp32, batch 1)");
  add_arch_options(cmd, o->arch);
  cmd->add_option("--threads", o->threads, "Inference threads (default 1)");
  cmd->add_option("--runs", o->measure.min_runs, "Minimum timed runs per attempt (default 50)");
  cmd->add_option("--min-secs", o->measure.min_seconds,
                  "Minimum seconds of timed runs per attempt (default 1)");
  cmd->add_option("--max-secs", o->measure.max_seconds,
                  "Maximum seconds of timed runs per attempt (default 10)");
  cmd->add_option("--warmup", o->measure.warmup_runs,
                  "Warm-up runs (default 1, and 0.2 s at least)");
  cmd->add_option("--cpu", o->measure.cpu,
                  "Pin the measurement to this logical CPU (default: no pinning)");
  cmd->add_option("--max-cv", o->measure.max_cv,
                  "Re-measure when the coefficient of variation is above this (default 0.05)");
  cmd->add_option("--attempts", o->measure.max_attempts, "Attempts at most (default 3)");
  cmd->add_flag("--json", o->json,
                "Machine-readable output: median_ms, min_ms, mean_ms, std_ms, p90_ms, cv, runs, "
                "engine, provenance, attempts");
  cmd->callback([o] { run_latency(*o); });
}

}  // namespace mnas::cli
