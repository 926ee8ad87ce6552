#include "report/architecture_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

#include "report/svg_chart.h"
#include "space/cost_model.h"
#include "space/layer_plan.h"

namespace mnas {
namespace {

constexpr int kWidth = 660;
constexpr int kRow = 40;       // vertical distance between two boxes
constexpr int kBoxHeight = 28;
constexpr int kCenter = 240;   // of the boxes
constexpr int kMinBox = 290, kMaxBox = 430;
constexpr int kShapeX = 470;   // the feature map's text

struct Row {
  std::string text, color, shape;
  int channels = 0;
  bool box = true;
};

// Colours as in the paper's figure: one per kind of op (MBConv by its expansion).
std::string op_color(const BlockSpec& b) {
  switch (b.op) {
    case ConvOp::kConv: return "#cfd8dc";
    case ConvOp::kDconv: return "#aed6f1";
    case ConvOp::kMbconv:
      if (b.expansion == 3) return "#f9e79f";
      if (b.expansion == 6) return "#f5b7b1";
      return "#d7bde2";
  }
  return "#eeeeee";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string block_text(const BlockSpec& b) {
  std::string text = b.op == ConvOp::kConv    ? "Conv"
                     : b.op == ConvOp::kDconv ? "SepConv"
                                              : "MBConv" + std::to_string(b.expansion);
  text += " (k" + std::to_string(b.kernel) + "\u00d7" + std::to_string(b.kernel) + ")";
  if (b.se_ratio > 0) text += ", SE" + (b.se_ratio == 0.25 ? "" : " " + number(b.se_ratio));
  if (b.stride == 2) text += ", s2";
  if (b.skip == SkipOp::kPool) text += ", pool skip";
  if (b.skip == SkipOp::kNone) text += ", no skip";
  if (b.layers > 1) text += "  \u00d7" + std::to_string(b.layers);
  return text;
}

std::string shape_text(int h, int w, int c) {
  return std::to_string(h) + "\u00d7" + std::to_string(w) + "\u00d7" + std::to_string(c);
}

std::string millions(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fM", static_cast<double>(v) / 1e6);
  return buf;
}

}  // namespace

std::string architecture_svg(const Architecture& arch, const std::string& title) {
  std::vector<Row> rows;
  int h = arch.input.height, w = arch.input.width;
  rows.push_back({"input", "", shape_text(h, w, arch.input.channels), 0, false});
  h = conv_output_size(h, arch.stem_stride);
  w = conv_output_size(w, arch.stem_stride);
  rows.push_back({"Conv (k3\u00d73)" + std::string(arch.stem_stride == 2 ? ", s2" : ""),
                  "#cfd8dc", shape_text(h, w, arch.stem_filters), arch.stem_filters, true});
  for (const BlockSpec& b : arch.blocks) {
    h = conv_output_size(h, b.stride);
    w = conv_output_size(w, b.stride);
    rows.push_back({block_text(b), op_color(b), shape_text(h, w, b.filters), b.filters, true});
  }
  rows.push_back({"Conv (k1\u00d71)", "#cfd8dc", shape_text(h, w, arch.head_filters),
                  arch.head_filters, true});
  rows.push_back({"Pooling, FC", "#e5e8e8", std::to_string(arch.classes) + " classes",
                  arch.classes, true});

  // Box width grows with the log of the channels, so that 16 and 1280 both fit.
  int lo = 1 << 30, hi = 1;
  for (const Row& r : rows) {
    if (!r.box) continue;
    lo = std::min(lo, std::max(1, r.channels));
    hi = std::max(hi, r.channels);
  }
  const auto box_width = [&](int channels) {
    if (hi <= lo) return (kMinBox + kMaxBox) / 2;
    const double t =
        (std::log(std::max(1, channels)) - std::log(lo)) / (std::log(hi) - std::log(lo));
    return kMinBox + static_cast<int>(std::lround(t * (kMaxBox - kMinBox)));
  };

  const int top = 48;
  const int height = top + static_cast<int>(rows.size()) * kRow + 40;
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << kWidth << " " << height
    << "\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n"
    << "<title>" << escape_xml(title) << "</title>\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    << "<text x=\"" << kCenter << "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" "
       "font-weight=\"bold\">"
    << escape_xml(title) << "</text>\n"
    << "<text x=\"" << kShapeX << "\" y=\"" << top - 8
    << "\" fill=\"#666\" font-size=\"11\">feature map (H\u00d7W\u00d7C)</text>\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const int y = top + static_cast<int>(i) * kRow;
    if (i > 0) {  // the arrow from the row above
      const int from = y - kRow + kBoxHeight, to = y - 1;
      s << "<line x1=\"" << kCenter << "\" y1=\"" << from << "\" x2=\"" << kCenter
        << "\" y2=\"" << to - 4 << "\" stroke=\"#555\" stroke-width=\"1.5\"/>"
        << "<path d=\"M" << kCenter - 4 << "," << to - 5 << " L" << kCenter + 4 << "," << to - 5
        << " L" << kCenter << "," << to << " Z\" fill=\"#555\"/>\n";
    }
    if (r.box) {
      const int bw = box_width(r.channels);
      s << "<rect x=\"" << kCenter - bw / 2 << "\" y=\"" << y << "\" width=\"" << bw
        << "\" height=\"" << kBoxHeight << "\" rx=\"4\" fill=\"" << r.color
        << "\" stroke=\"#555\"/>\n";
    }
    s << "<text x=\"" << kCenter << "\" y=\"" << y + kBoxHeight / 2 + 4
      << "\" text-anchor=\"middle\"" << (r.box ? "" : " fill=\"#444\"") << ">"
      << escape_xml(r.text) << "</text>\n"
      << "<text x=\"" << kShapeX << "\" y=\"" << y + kBoxHeight / 2 + 4 << "\" fill=\"#333\">"
      << escape_xml(r.shape) << "</text>\n";
  }
  const CostReport cost = estimate_cost(arch, false);
  s << "<text x=\"" << kCenter << "\" y=\"" << height - 14
    << "\" text-anchor=\"middle\" fill=\"#444\">" << millions(cost.params) << " parameters, "
    << millions(cost.macs) << " multiply-adds at " << arch.input.height << "\u00d7"
    << arch.input.width << "</text>\n"
    << "</svg>\n";
  return s.str();
}

}  // namespace mnas
