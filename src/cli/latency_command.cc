// `mnas latency`: measure an architecture's inference latency on a device (this machine by
// default) with XNNPACK.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/printable.h"
#include "cli/arch_argument.h"
#include "cli/commands.h"
#include "cli/device_options.h"
#include "cli/field_flags.h"
#include "cli/table.h"
#include "graph/graph.h"
#include "latency/latency_json.h"
#include "latency/latency_result.h"
#include "latency/measure_presets.h"
#include "latency/operator_profile.h"
#include "space/architecture_codec.h"

namespace mnas::cli {
namespace {

// What `mnas latency --help` says the command does.
constexpr const char* kAbout =
    "Measure an architecture's inference latency on this machine or a target device "
    "(XNNPACK, fp32 or int8, batch 1)";

struct LatencyCommandOptions {
  ArchOptions arch;
  DeviceOptions device;
  int threads = 1;
  std::string precision = "fp32";
  std::string task = "classification";
  FieldFlags measure_flags;  // the protocol's flags as given (measure_presets.h's table)
  MeasureOptions measure = latency_command_protocol();  // with them applied
  bool profile = false;
  std::string versus;
  bool json = false;
  const CLI::App* cmd = nullptr;
};

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void print_profile(const std::vector<OperatorTiming>& ops, double whole_ms) {
  double sum = 0;
  for (const OperatorTiming& t : ops) sum += t.median_ms;
  Table table({"#", "operator", "kind", "k/s", "input", "output", "MMACs", "ms", "share", "GMAC/s"},
              {true, false, false, false, false, false, true, true, true, true});
  std::map<std::string, std::pair<double, int64_t>> by_kind;  // ms, MACs
  for (const OperatorTiming& t : ops) {
    const bool rate = t.macs > 0 && t.median_ms > 0;
    table.add_row({std::to_string(t.op), t.name, t.kind,
                   std::to_string(t.kernel) + "/" + std::to_string(t.stride), to_string(t.in),
                   to_string(t.out), t.macs ? fixed(t.macs / 1e6, 2) : "", fixed(t.median_ms, 4),
                   fixed(100 * t.median_ms / sum, 1) + "%",
                   rate ? fixed(t.macs / t.median_ms / 1e6, 1) : ""});
    by_kind[t.kind].first += t.median_ms;
    by_kind[t.kind].second += t.macs;
  }
  std::printf("%s\n", table.render().c_str());
  Table kinds({"kind", "ms", "share", "GMAC/s"}, {false, true, true, true});
  for (const auto& [kind, v] : by_kind) {
    kinds.add_row({kind, fixed(v.first, 3), fixed(100 * v.first / sum, 1) + "%",
                   v.second ? fixed(v.second / v.first / 1e6, 1) : ""});
  }
  std::printf("%s\n", kinds.render().c_str());
  std::printf(
      "operators alone: %.3f ms in all, the whole network %.3f ms (alone, an operator's weights "
      "and input stay in cache)\n",
      sum, whole_ms);
}

void run_latency(const LatencyCommandOptions& o) {
  const ResolvedArch r = resolve_arch(o.arch.arch, adjustments(o.arch));
  const std::shared_ptr<Device> device = open_device(o.device);
  TimingRequest request;
  request.threads = o.threads;
  request.protocol = o.measure;
  request.precision = parse_precision(o.precision, "--precision");
  if (o.task == "detection") request.detector_categories = r.arch.classes;
  try {
    validate(request);
  } catch (const Error& e) {
    rethrow_naming_flag(e, measure_option_fields());
  }
  const std::string what =
      request.detector_categories > 0
          ? "SSDLite on " + r.label + " (" + std::to_string(r.arch.classes) + " categories)"
          : r.label;
  std::cerr << "mnas: measuring " << what << " on " << device->location() << " ("
            << to_string(r.arch.input) << ", " << o.threads << " thread"
            << (o.threads > 1 ? "s" : "") << ", " << o.precision << ", at least "
            << o.measure.min_runs << " runs and " << o.measure.min_seconds << " s, at most "
            << o.measure.max_seconds << " s per attempt)...\n";
  // With --versus, both networks are timed alternately in one measurement: their ratio is what a
  // machine that speeds up or slows down meanwhile does not change.
  std::optional<ResolvedArch> versus;
  std::optional<LatencyResult> reference;
  LatencyResult result;
  if (o.versus.empty()) {
    result = device->measure(r.arch, request);
  } else {
    // Built at ARCH's input and classes, as a search builds T's model (a zoo model at a small
    // input takes the small-input stem, as in the search).
    ArchAdjustments at_arch = adjustments(o.arch);
    at_arch.input = r.arch.input;
    at_arch.classes = r.arch.classes;
    versus = resolve_arch(o.versus, at_arch);
    std::cerr << "mnas: alternately with " << versus->label << "\n";
    const PairedLatency paired = device->measure_paired(r.arch, versus->arch, request);
    result = paired.candidate;
    reference = paired.reference;
  }
  std::vector<OperatorTiming> operators;
  if (o.profile) {
    // Each operator measured alone (operator_profile.h): short measurements, the table is about
    // shares and rates, not the last percent.
    std::cerr << "mnas: profiling every operator alone on " << device->location() << "...\n";
    TimingRequest each = request;
    each.protocol = operator_profile_protocol(o.measure);
    operators = device->profile(r.arch, each);
  }
  if (o.json) {
    nlohmann::json j = latency_json(result);
    j["arch"] = r.label;
    j["canonical"] = to_canonical_string(r.arch);
    j["task"] = o.task;
    j["protocol"] = protocol_json(o.measure);
    if (o.profile) j["operators"] = operators_json(operators);
    if (reference) {
      j["versus"] = latency_json(*reference);
      j["versus"]["arch"] = versus->label;
      j["versus"]["canonical"] = to_canonical_string(versus->arch);
      j["ratio_median"] = result.median_ms / reference->median_ms;
      j["ratio_p90"] = result.measurement.stats.p90_ms / reference->measurement.stats.p90_ms;
    }
    std::cout << j.dump(2) << "\n";
    return;
  }
  if (o.profile) print_profile(operators, result.measurement.stats.median_ms);
  const LatencyStats& s = result.measurement.stats;
  std::printf("%s: median %.3f ms (min %.3f, mean %.3f, std %.3f, p90 %.3f; cv %.1f%%, %d runs",
              what.c_str(), s.median_ms, s.min_ms, s.mean_ms, s.std_ms, s.p90_ms, 100 * s.cv,
              s.runs);
  if (result.measurement.attempts.size() > 1) {
    std::printf(", best of %zu attempts", result.measurement.attempts.size());
  }
  const Provenance& p = result.provenance;
  const std::string where = p.device == "local" ? "" : p.device + ": ";
  std::printf(")\n  %s%s %s, %d thread%s, input %s, %s (%d logical CPUs%s), %s\n", where.c_str(),
              printable(p.engine).c_str(), printable(p.engine_version).c_str(), p.threads,
              p.threads > 1 ? "s" : "", printable(p.input_shape).c_str(),
              printable(p.cpu_model).c_str(), p.logical_cpus,
              p.pinned_cpu >= 0 ? (", pinned to " + std::to_string(p.pinned_cpu)).c_str() : "",
              p.timestamp.c_str());
  if (reference) {
    const LatencyStats& v = reference->measurement.stats;
    std::printf("%s (timed alternately): median %.3f ms (p90 %.3f; cv %.1f%%)\n",
                versus->label.c_str(), v.median_ms, v.p90_ms, 100 * v.cv);
    std::printf("ratio %s / %s: %.4f (median), %.4f (p90)\n", r.label.c_str(),
                versus->label.c_str(), s.median_ms / v.median_ms, s.p90_ms / v.p90_ms);
  }
}

}  // namespace

void add_latency_command(CLI::App& app) {
  const auto [o, cmd] = add_subcommand<LatencyCommandOptions>(
      app, "latency", kAbout, [](LatencyCommandOptions& given) {
        try {
          apply_given_flags(*given.cmd, measure_option_fields(), given.measure_flags,
                            given.measure);
        } catch (const Error& e) {
          rethrow_naming_flag(e, measure_option_fields());
        }
        run_latency(given);
      });
  add_arch_options(cmd, o->arch);
  add_device_options(cmd, o->device);
  cmd->add_option("--threads", o->threads, "Inference threads (default 1)");
  cmd->add_option("--precision", o->precision,
                  "fp32 (default) or int8: per-channel int8 weights and int8 activations, the "
                  "input and logits converted inside; --profile too (here or on an mnas-device; "
                  "random weights, as for fp32: timing does not depend on them)");
  cmd->add_option("--task", o->task,
                  "classification (default: ARCH's classifier) or detection: SSDLite with ARCH as "
                  "its backbone, for --classes categories (docs/detection.md: backbone, extra "
                  "and prediction layers; softmax, box decoding and NMS are not timed); with "
                  "--versus both are detectors")
      ->check(CLI::IsMember({"classification", "detection"}));
  add_field_flags(cmd, measure_option_fields(), o->measure_flags, latency_command_protocol());
  cmd->add_flag("--profile", o->profile,
                "Then measure every operator alone and print where the time goes (ms, share, "
                "GMAC/s per operator and per kind)");
  cmd->add_option("--versus", o->versus,
                  "Time ARCH alternately with this architecture (e.g. mobilenetv2, at ARCH's input "
                  "and classes) and print the ratio: what a search's --target uses");
  cmd->add_flag("--json", o->json,
                "Machine-readable output: median_ms, min_ms, mean_ms, std_ms, p90_ms, cv, runs, "
                "engine, provenance, attempts, protocol (and operators with --profile)");
}

}  // namespace mnas::cli
