#include "export/command_device.h"

#include <cmath>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/json_fields.h"
#include "base/machine.h"
#include "base/number_format.h"
#include "base/printable.h"
#include "base/subprocess.h"
#include "export/onnx_export.h"
#include "latency/measurement.h"
#include "space/architecture.h"

namespace mnas {
namespace {

std::string replaced(std::string text, const std::string& key, const std::string& value) {
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
    text.replace(at, key.size(), value);
  return text;
}

// A stable id for a command: a fingerprint of its text.
std::string command_id(const std::string& command) { return "cmd-" + fingerprint_hex(command); }

double optional_ms(const nlohmann::json& j, const char* key, double fallback) {
  if (!j.contains(key)) return fallback;
  const double v = json_fields::as_double(j[key], std::string("result line: ") + key);
  if (!(v >= 0) || !std::isfinite(v)) {
    throw Error(std::string("result line: ") + key + " must be a number of milliseconds ≥ 0");
  }
  return v;
}

}  // namespace

LatencyStats parse_device_command_output(const std::string& output) {
  if (std::optional<JsonLine> result = last_json_object_line(output)) {
    const nlohmann::json& j = result->value;
    try {
      if (!j.contains("median_ms")) throw Error("result line: no \"median_ms\"");
      LatencyStats s;
      s.median_ms = json_fields::as_double(j["median_ms"], "result line: median_ms");
      if (!(s.median_ms > 0) || !std::isfinite(s.median_ms)) {
        throw Error("result line: median_ms must be a number of milliseconds > 0");
      }
      s.p90_ms = optional_ms(j, "p90_ms", s.median_ms);
      s.mean_ms = optional_ms(j, "mean_ms", s.median_ms);
      s.min_ms = optional_ms(j, "min_ms", std::min(s.median_ms, s.mean_ms));
      s.std_ms = optional_ms(j, "std_ms", 0);
      s.cv = s.mean_ms > 0 ? s.std_ms / s.mean_ms : 0;
      s.runs = 1;
      if (j.contains("runs")) {
        const double runs = json_fields::as_double(j["runs"], "result line: runs");
        if (!(runs >= 1 && runs <= 1e9) || runs != std::floor(runs)) {
          throw Error("result line: runs must be a whole number ≥ 1");
        }
        s.runs = static_cast<int>(runs);
      }
      if (const std::string why = implausible(s); !why.empty()) {
        throw Error("result line: " + why);  // the rules every device's answer meets
      }
      return s;
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + ": " + printable(result->line, 200));
    }
  }
  throw Error("no result line: the command printed no JSON object with \"median_ms\"" +
              (output.empty() ? std::string(" (no output at all)")
                              : "; its output ended with: " + text_tail(output, 300)));
}

CommandDevice::CommandDevice(CommandDeviceOptions options) : options_(std::move(options)) {
  if (options_.command.empty()) {
    throw Error("cmd: needs a command, e.g. cmd:'python3 time_model.py {model}'");
  }
  if (!(options_.timeout_seconds > 0) || options_.timeout_seconds > 86400) {
    throw Error("cmd device timeout: must be in (0, 86400] seconds");
  }
  info_.id = command_id(options_.command);
  info_.cpu_model = "whatever the command runs on";
  info_.machine = "external";
  info_.logical_cpus = 0;
  info_.engine = "command";
  info_.engine_version = options_.command.substr(0, 200);
  info_.mnas_version = MNAS_VERSION;
}

LatencyResult CommandDevice::measure(const Architecture& arch, const TimingRequest& request) {
  validate(request);
  require_fp32(request, "cmd: devices");
  require_classifier(request, "cmd: devices");
  const std::string folder = make_temp_folder(options_.work_root, "mnas-device-");
  const std::string model = folder + "/model.onnx";
  const std::string input = "1," + std::to_string(arch.input.channels) + "," +
                            std::to_string(arch.input.height) + "," +
                            std::to_string(arch.input.width);
  const std::string threads = std::to_string(request.threads);
  try {
    write_onnx_file(model, arch, nullptr);
  } catch (...) {
    remove_tree(folder);
    throw;
  }
  std::string command = options_.command;
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"{model}", model},
                                   {"{input}", input},
                                   {"{threads}", threads},
                                   {"{dir}", folder}}) {
    command = replaced(command, key, value);
  }
  CommandRun run;
  run.command = command;
  run.directory = folder;
  run.environment = {{"MNAS_MODEL", model},
                     {"MNAS_INPUT", input},
                     {"MNAS_THREADS", threads},
                     {"MNAS_WORKDIR", folder}};
  run.timeout_seconds = options_.timeout_seconds;
  const CommandOutcome outcome = run_command(run);
  const std::string kept = " (its folder " + folder + " is kept)";
  const std::string said = outcome.said();
  if (!outcome.ok()) {
    throw Error("the cmd: device's command " + outcome.failure() + kept +
                (said.empty() ? "" : "; it said: " + said));
  }
  LatencyResult r;
  try {
    r.measurement.stats = parse_device_command_output(outcome.out);
  } catch (const Error& e) {
    const std::string what = e.what();
    throw Error("the cmd: device's command: " + what +
                (what.rfind("no result line", 0) == 0 ? outcome.cut_note() : "") + kept);
  }
  remove_tree(folder);
  r.median_ms = r.measurement.stats.median_ms;
  r.measurement.attempts = {r.measurement.stats};
  r.provenance.device = location();
  r.provenance.device_id = info_.id;
  r.provenance.engine = info_.engine;
  r.provenance.engine_version = info_.engine_version;
  r.provenance.cpu_model = info_.cpu_model;
  r.provenance.logical_cpus = 0;
  r.provenance.pinned_cpu = request.protocol.cpu;
  r.provenance.threads = request.threads;
  r.provenance.input_shape = to_string(arch.input);
  r.provenance.timestamp = utc_timestamp();
  return r;
}

PairedLatency CommandDevice::measure_paired(const Architecture& candidate,
                                            const Architecture& reference,
                                            const TimingRequest& request) {
  PairedLatency p;
  p.reference = measure(reference, request);
  p.candidate = measure(candidate, request);
  return p;
}

std::vector<OperatorTiming> CommandDevice::profile(const Architecture&, const TimingRequest&) {
  throw Error("a cmd: device times whole networks only: no per-operator profile (use local or "
              "an mnas-device server)");
}

std::vector<LutEntryTiming> CommandDevice::measure_lut_entries(const std::vector<std::string>&,
                                                               const TimingRequest&) {
  throw Error("a cmd: device times whole networks only: no lookup-table entries (use local or "
              "an mnas-device server)");
}

}  // namespace mnas
