#include "report/svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace mnas {
namespace {

constexpr double kLeft = 70, kRight = 20, kTop = 54, kBottom = 52;  // plot margins in px

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

// A tick label without trailing zeros: 0.25, 10, 1e+04.
std::string tick_label(double v, double step) {
  if (std::fabs(v) < step * 1e-9) v = 0;
  char buf[32];
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  if (std::fabs(v) >= 1e5)
    std::snprintf(buf, sizeof(buf), "%.3g", v);
  else
    std::snprintf(buf, sizeof(buf), "%.*f", std::min(decimals, 6), v);
  return buf;
}

}  // namespace

std::string escape_xml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  const double raw = (hi - lo) / std::max(1, count);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9);
  for (int i = 0; (first + i) * step <= hi + step * 1e-9; ++i)  // multiples: no drift
    ticks.push_back(first + i == 0 ? 0.0 : (first + i) * step);
  return ticks;
}

SvgChart::SvgChart(std::string title, std::string x_label, std::string y_label, int width,
                   int height)
    : title_(std::move(title)),
      x_label_(std::move(x_label)),
      y_label_(std::move(y_label)),
      width_(width),
      height_(height) {}

void SvgChart::add_points(const std::vector<double>& xs, const std::vector<double>& ys,
                          const std::string& color, double radius,
                          const std::vector<std::string>& tooltips, double opacity) {
  items_.push_back({Kind::kPoints, xs, ys, tooltips, color, "", radius, opacity});
}

void SvgChart::add_crosses(const std::vector<double>& xs, const std::vector<double>& ys,
                           const std::string& color, const std::vector<std::string>& tooltips) {
  items_.push_back({Kind::kCrosses, xs, ys, tooltips, color, "", 4, 1});
}

void SvgChart::add_line(const std::vector<double>& xs, const std::vector<double>& ys,
                        const std::string& color, double stroke_width, bool dashed, bool steps) {
  items_.push_back({Kind::kLine, xs, ys, {}, color, "", stroke_width, 1, dashed, steps});
}

void SvgChart::add_vertical_line(double x, const std::string& color, const std::string& label) {
  items_.push_back({Kind::kVertical, {x}, {}, {}, color, label, 1.5, 1, true});
}

void SvgChart::add_labelled_marker(double x, double y, const std::string& label,
                                   const std::string& color) {
  items_.push_back({Kind::kMarker, {x}, {y}, {label}, color, label, 6, 1});
}

void SvgChart::add_bars(const std::vector<double>& edges, const std::vector<double>& counts,
                        const std::string& color) {
  items_.push_back({Kind::kBars, edges, counts, {}, color, "", 0, 0.8});
}

void SvgChart::add_legend(const std::string& label, const std::string& color) {
  legend_.emplace_back(label, color);
}

void SvgChart::set_x_range(double lo, double hi) {
  x_fixed_ = true;
  x_lo_ = lo;
  x_hi_ = hi;
}

void SvgChart::set_y_range(double lo, double hi) {
  y_fixed_ = true;
  y_lo_ = lo;
  y_hi_ = hi;
}

