#include "report/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "report/architecture_svg.h"
#include "report/svg_chart.h"
#include "search/reward.h"
#include "search/search_config.h"
#include "search/search_loop.h"
#include "space/architecture_codec.h"

namespace mnas {
namespace {

constexpr const char* kTrialColor = "#3b6fb6";
constexpr const char* kFailedColor = "#c0392b";
constexpr const char* kAverageColor = "#e67e22";
constexpr const char* kBestColor = "#27ae60";
constexpr const char* kFrontColor = "#e67e22";
constexpr const char* kTargetColor = "#7f3fbf";
constexpr const char* kReferenceColor = "#222";

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

std::string trial_tooltip(const StoredTrial& t) {
  return "trial " + std::to_string(t.id) + ": " + fmt("%.2f%%", 100 * t.accuracy) + ", " +
         fmt("%.3f ms", t.latency_ms) + ", reward " + fmt("%.4f", t.reward) +
         (t.status == "failed" ? " (failed: " + t.failure + ")" : "") +
         (t.partial ? " (stopped at rung " + std::to_string(t.rung + 1) + ": its accuracy)" : "");
}

// Rewards over trials, their moving average and the best so far.
std::string reward_chart(const std::vector<StoredTrial>& trials, int window) {
  SvgChart chart("Reward over trials", "trial", "reward");
  std::vector<double> x, y, fx, fy, ax, ay, bx, by;
  std::vector<std::string> tips, ftips;
  double sum = 0, best = -1e300;
  for (size_t i = 0; i < trials.size(); ++i) {
    const StoredTrial& t = trials[i];
    (t.status == "done" ? x : fx).push_back(static_cast<double>(t.id));
    (t.status == "done" ? y : fy).push_back(t.reward);
    (t.status == "done" ? tips : ftips).push_back(trial_tooltip(t));
    sum += t.reward;
    if (i >= static_cast<size_t>(window)) sum -= trials[i - window].reward;
    if (i + 1 >= static_cast<size_t>(std::min<size_t>(window, trials.size()))) {
      ax.push_back(static_cast<double>(t.id));
      ay.push_back(sum / std::min<double>(window, static_cast<double>(i + 1)));
    }
    best = std::max(best, t.reward);
    bx.push_back(static_cast<double>(t.id));
    by.push_back(best);
  }
  chart.add_points(x, y, kTrialColor, 3, tips, 0.6);
  chart.add_crosses(fx, fy, kFailedColor, ftips);
  chart.add_line(ax, ay, kAverageColor, 2.5);
  chart.add_line(bx, by, kBestColor, 2, false, true);
  chart.add_legend("trial", kTrialColor);
  if (!fx.empty()) chart.add_legend("failed", kFailedColor);
  chart.add_legend("moving average (" + std::to_string(window) + ")", kAverageColor);
  chart.add_legend("best so far", kBestColor);
  return chart.render();
}

// The accuracy–latency view is zoomed to where the decision is — the Pareto front, the zoo and
// the better trials — rather than to the whole range (a few diverged trials at 10% squashed the
// front against the top). Trials outside it are drawn grey on its edge; `note` says how many.
std::string accuracy_latency_chart(const std::vector<StoredTrial>& trials,
                                   const std::vector<StoredTrial>& front,
                                   const std::vector<StoredReference>& references,
                                   double target_ms, std::string* note) {
  SvgChart chart("Held-out accuracy vs latency", "latency (ms)", "held-out accuracy (%)");
  std::vector<double> x, y;
  std::vector<std::string> tips;
  int failed = 0;
  for (const StoredTrial& t : trials) {
    failed += t.status == "failed";
    // A multi-fidelity trial that stopped at a lower rung has that rung's accuracy: not
    // comparable with the full proxy's, so not drawn here (the histogram counts it).
    if (t.status != "done" || t.cached || t.partial) continue;
    x.push_back(t.latency_ms);
    y.push_back(100 * t.accuracy);
    tips.push_back(trial_tooltip(t));
  }
  std::vector<double> px, py;
  std::vector<std::string> ptips;
  for (const StoredTrial& t : front) {
    px.push_back(t.latency_ms);
    py.push_back(100 * t.accuracy);
    ptips.push_back("Pareto front, " + trial_tooltip(t));
  }
  std::vector<const StoredReference*> done_refs;
  for (const StoredReference& r : references) {
    if (r.status == "done") done_refs.push_back(&r);
  }
  int below = 0, beyond = 0;
  if (x.size() >= 8) {
    // Accuracy: from the lower of the zoo and the trials' lower quartile (a diverged but fast
    // trial is on the front, and would stretch the view again); latency: up to the slowest of
    // the front, the zoo, T and 95% of the trials.
    std::vector<double> ys = y, xs = x;
    std::sort(ys.begin(), ys.end());
    std::sort(xs.begin(), xs.end());
    double ylo = ys[ys.size() / 4], yhi = ys.back();
    double xlo = xs.front(), xhi = xs[std::min(xs.size() - 1, xs.size() * 95 / 100)];
    for (size_t i = 0; i < px.size(); ++i) xhi = std::max(xhi, px[i]);
    for (const StoredReference* r : done_refs) {
      ylo = std::min(ylo, 100 * r->accuracy);
      yhi = std::max(yhi, 100 * r->accuracy);
      xlo = std::min(xlo, r->latency_ms);
      xhi = std::max(xhi, r->latency_ms);
    }
    if (target_ms > 0) xhi = std::max(xhi, target_ms);
    const double yspan = std::max(1.0, yhi - ylo), xspan = std::max(1e-6, xhi - xlo);
    ylo = std::max(0.0, ylo - 0.08 * yspan);
    yhi = yhi + 0.05 * yspan;
    xlo = std::max(0.0, xlo - 0.05 * xspan);
    xhi = xhi + 0.08 * xspan;
    chart.set_x_range(xlo, xhi);
    chart.set_y_range(ylo, yhi);
    std::vector<double> ex, ey;
    std::vector<std::string> etips;
    std::vector<double> kx, ky;
    std::vector<std::string> ktips;
    for (size_t i = 0; i < x.size(); ++i) {
      const bool low = y[i] < ylo, slow = x[i] > xhi;
      if (!low && !slow) {
        kx.push_back(x[i]), ky.push_back(y[i]), ktips.push_back(tips[i]);
        continue;
      }
      below += low;
      beyond += slow && !low;
      ex.push_back(std::min(x[i], xhi));
      ey.push_back(std::max(y[i], ylo));
      etips.push_back("outside the view, drawn on its edge: " + tips[i]);
    }
    x.swap(kx), y.swap(ky), tips.swap(ktips);
    chart.add_points(ex, ey, "#9e9e9e", 3, etips, 0.6);
    for (size_t i = 0; i < px.size(); ++i) {  // the front's line and points stay in the view
      if (py[i] >= ylo) continue;
      py[i] = ylo;
      ptips[i] = "outside the view, drawn on its edge: " + ptips[i];
    }
  }
  chart.add_points(x, y, kTrialColor, 3.5, tips, 0.55);
  chart.add_line(px, py, kFrontColor, 2, false, true);
  chart.add_points(px, py, kFrontColor, 4.5, ptips, 1.0);
  if (target_ms > 0)
    chart.add_vertical_line(target_ms, kTargetColor, fmt("T = %.3f ms", target_ms));
  for (const StoredReference* r : done_refs) {
    chart.add_labelled_marker(r->latency_ms, 100 * r->accuracy, r->name, kReferenceColor);
  }
  chart.add_legend("trial", kTrialColor);
  chart.add_legend("Pareto front", kFrontColor);
  if (!done_refs.empty()) chart.add_legend("zoo reference", kReferenceColor);
  if (target_ms > 0) chart.add_legend("target T", kTargetColor);
  if (below + beyond > 0) chart.add_legend("outside the view", "#9e9e9e");
  note->clear();
  if (below + beyond > 0) {
    std::string outside;
    if (below > 0)
      outside = std::to_string(below) + " trial(s) of lower accuracy (diverged or weak)";
    if (beyond > 0) {
      outside += (outside.empty() ? "" : " and ") + std::to_string(beyond) +
                 (below > 0 ? " slower one(s)" : " slower trial(s)");
    }
    *note = "Zoomed to the Pareto front, the zoo and the better trials: " + outside +
            " are drawn grey on the view's edge (hover for their values). ";
  }
  if (failed > 0) {
    *note += std::to_string(failed) + " failed trial(s) have no accuracy to draw: see Failed "
             "trials below. ";
  }
  return chart.render();
}

// The best trials and the zoo references drawn block by block (MnasNet's Figure 7).
void architecture_section(std::ostringstream& h, const std::vector<StoredTrial>& best,
                          const std::vector<StoredReference>& references) {
  std::vector<std::pair<std::string, std::string>> drawings;  // title, canonical
  for (size_t i = 0; i < best.size() && i < 3; ++i) {
    const StoredTrial& t = best[i];
    drawings.emplace_back("trial " + std::to_string(t.id) + ": " +
                              fmt("%.2f%%", 100 * t.accuracy) + ", " +
                              fmt("%.3f ms", t.latency_ms) + ", reward " + fmt("%.4f", t.reward),
                          t.canonical);
  }
  for (const StoredReference& r : references) {
    if (r.status != "done") continue;
    drawings.emplace_back(r.name + ": " + fmt("%.2f%%", 100 * r.accuracy) + ", " +
                              fmt("%.3f ms", r.latency_ms) + ", reward " + fmt("%.4f", r.reward),
                          r.canonical);
  }
  std::string svgs;
  for (const auto& [title, canonical] : drawings) {
    try {
      svgs += "<figure>" + architecture_svg(parse_architecture_string(canonical), title) +
              "</figure>\n";
    } catch (const Error&) {
      // A table space's cell (NAS-Bench-201) is not a network of this space: nothing to draw.
    }
  }
  if (svgs.empty()) return;
  h << "<h2>Architectures</h2>\n<p class=\"note\">The best trials by reward and the zoo "
       "references, block by block: the op (SepConv is a depthwise-separable convolution, "
       "MBConvN a mobile inverted bottleneck of expansion N), kernel, squeeze-and-excitation, "
       "stride, shortcut and repeats; a box is as wide as its channels. "
       "<code>mnas describe ARCH --svg FILE</code> draws any architecture.</p>\n"
    << "<div class=\"arch\">\n"
    << svgs << "</div>\n";
}

std::string latency_histogram(const std::vector<StoredTrial>& trials, double target_ms, int bins) {
  SvgChart chart("Latency of the sampled models", "latency (ms)", "trials");
  std::vector<double> lat;
  for (const StoredTrial& t : trials)
    if (t.status == "done") lat.push_back(t.latency_ms);
  if (!lat.empty()) {
    double lo = *std::min_element(lat.begin(), lat.end());
    double hi = *std::max_element(lat.begin(), lat.end());
    if (target_ms > 0) lo = std::min(lo, target_ms), hi = std::max(hi, target_ms);
    if (hi - lo < 1e-9) hi = lo + 1e-3;
    bins = std::max(1, bins);
    const double width = (hi - lo) / bins;
    std::vector<double> edges, counts(bins, 0.0);
    for (int i = 0; i <= bins; ++i) edges.push_back(lo + i * width);
    for (double l : lat) counts[std::min(bins - 1, static_cast<int>((l - lo) / width))] += 1;
    chart.add_bars(edges, counts, kTrialColor);
    chart.set_x_range(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo));
  }
  if (target_ms > 0)
    chart.add_vertical_line(target_ms, kTargetColor, fmt("T = %.3f ms", target_ms));
  return chart.render();
}

// With several devices, one latency column per device.
void trial_table(std::ostringstream& h, const std::vector<StoredTrial>& rows,
                 const std::vector<std::string>& devices) {
  h << "<table><tr><th>trial</th><th>held-out accuracy</th>";
  if (devices.size() > 1) {
    for (const std::string& d : devices) h << "<th>latency on " << escape_xml(d) << " (ms)</th>";
  } else {
    h << "<th>latency (ms)</th>";
  }
  h << "<th>reward</th><th>architecture</th></tr>\n";
  for (const StoredTrial& t : rows) {
    h << "<tr><td>" << t.id << "</td><td>" << fmt("%.2f%%", 100 * t.accuracy) << "</td>";
    if (devices.size() > 1) {
      for (const std::string& d : devices) {
        double ms = 0;
        for (const DeviceLatency& l : t.latencies) ms = l.device == d ? l.latency_ms : ms;
        h << "<td>" << (ms > 0 ? fmt("%.3f", ms) : "") << "</td>";
      }
    } else {
      h << "<td>" << fmt("%.3f", t.latency_ms) << "</td>";
    }
    h << "<td>" << fmt("%.4f", t.reward) << "</td><td><code>" << escape_xml(t.canonical)
      << "</code></td></tr>\n";
  }
  h << "</table>\n";
}

std::string describe_reward(const SearchConfig& c) {
  return c.reward + ": w = " + fmt("%g", c.alpha) + " at or under T, " + fmt("%g", c.beta) +
         " over it" + (c.devices.size() > 1 ? ", one factor per device" : "");
}

std::string describe_target(const DeviceObjective& d, double typical_ms) {
  const std::string precision = d.precision == "fp32" ? "" : ", " + d.precision;
  if (d.target_ms > 0) return fmt("%.4f ms", d.target_ms) + " (fixed" + precision + ")";
  return fmt("%.4f ms", typical_ms) + " (" + d.target + " timed on " +
         (d.url == "local" ? std::string("this machine") : d.url) +
         " alongside each candidate; median over trials; " + d.latency_stat + precision + ")";
}

// `mnas finalize`'s networks: test accuracy against latency, one curve per model over its
// multipliers and inputs, and the table with each finalist's gain over MobileNetV2 at equal
// latency. `variants` are of one precision: at int8 the accuracy is the quantized network's and
// the latency int8's.
void finalists_section(std::ostringstream& h, const std::vector<FinalVariant>& variants) {
  const bool int8 = !variants.empty() && variants.front().precision == "int8";
  static const char* kColors[] = {"#c0392b", "#8e44ad", "#16a085", "#2c3e50",
                                  "#d35400", "#27ae60", "#2980b9", "#7f8c8d"};
  std::vector<std::string> models;
  for (const FinalVariant& v : variants) {
    if (std::find(models.begin(), models.end(), v.model) == models.end()) models.push_back(v.model);
  }
  SvgChart chart(int8 ? "Finalists at int8: int8 test accuracy vs int8 latency"
                      : "Finalists: test accuracy vs latency",
                 "latency (ms)", int8 ? "int8 test accuracy (%)" : "test accuracy (%)");
  for (size_t i = 0; i < models.size(); ++i) {
    std::vector<std::pair<double, const FinalVariant*>> points;
    for (const FinalVariant& v : variants) {
      if (v.model == models[i] && v.status == "done") points.emplace_back(v.latency_ms, &v);
    }
    if (points.empty()) continue;
    std::sort(points.begin(), points.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<double> xs, ys;
    std::vector<std::string> tips;
    for (const auto& [ms, v] : points) {
      xs.push_back(ms);
      ys.push_back(100 * v->test_top1);
      tips.push_back(v->model + fmt(" x%.2f", v->multiplier) + ", " + std::to_string(v->input) +
                     "px: " + fmt("%.2f%%", 100 * v->test_top1) + fmt(" at %.3f ms", ms));
    }
    const char* color = kColors[i % (sizeof kColors / sizeof kColors[0])];
    chart.add_line(xs, ys, color, models[i].rfind("trial ", 0) == 0 ? 2.5 : 1.5,
                   models[i].rfind("trial ", 0) != 0);
    chart.add_points(xs, ys, color, 4, tips, 1.0);
    chart.add_legend(models[i], color);
  }
  h << "<div class=\"charts\">\n<h2>" << (int8 ? "Finalists at int8" : "Finalists") << "</h2>\n"
    << chart.render()
    << "<p class=\"note\">Trained with the full recipe by <code>mnas finalize</code>, scaled by "
       "depth multiplier and input size; solid lines are the search's candidates, dashed the zoo "
       "models scaled the same way."
    << (int8 ? " Each network quantized after training (<code>mnas finalize --precision "
               "int8</code>): the int8 network's test accuracy, its latency in int8."
             : "")
    << "</p>\n</div>\n";
  h << "<table><tr><th>model</th><th>multiplier</th><th>input</th><th>params</th><th>MACs</th>"
       "<th>"
    << (int8 ? "int8 test accuracy</th><th>fp32 test accuracy" : "test accuracy")
    << "</th><th>latency (ms)</th><th>vs MobileNetV2 at equal latency</th>"
       "<th>recipe</th><th>status</th></tr>\n";
  for (const FinalVariant& v : variants) {
    const double peer = accuracy_at_latency(variants, "mobilenetv2", v.latency_ms);
    const bool done = v.status == "done";
    h << "<tr><td>" << escape_xml(v.model) << "</td><td>" << fmt("%.2f", v.multiplier)
      << "</td><td>" << v.input << "</td><td>" << v.params << "</td><td>" << v.macs << "</td><td>"
      << (done ? fmt("%.2f%%", 100 * v.test_top1) : "") << "</td><td>"
      << (int8 ? (done ? fmt("%.2f%%", 100 * v.fp32_top1) : "") + "</td><td>" : "")
      << (done ? fmt("%.3f", v.latency_ms) : "") << "</td><td>"
      << (done && std::isfinite(peer) && v.model != "mobilenetv2"
              ? fmt("%+.2f points", 100 * (v.test_top1 - peer))
              : "")
      << "</td><td>" << escape_xml(v.recipe) << "</td><td>"
      << escape_xml(v.status == "failed" ? "failed: " + v.failure : v.status) << "</td></tr>\n";
  }
  h << "</table>\n";
}

}  // namespace

std::string render_report(const Store& store, const ReportOptions& o) {
  const std::vector<StoredTrial> trials = store.trials();
  const std::vector<StoredReference> references = store.references();
  const std::vector<StoredTrial> front = pareto_front(trials);
  std::optional<SearchConfig> config;
  if (!store.config().empty()) {
    try {
      config = search_config_from_text(store.config(), "config");
    } catch (const std::exception&) {
      config.reset();  // a report of the trials is still worth having
    }
  }
  // Devices: the per-device latencies the trials carry; one unnamed view for older searches.
  std::vector<std::string> devices = measured_devices(trials);
  const bool per_device = devices.size() > 1;
  double target_ms =
      config && config->devices.front().target_ms > 0 ? config->devices.front().target_ms : 0;
  if (!devices.empty()) target_ms = typical_target_ms(trials, devices.front());

  std::vector<StoredTrial> best;  // full-proxy trials only, as `mnas results` ranks them
  int failed = 0, cached = 0, partial = 0;
  double seconds = 0;
  for (const StoredTrial& t : trials) {
    failed += t.status == "failed";
    cached += t.cached;
    partial += t.partial;
    seconds += t.seconds;
    if (t.status == "done" && !t.cached && !t.partial) best.push_back(t);
  }
  std::sort(best.begin(), best.end(),
            [](const StoredTrial& a, const StoredTrial& b) { return a.reward > b.reward; });
  if (best.size() > static_cast<size_t>(std::max(0, o.top))) best.resize(std::max(0, o.top));
  // Where latency was measured: each device's provenance, from its first measurement.
  std::vector<std::pair<std::string, std::string>> provenance;
  const auto describe = [](const nlohmann::json& p) {
    return p.value("cpu_model", std::string("?")) + ", " + std::to_string(p.value("threads", 0)) +
           " thread(s), " + p.value("engine", std::string("?")) + " " +
           p.value("engine_version", std::string("")) + ", device id " +
           p.value("device_id", std::string("?"));
  };
  for (const std::string& d : devices) {
    for (const StoredTrial& t : trials) {
      const auto it = std::find_if(t.latencies.begin(), t.latencies.end(),
                                   [&](const DeviceLatency& l) { return l.device == d; });
      if (it == t.latencies.end()) continue;
      const nlohmann::json stats = nlohmann::json::parse(it->stats_json, nullptr, false);
      if (stats.is_object() && stats.contains("candidate") &&
          stats["candidate"].value("provenance", nlohmann::json()).is_object()) {
        provenance.emplace_back(d, describe(stats["candidate"]["provenance"]));
        break;
      }
    }
  }
  for (const StoredTrial& t : trials) {  // searches from before per-device latencies
    if (!devices.empty() || t.latency_json.empty()) continue;
    const nlohmann::json l = nlohmann::json::parse(t.latency_json, nullptr, false);
    if (l.is_object() && l.value("provenance", nlohmann::json()).is_object()) {
      provenance.emplace_back("", describe(l["provenance"]));
      break;
    }
  }

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mnas search "
       "report: "
    << escape_xml(store.path()) << "</title>\n<style>\n"
    << "body{font-family:sans-serif;margin:24px auto;max-width:1100px;color:#222}\n"
    << "h1{font-size:22px}h2{font-size:18px;margin-top:32px}\n"
    << "table{border-collapse:collapse;margin:8px 0;font-size:13px}\n"
    << "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\n"
    << "th{background:#f3f3f3}code{font-size:11px;word-break:break-all}\n"
    << ".charts svg{display:block;margin:12px 0;border:1px solid #eee}\n"
    << ".arch{display:flex;flex-wrap:wrap;gap:8px}.arch figure{margin:0}"
       ".arch svg{width:540px;height:auto;border:1px solid #eee}\n"
    << ".note{color:#555;font-size:13px}\n</style></head><body>\n";
  h << "<h1>mnas search report: " << escape_xml(store.path()) << "</h1>\n<table>\n";
  const auto row = [&](const std::string& k, const std::string& v) {
    h << "<tr><th>" << escape_xml(k) << "</th><td>" << escape_xml(v) << "</td></tr>\n";
  };
  row("trials", std::to_string(trials.size()) + " (" + std::to_string(failed) + " failed, " +
                    std::to_string(cached) +
                    " served from an earlier trial of the same "
                    "architecture)");
  if (config) {
    for (const DeviceObjective& d : config->devices) {
      const std::string name = config->devices.size() > 1 ? " on " + d.name : "";
      row("target latency T" + name, describe_target(d, typical_target_ms(trials, d.name)));
    }
    row("reward", std::string(per_device ? "ACC·Π_d (LAT_d/T_d)^w_d, " : "ACC·(LAT/T)^w, ") +
                      describe_reward(*config));
    row("strategy", config->strategy + ", seed " + std::to_string(config->seed) + ", batch " +
                        std::to_string(config->batch));
    if (config->evaluator == "surrogate") {
      row("evaluator",
          "surrogate: a synthetic accuracy model (nothing trained), for trying "
          "strategies; latency " +
              std::string(config->latency == "surrogate" ? "synthetic too"
                                                         : "measured on the devices"));
    } else {
      row("evaluator",
          "proxy: " + config->proxy.dataset + ", " + std::to_string(config->proxy.epochs) +
              " epoch(s) on " + std::to_string(config->proxy.train_images) + " images, " +
              std::to_string(config->proxy.holdout) + " held out; latency " + config->latency +
              (quantized_accuracy(*config) && config->evaluator == "proxy"
                   ? "; accuracy of the int8 network (quantized after training, calibrated on "
                     "training images)"
                   : ""));
    }
    if (!config->fidelity.rungs.empty()) {
      std::string rungs;
      for (const int64_t images : config->fidelity.rungs) {
        rungs += (rungs.empty() ? "" : " → ") + std::to_string(images);
      }
      row("multi-fidelity",
          rungs + " images, the best 1/" + std::to_string(config->fidelity.keep) +
              " of each rung going on" +
              (config->fidelity.continue_runs ? " (continuing its run)" : " (from scratch)") +
              "; " + std::to_string(partial) +
              " trials stopped at a lower rung: their accuracy is that rung's, their reward "
              "adds the median gain to the full proxy, and they are left out of the accuracy "
              "chart, the best trials and the Pareto front");
    }
    row("input", to_string(config->space.input()) + ", " + std::to_string(config->space.classes()) +
                     " classes");
  } else {
    row("configuration", "not readable from the store");
  }
  for (const auto& [device, where] : provenance) {
    row("latency measured on" + (device.empty() || !per_device ? "" : " " + device), where);
  }
  row("evaluation time", fmt("%.0f s", seconds));
  h << "</table>\n";
  if (!best.empty()) {
    const StoredTrial& b = best.front();
    h << "<p>Best by reward: trial " << b.id << ", " << fmt("%.2f%%", 100 * b.accuracy)
      << " held-out at " << fmt("%.3f ms", b.latency_ms) << " (reward " << fmt("%.4f", b.reward)
      << ").</p>\n";
  }

  h << "<div class=\"charts\">\n<h2>Reward</h2>\n"
    << reward_chart(trials, std::max(1, o.moving_average));
  // One view per device: its latencies, its Pareto front, its T.
  const std::vector<std::string> views = per_device ? devices : std::vector<std::string>{""};
  for (const std::string& d : views) {
    const std::vector<StoredTrial> seen = d.empty() ? trials : on_device(trials, d);
    const std::vector<StoredReference> refs = d.empty() ? references : on_device(references, d);
    const double t = d.empty() ? target_ms : typical_target_ms(trials, d);
    std::string zoom_note;
    const std::string chart = accuracy_latency_chart(seen, pareto_front(seen), refs, t, &zoom_note);
    h << "<h2>Accuracy and latency" << (d.empty() ? "" : " on " + escape_xml(d)) << "</h2>\n"
      << chart
      << "<p class=\"note\">Each point is one evaluated architecture (repeats of an architecture "
         "are drawn once). Zoo references were evaluated by the search's own evaluator, "
         "like the trials. "
      << escape_xml(zoom_note) << "</p>\n"
      << latency_histogram(seen, t, o.histogram_bins)
      << "<p class=\"note\">Every done trial counts, repeats included: this is where the "
         "strategy spent its samples (MnasNet, Fig. 6).</p>\n";
  }
  h << "</div>\n";
  h << "<h2>Best " << best.size() << " by reward</h2>\n";
  trial_table(h, best, devices);
  for (const std::string& d : views) {
    h << "<h2>Pareto front (held-out accuracy vs latency"
      << (d.empty() ? "" : " on " + escape_xml(d)) << ")</h2>\n";
    trial_table(h, d.empty() ? front : pareto_front(on_device(trials, d)), devices);
  }
  h << (!references.empty() && references.front().canonical.rfind('|', 0) == 0
            ? "<h2>The table's optimum (every cell enumerated)</h2>\n"
            : "<h2>Zoo references</h2>\n");
  if (references.empty()) {
    h << "<p class=\"note\">None evaluated in this search.</p>\n";
  } else {
    h << "<table><tr><th>model</th><th>held-out accuracy</th><th>latency (ms)</th>"
         "<th>reward</th><th>status</th></tr>\n";
    for (const StoredReference& r : references) {
      h << "<tr><td>" << escape_xml(r.name) << "</td><td>" << fmt("%.2f%%", 100 * r.accuracy)
        << "</td><td>" << fmt("%.3f", r.latency_ms) << "</td><td>" << fmt("%.4f", r.reward)
        << "</td><td>" << escape_xml(r.status == "done" ? r.status : "failed: " + r.failure)
        << "</td></tr>\n";
    }
    h << "</table>\n";
  }
  architecture_section(h, best, references);
  // One section per precision finalize compared in (fp32 first).
  std::map<std::string, std::vector<FinalVariant>> by_precision;
  for (FinalVariant& v : store.finalists()) by_precision[v.precision].push_back(std::move(v));
  for (const auto& [precision, variants] : by_precision) finalists_section(h, variants);
  if (failed > 0) {
    h << "<h2>Failed trials</h2>\n<table><tr><th>trial</th><th>reason</th></tr>\n";
    for (const StoredTrial& t : trials) {
      if (t.status == "failed")
        h << "<tr><td>" << t.id << "</td><td>" << escape_xml(t.failure) << "</td></tr>\n";
    }
    h << "</table>\n";
  }
  h << "<p class=\"note\">Generated by mnas from " << escape_xml(store.path())
    << ". Hover a point for its trial.</p>\n</body></html>\n";
  return h.str();
}

void write_report(const Store& store, const std::string& path, const ReportOptions& options) {
  write_file_atomically(path, render_report(store, options), "report");
}

}  // namespace mnas
