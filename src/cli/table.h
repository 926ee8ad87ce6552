#ifndef MNAS_CLI_TABLE_H_
#define MNAS_CLI_TABLE_H_

#include <string>
#include <vector>

namespace mnas::cli {

// A plain-text table with aligned columns, for human-readable command output (ASCII only, so
// widths are byte counts).
class Table {
 public:
  // `right_aligned[i]` aligns column i to the right (numbers); missing entries mean left.
  explicit Table(std::vector<std::string> header, std::vector<bool> right_aligned = {});
  void add_row(
      std::vector<std::string> cells);  // pads or truncates nothing; must match header size
  void add_rule();                      // a dashed line across all columns
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;  // an empty row is a rule
};

// 42 → "42s", 130 → "2m10s", 4000 → "1h06m": for progress lines and ETAs.
std::string format_duration(double seconds);

}  // namespace mnas::cli

#endif  // MNAS_CLI_TABLE_H_
