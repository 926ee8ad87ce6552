// `mnas lut build` and `mnas lut check`: the per-layer latency lookup table.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/median.h"
#include "base/printable.h"
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/device_options.h"
#include "cli/interrupt.h"
#include "cli/table.h"
#include "graph/graph.h"
#include "latency/latency_json.h"
#include "latency/lookup_table.h"
#include "latency/lut_check.h"
#include "latency/measure_presets.h"
#include "latency/precision.h"

namespace mnas::cli {
namespace {

struct BuildOptions {
  std::string space_file, input = kSearchDefaultInput, out;
  int classes = kSearchDefaultClasses;
  bool recalibrate = false;
  int threads = 1;
  int calibration_samples = 60;
  uint64_t seed = 1;
  std::string precision = "fp32";
  DeviceOptions device;
  MeasureOptions entry = lut_entry_protocol();
  MeasureOptions network = lut_network_protocol();
};

void run_build(const BuildOptions& o) {
  SearchSpace space = o.space_file.empty() ? SearchSpace() : SearchSpace::from_file(o.space_file);
  space.set_input(parse_input_shape(o.input, "--input"));
  space.set_classes(o.classes);
  require_per_layer_device(o.device);
  const Precision precision = parse_precision(o.precision, "--precision");
  const std::shared_ptr<Device> device = open_device(o.device);
  const DeviceInfo info = device->info();
  std::optional<LookupTable> table;
  refuse_special_file(o.out, "--out", "a lookup table file");
  if (path_exists(o.out)) {
    table = LookupTable::load(o.out);
    table->require_space(space);
    table->require_device(info);
    if (table->threads() != o.threads) {
      throw Error("--out: the existing table was measured with " +
                  std::to_string(table->threads()) + " threads, not " + std::to_string(o.threads) +
                  "; use another file");
    }
    if (table->precision() != precision) {
      throw Error::about("--precision", o.precision + ": the existing table " + o.out + " times " +
                                            to_string(table->precision()) + "; use another file");
    }
    std::cerr << "mnas: resuming " << o.out << ": " << table->entries() - table->missing() << "/"
              << table->entries() << " entries measured\n";
  } else {
    table.emplace(space, o.threads, info, precision);
  }
  std::cerr << "mnas: " << to_string(table->precision()) << " lookup table for "
            << to_string(space.input()) << " (skeleton '" << space.skeleton().name << "') on "
            << device->location() << " (" << printable(info.cpu_model) << "): " << table->entries()
            << " layer configurations, " << table->missing() << " to measure\n";
  auto last = std::chrono::steady_clock::now();
  // Ctrl-C or SIGTERM: stops once the entries measured so far are saved (every 25).
  InterruptGuard interrupt;
  const auto stopped = [&](const std::string& what) {
    std::fprintf(stderr,
                 "mnas: lut build stopped by %s %s; %s keeps %zu of %zu entries; the same command "
                 "resumes\n",
                 InterruptGuard::signal_name(), what.c_str(), o.out.c_str(),
                 table->entries() - table->missing(), table->entries());
    throw ExitWith{interrupted_exit_code(InterruptGuard::signal_number())};
  };
  try {
    table->build(*device, o.entry, o.out, [&](const LookupTable::BuildProgress& p) {
      if (InterruptGuard::requested()) throw Interrupted{};
      const auto now = std::chrono::steady_clock::now();
      if (p.done != p.total && now - last < std::chrono::seconds(2)) return;
      last = now;
      const double eta = p.elapsed_seconds / p.done * (p.total - p.done);
      std::fprintf(stderr, "mnas: lut build %zu/%zu (%.0f%%), %s elapsed, ETA %s  [%s]\n", p.done,
                   p.total, 100.0 * p.done / p.total, format_duration(p.elapsed_seconds).c_str(),
                   format_duration(eta).c_str(), p.key->c_str());
    });
  } catch (const Interrupted&) {
    stopped("while measuring entries");
  }
  if (o.recalibrate || table->calibration_samples() != o.calibration_samples) {
    std::cerr << "mnas: calibrating on " << o.calibration_samples
              << " random architectures measured whole...\n";
    try {
      table->calibrate(*device, o.calibration_samples, o.seed, o.network, [](int done, int total) {
        if (InterruptGuard::requested()) throw Interrupted{};
        if (done % 10 == 0 || done == total)
          std::fprintf(stderr, "mnas: calibration %d/%d\n", done, total);
      });
    } catch (const Interrupted&) {
      stopped("while calibrating (the calibration is fitted again next time)");
    }
    table->save(o.out);
  }
  std::printf(
      "%s: %zu %s entries; calibration: predicted = %.4f x sum + %.4f ms/Mparam + %.4f ms "
      "(%d samples)\n",
      o.out.c_str(), table->entries(), to_string(table->precision()).c_str(), table->scale(),
      table->ms_per_mparam(), table->offset_ms(), table->calibration_samples());
}

struct CheckOptions {
  std::string table;
  int samples = 100;
  uint64_t seed = 7;
  bool json = false;
  std::string precision;  // "": the table's
  DeviceOptions device;
  MeasureOptions network = lut_network_protocol();
};

void run_check(const CheckOptions& o) {
  if (o.samples < 1) throw Error("--samples: must be ≥ 1");
  require_per_layer_device(o.device);  // the table was measured on a local or mnas-device CPU
  const LookupTable table = LookupTable::load(o.table);
  if (!o.precision.empty() && parse_precision(o.precision, "--precision") != table.precision()) {
    throw Error::about("--precision", o.precision + ": " + o.table + " times " +
                                          to_string(table.precision()) +
                                          " (mnas lut build "
                                          "--precision " +
                                          o.precision + " makes such a table)");
  }
  const std::shared_ptr<Device> device = open_device(o.device);
  table.require_device(device->info());
  if (table.missing() > 0) {
    throw Error(o.table + ": " + std::to_string(table.missing()) +
                " entries are not measured; finish `mnas lut build` first");
  }
  const LutCheck r = check_lookup_table(
      table, *device, o.samples, o.seed, o.network, [](int done, int samples, int within) {
        if (done % 10 == 0 || done == samples) {
          std::fprintf(stderr, "mnas: lut check %d/%d, within 10%% so far %d\n", done, samples,
                       within);
        }
      });
  // Measured here: a table built while a training run shared the cores predicted 13% high five
  // hours later (37% within ±10%); re-calibrated, 94%.
  if (std::fabs(r.bias_pct) > kLutBiasWarningPct) {
    std::fprintf(stderr,
                 "mnas: warning: the predictions are %.1f%% %s than the measurements on the "
                 "whole: this machine runs at another speed than when %s was calibrated (busy "
                 "neighbours, another power state); `mnas lut build --out %s --recalibrate` fits "
                 "the calibration again and keeps the entries\n",
                 std::fabs(r.bias_pct), r.bias_pct > 0 ? "higher" : "lower", o.table.c_str(),
                 o.table.c_str());
  }
  if (o.json) {
    std::cout << nlohmann::json{{"samples", r.samples},
                                {"precision", to_string(table.precision())},
                                {"within_10pct", double(r.within_10pct) / r.samples},
                                {"mape", r.mape_pct},
                                {"max_error_pct", r.max_error_pct},
                                {"bias_pct", r.bias_pct},
                                {"predictions_per_second", r.predictions_per_second},
                                {"provenance", provenance_json(table.provenance())}}
                     .dump(2)
              << "\n";
    return;
  }
  std::printf(
      "%s (%s) on %d random architectures: %.1f%% within +-10%% of the measured median, MAPE "
      "%.2f%%, worst %.1f%%, median bias %+.1f%%; %.0f predictions/s\n",
      o.table.c_str(), to_string(table.precision()).c_str(), r.samples,
      100.0 * r.within_10pct / r.samples, r.mape_pct, r.max_error_pct, r.bias_pct,
      r.predictions_per_second);
}

// Where and how both subcommands time: the protocol of each `what` they measure, on a device
// that times single layers.
void add_timing_options(CLI::App* cmd, MeasureOptions& m, const std::string& what,
                        DeviceOptions& device) {
  cmd->add_option("--runs", m.min_runs, "Minimum timed runs per " + what);
  cmd->add_option("--min-secs", m.min_seconds, "Minimum seconds per " + what);
  cmd->add_option("--max-secs", m.max_seconds, "Maximum seconds per " + what);
  add_device_options(cmd, device, /*per_layer=*/true);
}

}  // namespace

void add_lut_command(CLI::App& app) {
  CLI::App* lut = app.add_subcommand(
      "lut", "Per-layer latency lookup table: build it on this device, check its predictions");
  lut->require_subcommand(1);
  lut->description(
      "Per-layer latency lookup table: build it on a device (this machine, or a target with "
      "--device URL), check its predictions there");

  const auto [b, build] = add_subcommand<BuildOptions>(
      *lut, "build",
      "Measure every layer configuration of a search space at an input shape, then "
      "calibrate against whole networks; resumes an interrupted build of the same file",
      run_build);
  build->add_option("--space", b->space_file,
                    "Search-space JSON file (default: the paper's space)");
  build->add_option(
      "--input", b->input,
      std::string("Input shape HxWxC (default ") + kSearchDefaultInput + ", the search's)");
  build->add_option(
      "--classes", b->classes,
      "Number of classes (default " + std::to_string(kSearchDefaultClasses) + ", the search's)");
  build->add_option("--out", b->out, "Table file to write (and resume)")->required();
  build->add_option("--threads", b->threads, "Inference threads (default 1)");
  build->add_option("--precision", b->precision,
                    "fp32 (default) or int8: the arithmetic the entries and the calibration's "
                    "networks are timed in (a check and a search use the table's)");
  build->add_option("--calibration-samples", b->calibration_samples,
                    "Random architectures measured whole to fit the calibration (default 60)");
  build->add_option("--seed", b->seed, "Seed of the calibration samples (default 1)");
  build->add_flag("--recalibrate", b->recalibrate,
                  "Fit the calibration again on a complete table (keeps the entries): after "
                  "`lut check` reports a bias, i.e. the machine now runs at another speed");
  add_timing_options(build, b->entry, "entry (default 30 runs, 0.05 s, at most 2 s)", b->device);

  const auto [c, check] = add_subcommand<CheckOptions>(
      *lut, "check", "Compare the table's predictions with measurements of random architectures",
      run_check);
  check->add_option("LUT", c->table, "Table file")->required();
  check->add_option("--samples", c->samples, "Random architectures to measure (default 100)");
  check->add_option("--seed", c->seed, "Seed of the samples (default 7)");
  check->add_option("--precision", c->precision,
                    "fp32 or int8: refuse a table of another precision (default: the table's, "
                    "which the networks are measured in)");
  add_timing_options(check, c->network, "architecture (default 50 runs, 0.3 s, at most 5 s)",
                     c->device);
  check->add_flag("--json", c->json,
                  "Machine-readable output: within_10pct, mape, predictions_per_second, ...");
}

}  // namespace mnas::cli
