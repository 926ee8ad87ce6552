#ifndef MNAS_EXPORT_COMMAND_DEVICE_H_
#define MNAS_EXPORT_COMMAND_DEVICE_H_

#include <memory>
#include <string>

#include "latency/device.h"
#include "latency/remote_device.h"

namespace mnas {

// Any deployment runtime as a device (`--device phone=cmd:'adb shell ... {model}'`): each
// network to time is exported to ONNX (export/onnx_export.h; random weights: latency does not
// depend on their values) and the user's command is run once for it (latency/subprocess.h:
// `/bin/sh -c`, a folder of its own, a timeout). In the command, these are replaced:
//   {model}    the ONNX file's path          {input}  the input as N,C,H,W (e.g. 1,3,224,224)
//   {threads}  the threads to time with      {dir}    the folder the command runs in
// and the same are in the environment as MNAS_MODEL, MNAS_INPUT, MNAS_THREADS, MNAS_WORKDIR.
// The command prints, as the last line of its output that is a JSON object,
//   {"median_ms": 4.21, "p90_ms": 4.5, "mean_ms": ..., "min_ms": ..., "std_ms": ..., "runs": 50}
// (median_ms required, > 0; the others optional). Anything else — a non-zero exit, a timeout, no
// such line — throws mnas::Error with the command's own last words, which the search records as
// a failed trial. The folder is removed after a measurement that worked and kept (and named)
// after one that failed.
struct CommandDeviceOptions {
  std::string command;           // without the "cmd:" prefix
  // Per network timed; Default: 900 s (devices/open_device.h:
  // DeviceAccess::command_timeout_seconds).
  double timeout_seconds = RemoteOptions{}.read_timeout_seconds;
  std::string work_root;         // where the folders are made; "" = $TMPDIR or /tmp
};

class CommandDevice : public Device {
 public:
  explicit CommandDevice(CommandDeviceOptions options);
  std::string location() const override { return "cmd:" + options_.command; }
  DeviceInfo info() override { return info_; }
  // measure_paired: the reference first, then the candidate, one run of the command each.
  // A command times whole networks: profile and measure_lut_entries throw mnas::Error saying so.
  MNAS_DEVICE_TIMINGS;

 private:
  CommandDeviceOptions options_;
  DeviceInfo info_;
};

// The statistics in a cmd: device's output (exposed for tests): the last line that is a JSON
// object, checked. Throws mnas::Error naming what is wrong, quoting the line or the output's end.
LatencyStats parse_device_command_output(const std::string& output);

}  // namespace mnas

#endif  // MNAS_EXPORT_COMMAND_DEVICE_H_
