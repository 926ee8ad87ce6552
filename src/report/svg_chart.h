#ifndef MNAS_REPORT_SVG_CHART_H_
#define MNAS_REPORT_SVG_CHART_H_

#include <string>
#include <vector>

namespace mnas {

// A small 2-D chart rendered as inline SVG: axes with "nice" ticks, point series with tooltips,
// polylines, vertical marker lines, labelled markers and histogram bars. The axis ranges cover
// everything added (plus a margin) unless set explicitly. Only what the report needs.
class SvgChart {
 public:
  SvgChart(std::string title, std::string x_label, std::string y_label, int width = 720,
           int height = 400);

  // Points, each with an optional tooltip (empty vector or empty string: none).
  void add_points(const std::vector<double>& xs, const std::vector<double>& ys,
                  const std::string& color, double radius = 3.5,
                  const std::vector<std::string>& tooltips = {}, double opacity = 0.75);
  void add_crosses(const std::vector<double>& xs, const std::vector<double>& ys,
                   const std::string& color, const std::vector<std::string>& tooltips = {});
  void add_line(const std::vector<double>& xs, const std::vector<double>& ys,
                const std::string& color, double stroke_width = 2, bool dashed = false,
                bool steps = false);
  void add_vertical_line(double x, const std::string& color, const std::string& label);
  // A diamond with its label beside it.
  void add_labelled_marker(double x, double y, const std::string& label, const std::string& color);
  // Bars over [edges[i], edges[i+1]) with heights counts[i] (edges.size() == counts.size() + 1).
  void add_bars(const std::vector<double>& edges, const std::vector<double>& counts,
                const std::string& color);
  // Legend entries, drawn in the top-right corner.
  void add_legend(const std::string& label, const std::string& color);

  void set_x_range(double lo, double hi);
  void set_y_range(double lo, double hi);

  std::string render() const;

 private:
  enum class Kind { kPoints, kCrosses, kLine, kVertical, kMarker, kBars };
  struct Item {
    Kind kind;
    std::vector<double> xs, ys;
    std::vector<std::string> tooltips;
    std::string color, label;
    double size = 0, opacity = 1;
    bool dashed = false, steps = false;
  };
  std::vector<Item> items_;
  std::vector<std::pair<std::string, std::string>> legend_;
  std::string title_, x_label_, y_label_;
  int width_, height_;
  bool x_fixed_ = false, y_fixed_ = false;
  double x_lo_ = 0, x_hi_ = 1, y_lo_ = 0, y_hi_ = 1;
};

// "&", "<", ">", quotes escaped for HTML/SVG text and attributes.
std::string escape_xml(const std::string& text);

// Tick positions at 1, 2 or 5 × 10^k covering [lo, hi] with about `count` ticks.
std::vector<double> nice_ticks(double lo, double hi, int count = 6);

}  // namespace mnas

#endif  // MNAS_REPORT_SVG_CHART_H_
