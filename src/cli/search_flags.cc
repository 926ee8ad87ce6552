// `mnas search`'s flags and their help: what README's command list and --help show.
#include "cli/device_options.h"
#include "cli/search_options.h"

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
  cmd->add_option("--strategy", o.strategy,
                  "ppo (default: MnasNet's controller), predictor (boosted-tree models of "
                  "accuracy and latency propose what to try), reinforce, evolution or random");
  cmd->add_option("--seed", o.seed, "Seed of the strategy (default 1)");
  cmd->add_option(
      "--evaluator", o.evaluator,
      "proxy (default: proxy training), surrogate (synthetic accuracy, and synthetic latency "
      "unless --device is given: for trying strategies), cmd:COMMAND (your own trainer, run "
      "once per trial with the architecture on stdin; it prints {\"accuracy\": ...}: "
      "docs/evaluators.md) or, with --space nb201, table:DATASET (cifar10 (default), cifar100, "
      "imagenet16_120)");
  cmd->add_option("--command-timeout", o.command_timeout,
                  "Seconds a cmd: evaluator may take per trial before it is killed and the trial "
                  "failed (default 3600)");
  cmd->add_option("--work-dir", o.work_dir,
                  "Where a cmd: evaluator's trial folders are made (default: $TMPDIR or /tmp)");
  cmd->add_option("--space", o.space,
                  "Search-space JSON file (default: the paper's space), or nb201: NAS-Bench-201's "
                  "15,625 cells with their accuracy and real devices' latency looked up in the "
                  "built-in table (a 200-trial search takes about a second; its exact optimum is "
                  "the reference; docs/benchmarks.md)");
  cmd->add_option("--input", o.input,
                  "Input shape (default 28x28x1, or the --dataset's own: an image folder's first "
                  "image, 224x224 at most)");
  cmd->add_option("--multiplier", o.multiplier,
                  "Width multiplier of the space's skeleton (stem and block filters, rounded to "
                  "multiples of 8; default 1.0): below 1 for latency targets as small as "
                  "MnasNet-small's");
  cmd->add_option("--classes", o.classes, "Classes (default 10, or the --dataset's)");
  cmd->add_option(
      "--dataset", o.dataset,
      "Proxy data set: fashion-mnist (default), mnist, cifar10, cifar100 or folder:PATH "
      "(PATH/train/<class>/ and PATH/test/<class>/ images, or PATH/<class>/ for training only; "
      "PNG, JPEG, BMP or GIF, resized to the input)");
  cmd->add_option("--reward", o.reward,
                  "soft (default: alpha = beta = -0.07) or hard (alpha = 0, beta = -1)");
  cmd->add_option("--alpha", o.alpha, "Exponent at or under the target (overrides the preset)");
  cmd->add_option("--beta", o.beta, "Exponent over the target (overrides the preset)");
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
  cmd->add_option(
      "--target", o.targets,
      "T as a zoo model timed on the device alongside each candidate (the reward uses the "
      "ratio of the two, which a drifting machine does not bias): mobilenetv2 (default, the "
      "paper's choice) or e.g. 0.8x:mnasnet-a1; NAME=SPEC for one device");
  cmd->add_option("--target-ms", o.target_ms,
                  "T fixed in milliseconds instead of --target; NAME=MS for one device");
  cmd->add_option("--latency-stat", o.latency_stats,
                  "The statistic LAT and T are: median (default) or p90; NAME=STAT for one device "
                  "(the store keeps every statistic either way)");
  cmd->add_option("--latency", o.latency,
                  "measured (default: on the devices) or lut:FILE (a lookup table predicts the "
                  "latency of the one device it was built on: this machine, or a board's "
                  "mnas-device with --device NAME=URL; docs/latency.md)");
  cmd->add_option("--confirm-share", o.confirm_share,
                  "With --latency lut:FILE: the share of trials (besides every one entering the "
                  "Pareto front) also measured on the device to check the table (default 0.05)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--drift-threshold", o.drift_threshold,
                  "With --latency lut:FILE: the median bias of predictions over measurements "
                  "beyond which the table's calibration is refit from the search's own "
                  "measurements (default 0.05)")
      ->check(CLI::Range(0.001, 1.0));
  cmd->add_option("--fidelity", o.fidelity,
                  "Multi-fidelity proxy: training images per rung, e.g. 1000,5000 (the last is the "
                  "full proxy and sets --train-images): every proposal of a step trains on the "
                  "first, the best 1/--fidelity-keep of each rung go on to the next (default for a new "
                  "proxy search: a tenth of --train-images, then all, from 1,000 images up; "
                  "none: one rung)");
  cmd->add_option("--fidelity-keep", o.fidelity_keep,
                  "With --fidelity: the reduction factor between rungs (default 3: the best third "
                  "goes on)")
      ->check(CLI::Range(2, 100));
  cmd->add_flag("--fidelity-continue,!--no-fidelity-continue", o.fidelity_continue,
                "With --fidelity (the default for a new search): a proposal is one proxy "
                "training, scored at each rung it reaches (after the rung's first images, on the "
                "full run's schedule), and one that goes on continues it (a promoted proposal "
                "costs the full proxy, not the full proxy plus the rungs below). "
                "--no-fidelity-continue trains each rung from scratch; a resume keeps what the "
                "search ran with");
  cmd->add_option("--epochs", o.epochs, "Proxy training epochs (default 1)");
  cmd->add_option("--train-images", o.train_images, "Proxy training images (default 5000)");
  cmd->add_option("--holdout", o.holdout,
                  "Held-out images the accuracy is measured on (default 2000)");
  cmd->add_option("--batch", o.batch, "Proposals per strategy step (default 6)");
  cmd->add_option("--failed-reward", o.failed_reward, "Reward of a failed trial (default 0)");
  cmd->add_option("--controller-lr", o.controller_lr,
                  "The controller's Adam learning rate, ppo and reinforce (default: 3.5e-3 up "
                  "to 200 --trials, falling as 1/trials to NASNet's 3.5e-4 at 2,000; kept by "
                  "the store)");
  cmd->add_flag("--json", o.json, "Print the results as JSON at the end");
}

}  // namespace mnas::cli
