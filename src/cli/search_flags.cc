// `mnas search`'s flags and their help: what README's command list and --help show.
#include "cli/device_options.h"
#include "cli/search_options.h"
#include "search/search_config_fields.h"

namespace mnas::cli {

void declare_search_flags(CLI::App* cmd, SearchCommandOptions& o) {
  cmd->add_option("--store", o.store,
                  "SQLite file of the search (created; with --resume, continued)")
      ->required();
  cmd->add_flag("--resume", o.resume,
                "Continue the search in --store with its stored configuration");
  cmd->add_option("--trials", o.trials,
                  "Trials in the store when the search ends (default 200, or fewer if the default "
                  "time budget ends the search first; a resume keeps the search's own unless "
                  "given)");
  cmd->add_option("--references", o.references,
                  "Zoo models evaluated the same way at the end, for comparison: all (default), "
                  "none, or a comma-separated list (e.g. mobilenetv2,mnasnet-a1), a name at a "
                  "width multiplier too (mobilenetv2@0.35)");
  cmd->add_option("--report", o.report,
                  "HTML report written at the end (default: the store's name with .html)");
  cmd->add_option("--time-budget", o.time_budget,
                  "Stop starting trials after this many seconds (default: 1140, the main job's 19 "
                  "minutes, when --trials is not given either; none when it is)");
  cmd->add_option("--threads", o.threads, "Training threads (default: every core)");
  cmd->add_option("--train-device", o.train_device,
                  "Where the proxy trains: auto (default: the first GPU when this LibTorch has "
                  "CUDA and sees one, else the CPU), cpu, cuda or cuda:K; under mpirun cuda "
                  "gives each worker rank its own GPU (its rank on its machine modulo the GPUs)");
  cmd->add_option("--data-dir", o.data_dir, "Directory of the data set files");
  cmd->add_option("--surrogate-cost-ms", o.surrogate_cost_ms,
                  "With --evaluator surrogate: sleep this long per trial, a stand-in for training "
                  "(throughput benchmarks, e.g. bench/mpi_scaling.sh; default 0)");
  cmd->add_option("--work-dir", o.work_dir,
                  "Where a cmd: evaluator's trial folders are made (default: $TMPDIR or /tmp)");
  // The configuration: one option per field of the tables, its help and default from there.
  add_field_flags(cmd, search_config_fields(), o.config);
  cmd->add_option("--device", o.devices,
                  "A target device, NAME=URL (repeatable): an mnas-device server "
                  "(http://HOST:PORT), local (this machine), cmd:COMMAND (any runtime: the "
                  "command times the exported ONNX file {model} and prints {\"median_ms\": ...}; "
                  "docs/devices.md) or, with --space nb201, table:DEVICE (pixel3 (default), "
                  "raspi4, pixel2, samsung_a50, samsung_s7, essential_ph_1, gold_6226, "
                  "titan_rtx_1, eyeriss, fpga; T: the device's median unless --target-ms). "
                  "Default: local. The reward multiplies one latency term per "
                  "device")
      ->take_all();
  add_search_device_access_options(cmd, o.token_files, o.device_retries, o.device_timeout);
  for (const Field<DeviceObjective>& f : device_objective_fields()) {
    if (f.flag_name.empty()) continue;
    cmd->add_option(f.flag_name, o.per_device[f.key], field_table::help_with_default(f));
  }
  cmd->add_flag("--json", o.json, "Print the results as JSON at the end");
}

}  // namespace mnas::cli
