// What `mnas search` prints while it runs: the devices in its banner, a line per trial and rung.
#include <cstdio>
#include <string>

#include "base/number_format.h"
#include "base/printable.h"
#include "cli/search_options.h"

namespace mnas::cli {
namespace {

std::string trial_latencies(const StoredTrial& t) {
  if (t.latencies.empty()) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "lat %.3f ms", t.latency_ms);
    return buf;
  }
  std::string out;
  for (const DeviceLatency& d : t.latencies) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s%s %.3f ms (%.2f T)", out.empty() ? "" : ", ",
                  t.latencies.size() > 1 ? d.device.c_str() : "lat", d.latency_ms, d.ratio);
    out += buf;
    if (d.measured_ms > 0) {  // a prediction, confirmed on the device
      std::snprintf(buf, sizeof buf, " [measured %.3f ms]", d.measured_ms);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string describe_devices(const SearchConfig& c) {
  if (c.latency == "surrogate") return "latency synthetic (surrogate)";
  std::string out;
  for (const DeviceObjective& d : c.devices) {
    out += out.empty() ? "" : "; ";
    out += d.name + (d.url == "local" ? " (this machine" : " (" + d.url);
    out += d.target_ms > 0 ? ", T = " + format_double(d.target_ms) + " ms"
                           : ", T = " + d.target + " timed alongside";
    out += ", " + d.latency_stat + ", one thread";  // the paper's protocol: one core
    out += d.precision == "fp32" ? ")" : ", " + d.precision + ")";
  }
  if (c.latency.rfind("lut:", 0) == 0) {
    const std::string& where = c.devices.front().url;
    out += ", predicted by " + c.latency.substr(4) + " (checked on " +
           (where == "local" ? std::string("this machine") : where) + ": every Pareto entry and " +
           format_double(100 * c.latency_check.confirm_share) + "% of the rest)";
  }
  if (quantized_accuracy(c)) out += "; accuracy of the int8 network (quantized after training)";
  return "devices " + out;
}

void print_progress(const SearchProgress& p, const char* score) {
  const char* percent = std::string(score) == "mAP" ? "" : "%";  // COCO's mAP is printed × 100
  if (p.rung) {  // one rung of a multi-fidelity step
    const StoredRung& r = *p.rung;
    std::fprintf(stderr,
                 "mnas: step %d proposal %d rung %d/%d (%lld images) %s %s %.2f%s lat "
                 "%.3f ms reward %.4f%s%s\n",
                 r.step + 1, r.index + 1, r.rung + 1, p.rungs, static_cast<long long>(r.images),
                 r.status.c_str(), score, 100 * r.accuracy, percent, r.latency_ms, r.reward,
                 r.failure.empty() ? "" : ": ", printable(r.failure, 2000).c_str());
    return;
  }
  const StoredTrial& t = *p.trial;
  const std::string rung =
      t.partial ? " (rung " + std::to_string(t.rung + 1) + ", reward comparable)" : "";
  std::fprintf(stderr,
               "mnas: trial %lld/%lld %s%s %s %.2f%s %s reward %.4f%s%s%s | best %.4f | ETA "
               "%.0fs\n",
               static_cast<long long>(p.done), static_cast<long long>(p.total), t.status.c_str(),
               rung.c_str(), score, 100 * t.accuracy, percent, trial_latencies(t).c_str(), t.reward,
               t.cached ? " (seen before)" : "", t.failure.empty() ? "" : ": ",
               printable(t.failure, 2000).c_str(), p.best_reward, p.eta_seconds);
}

}  // namespace mnas::cli