std::string SvgChart::render() const {
  // Data ranges over every finite value added.
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (const Item& it : items_) {
    for (double x : it.xs)
      if (std::isfinite(x)) xlo = std::min(xlo, x), xhi = std::max(xhi, x);
    for (double y : it.ys)
      if (std::isfinite(y)) ylo = std::min(ylo, y), yhi = std::max(yhi, y);
    if (it.kind == Kind::kBars) ylo = std::min(ylo, 0.0);
  }
  const auto widen = [](double& lo, double& hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
    if (hi - lo < 1e-12)
      lo -= 0.5 * std::max(1e-6, std::fabs(lo)), hi += 0.5 * std::max(1e-6, std::fabs(hi));
    const double pad = 0.05 * (hi - lo);
    lo -= pad;
    hi += pad;
  };
  if (x_fixed_)
    xlo = x_lo_, xhi = x_hi_;
  else
    widen(xlo, xhi);
  if (y_fixed_)
    ylo = y_lo_, yhi = y_hi_;
  else
    widen(ylo, yhi);
  bool bars = false;
  for (const Item& it : items_) bars = bars || it.kind == Kind::kBars;
  if (bars && !y_fixed_) ylo = 0;  // bars stand on zero

  const double pw = width_ - kLeft - kRight, ph = height_ - kTop - kBottom;
  const auto sx = [&](double x) { return kLeft + (x - xlo) / (xhi - xlo) * pw; };
  const auto sy = [&](double y) { return kTop + (1 - (y - ylo) / (yhi - ylo)) * ph; };
  const auto inside = [&](double x, double y) {
    return std::isfinite(x) && std::isfinite(y) && x >= xlo && x <= xhi && y >= ylo && y <= yhi;
  };

  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width_ << "\" height=\"" << height_
    << "\" viewBox=\"0 0 " << width_ << " " << height_
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<title>" << escape_xml(title_) << "</title>\n"
    << "<rect x=\"0\" y=\"0\" width=\"" << width_ << "\" height=\"" << height_
    << "\" fill=\"#fff\"/>\n"
    << "<text x=\"" << width_ / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"15\" "
    << "font-weight=\"bold\">" << escape_xml(title_) << "</text>\n";
  // Grid and ticks.
  const std::vector<double> xt = nice_ticks(xlo, xhi), yt = nice_ticks(ylo, yhi);
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1, ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
  for (double x : xt) {
    if (x < xlo || x > xhi) continue;
    s << "<line x1=\"" << num(sx(x)) << "\" y1=\"" << kTop << "\" x2=\"" << num(sx(x)) << "\" y2=\""
      << kTop + ph << "\" stroke=\"#e5e5e5\"/>\n"
      << "<text x=\"" << num(sx(x)) << "\" y=\"" << kTop + ph + 16
      << "\" text-anchor=\"middle\" fill=\"#333\">" << tick_label(x, xstep) << "</text>\n";
  }
  for (double y : yt) {
    if (y < ylo || y > yhi) continue;
    s << "<line x1=\"" << kLeft << "\" y1=\"" << num(sy(y)) << "\" x2=\"" << kLeft + pw
      << "\" y2=\"" << num(sy(y)) << "\" stroke=\"#e5e5e5\"/>\n"
      << "<text x=\"" << kLeft - 6 << "\" y=\"" << num(sy(y) + 4)
      << "\" text-anchor=\"end\" fill=\"#333\">" << tick_label(y, ystep) << "</text>\n";
  }
  s << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << pw << "\" height=\"" << ph
    << "\" fill=\"none\" stroke=\"#888\"/>\n"
    << "<text x=\"" << num(kLeft + pw / 2) << "\" y=\"" << height_ - 12
    << "\" text-anchor=\"middle\">" << escape_xml(x_label_) << "</text>\n"
    << "<text transform=\"translate(16," << num(kTop + ph / 2)
    << ") rotate(-90)\" text-anchor=\"middle\">" << escape_xml(y_label_) << "</text>\n";

  const auto tooltip = [](const Item& it, size_t i) -> std::string {
    if (i >= it.tooltips.size() || it.tooltips[i].empty()) return "";
    return "<title>" + escape_xml(it.tooltips[i]) + "</title>";
  };
  for (const Item& it : items_) {
    switch (it.kind) {
      case Kind::kBars:
        for (size_t i = 0; i + 1 < it.xs.size() && i < it.ys.size(); ++i) {
          if (!(it.ys[i] > 0)) continue;
          const double x0 = sx(std::max(xlo, it.xs[i])), x1 = sx(std::min(xhi, it.xs[i + 1]));
          const double y0 = sy(std::min(yhi, it.ys[i]));
          s << "<rect x=\"" << num(x0) << "\" y=\"" << num(y0) << "\" width=\""
            << num(std::max(0.0, x1 - x0 - 1)) << "\" height=\"" << num(sy(0) - y0) << "\" fill=\""
            << it.color << "\" fill-opacity=\"" << it.opacity << "\"><title>"
            << tick_label(it.xs[i], 0.001) << "–" << tick_label(it.xs[i + 1], 0.001) << ": "
            << it.ys[i] << "</title></rect>\n";
        }
        break;
      case Kind::kPoints:
        for (size_t i = 0; i < it.xs.size() && i < it.ys.size(); ++i) {
          if (!inside(it.xs[i], it.ys[i])) continue;
          s << "<circle cx=\"" << num(sx(it.xs[i])) << "\" cy=\"" << num(sy(it.ys[i])) << "\" r=\""
            << it.size << "\" fill=\"" << it.color << "\" fill-opacity=\"" << it.opacity << "\">"
            << tooltip(it, i) << "</circle>\n";
        }
        break;
      case Kind::kCrosses:
        for (size_t i = 0; i < it.xs.size() && i < it.ys.size(); ++i) {
          if (!inside(it.xs[i], it.ys[i])) continue;
          const double x = sx(it.xs[i]), y = sy(it.ys[i]), r = it.size;
          s << "<path d=\"M" << num(x - r) << "," << num(y - r) << "L" << num(x + r) << ","
            << num(y + r) << "M" << num(x - r) << "," << num(y + r) << "L" << num(x + r) << ","
            << num(y - r) << "\" stroke=\"" << it.color << "\" stroke-width=\"2\">"
            << tooltip(it, i) << "</path>\n";
        }
        break;
      case Kind::kLine: {
        std::string d;
        double prev_y = 0;
        for (size_t i = 0; i < it.xs.size() && i < it.ys.size(); ++i) {
          if (!std::isfinite(it.xs[i]) || !std::isfinite(it.ys[i])) continue;
          const double x = sx(it.xs[i]), y = sy(it.ys[i]);
          if (d.empty()) {
            d = "M" + num(x) + "," + num(y);
          } else {
            if (it.steps) d += "L" + num(x) + "," + num(prev_y);
            d += "L" + num(x) + "," + num(y);
          }
          prev_y = y;
        }
        if (d.empty()) break;
        s << "<path d=\"" << d << "\" fill=\"none\" stroke=\"" << it.color << "\" stroke-width=\""
          << it.size << "\"" << (it.dashed ? " stroke-dasharray=\"6,4\"" : "") << "/>\n";
        break;
      }
      case Kind::kVertical: {
        const double x = it.xs[0];
        if (!(x >= xlo && x <= xhi)) break;
        s << "<line x1=\"" << num(sx(x)) << "\" y1=\"" << kTop << "\" x2=\"" << num(sx(x))
          << "\" y2=\"" << kTop + ph << "\" stroke=\"" << it.color << "\" stroke-width=\""
          << it.size << "\" stroke-dasharray=\"6,4\"/>\n"
          << "<text x=\"" << num(sx(x) + 4) << "\" y=\"" << kTop + 14 << "\" fill=\"" << it.color
          << "\">" << escape_xml(it.label) << "</text>\n";
        break;
      }
      case Kind::kMarker:
        break;  // after everything else: their labels are placed around what is drawn
    }
  }
  // Marker labels, placed where they cover the fewest points: around each marker at growing
  // distances, scoring the points under a label, the labels it would overlap and leaving the plot.
  std::vector<std::array<double, 2>> dots;  // pixel centres of every point and marker drawn
  for (const Item& it : items_) {
    if (it.kind != Kind::kPoints && it.kind != Kind::kCrosses && it.kind != Kind::kMarker) continue;
    for (size_t i = 0; i < it.xs.size() && i < it.ys.size(); ++i) {
      if (inside(it.xs[i], it.ys[i])) dots.push_back({sx(it.xs[i]), sy(it.ys[i])});
    }
  }
  std::vector<std::array<double, 4>> placed;  // label boxes: x0, y0, x1, y1
  for (const Item& it : items_) {
    if (it.kind != Kind::kMarker || !inside(it.xs[0], it.ys[0])) continue;
    const double x = sx(it.xs[0]), y = sy(it.ys[0]), r = it.size;
    const double w = 6.8 * it.label.size(), h = 13;
    std::array<double, 4> best{};
    double best_score = std::numeric_limits<double>::infinity();
    bool best_adjacent = true;
    for (double d : {0.0, 12.0, 26.0, 44.0}) {
      // Right, left, above, below, then the four diagonals: the box's top-left corner.
      const std::array<std::array<double, 2>, 8> corners = {{
          {x + r + 3 + d, y - h / 2},
          {x - r - 3 - d - w, y - h / 2},
          {x - w / 2, y - r - 2 - d - h},
          {x - w / 2, y + r + 2 + d},
          {x + r + d * 0.7, y - r - d * 0.7 - h},
          {x - r - d * 0.7 - w, y - r - d * 0.7 - h},
          {x + r + d * 0.7, y + r + d * 0.7},
          {x - r - d * 0.7 - w, y + r + d * 0.7},
      }};
      for (size_t c = 0; c < corners.size(); ++c) {
        const double x0 = corners[c][0], y0 = corners[c][1], x1 = x0 + w, y1 = y0 + h;
        double score = 0.05 * d + 0.01 * static_cast<double>(c);
        if (x0 < kLeft || x1 > kLeft + pw || y0 < kTop || y1 > kTop + ph) score += 100;
        for (const auto& p : dots) {
          if (p[0] > x0 - 3 && p[0] < x1 + 3 && p[1] > y0 - 3 && p[1] < y1 + 3) score += 3;
        }
        for (const auto& b : placed) {
          if (x0 < b[2] && x1 > b[0] && y0 < b[3] && y1 > b[1]) score += 20;
        }
        if (score < best_score) {
          best_score = score;
          best = {x0, y0, x1, y1};
          best_adjacent = d == 0 && c < 2;
        }
      }
    }
    placed.push_back(best);
    s << "<path d=\"M" << num(x) << "," << num(y - r) << "L" << num(x + r) << "," << num(y)
      << "L" << num(x) << "," << num(y + r) << "L" << num(x - r) << "," << num(y)
      << "Z\" fill=\"" << it.color << "\" stroke=\"#fff\">" << tooltip(it, 0) << "</path>\n";
    if (!best_adjacent) {  // a leader line from the label's nearest point to its marker
      const double lx = std::clamp(x, best[0], best[2]), ly = std::clamp(y, best[1], best[3]);
      s << "<line x1=\"" << num(lx) << "\" y1=\"" << num(ly) << "\" x2=\"" << num(x) << "\" y2=\""
        << num(y) << "\" stroke=\"" << it.color << "\" stroke-width=\"0.7\"/>\n";
    }
    // A white halo keeps the label readable over grid lines.
    s << "<text x=\"" << num(best[0]) << "\" y=\"" << num(best[3] - 2)
      << "\" fill=\"" << it.color
      << "\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">" << escape_xml(it.label)
      << "</text>\n";
  }
  // Legend: one row between the title and the plot.
  double lx = kLeft;
  for (const auto& [label, color] : legend_) {
    s << "<rect x=\"" << num(lx) << "\" y=\"" << kTop - 20
      << "\" width=\"12\" height=\"12\" fill=\"" << color << "\"/>\n<text x=\"" << num(lx + 16)
      << "\" y=\"" << kTop - 10 << "\">" << escape_xml(label) << "</text>\n";
    lx += 16 + 7.0 * label.size() + 18;  // about 7 px per character at 12 px
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace mnas
