#include "cli/table.h"

#include <algorithm>
#include <cstdio>

#include "base/error.h"

namespace mnas::cli {

Table::Table(std::vector<std::string> header, std::vector<bool> right_aligned)
    : header_(std::move(header)), right_(std::move(right_aligned)) {
  right_.resize(header_.size(), false);
}

void Table::add_row(std::vector<std::string> cells) {
  MNAS_ASSERT(cells.size() == header_.size());
  rows_.push_back(std::move(cells));
}

void Table::add_rule() { rows_.emplace_back(); }

std::string Table::render() const {
  std::vector<size_t> width(header_.size());
  for (size_t c = 0; c < header_.size(); ++c) width[c] = header_[c].size();
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  size_t total = 0;
  for (size_t w : width) total += w + 2;
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - cells[c].size(), ' ');
      out += right_[c] ? pad + cells[c] : cells[c] + (c + 1 < cells.size() ? pad : "");
      if (c + 1 < cells.size()) out += "  ";
    }
    return out + "\n";
  };
  std::string out = line(header_);
  out += std::string(total - 2, '-') + "\n";
  for (const auto& row : rows_) out += row.empty() ? std::string(total - 2, '-') + "\n" : line(row);
  return out;
}

std::string format_duration(double seconds) {
  char buf[32];
  if (seconds >= 3600) {
    std::snprintf(buf, sizeof(buf), "%dh%02dm", int(seconds / 3600), int(seconds / 60) % 60);
  } else if (seconds >= 60) {
    std::snprintf(buf, sizeof(buf), "%dm%02ds", int(seconds / 60), int(seconds) % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0fs", seconds);
  }
  return buf;
}

}  // namespace mnas::cli
