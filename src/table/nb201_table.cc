#include "table/nb201_table.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "base/error.h"
#include "base/median.h"
#include "base/number_format.h"
#include "base/split.h"
#include "table/embedded_nb201.h"
#include "table/gunzip.h"

namespace mnas {
namespace {

constexpr const char* kEdgeNames[Nb201Table::kEdges] = {"1<-0", "2<-0", "2<-1",
                                                        "3<-0", "3<-1", "3<-2"};
// The node each edge leaves from, in cell-string order.
constexpr int kEdgeFrom[Nb201Table::kEdges] = {0, 0, 1, 0, 1, 2};
const std::vector<std::string> kDatasets = {"cifar10", "cifar100", "imagenet16_120"};

int code_of(const std::vector<int>& tokens) {
  int code = 0;
  for (int i = Nb201Table::kEdges - 1; i >= 0; --i) code = code * Nb201Table::kOps + tokens[i];
  return code;
}

void check_tokens(const std::vector<int>& tokens) {
  static const DecisionSpace space = Nb201Table::decision_space();
  const std::string problem = space.problem(tokens);
  if (!problem.empty()) throw Error("NAS-Bench-201 cell: " + problem);
}

std::string list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

int find_name(const std::vector<std::string>& names, std::string_view name, const char* what) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    throw Error(std::string("unknown ") + what + " '" + std::string(name) + "'; the table has " +
                list(names));
  }
  return static_cast<int>(it - names.begin());
}

}  // namespace

const std::vector<std::string>& Nb201Table::op_names() {
  static const std::vector<std::string> names = {"none", "skip_connect", "nor_conv_1x1",
                                                 "nor_conv_3x3", "avg_pool_3x3"};
  return names;
}

DecisionSpace Nb201Table::decision_space() {
  std::vector<Decision> decisions;
  for (const char* edge : kEdgeNames) {
    decisions.push_back({std::string("edge ") + edge, 0, kOps, op_names()});
  }
  return DecisionSpace(decisions);
}

std::string Nb201Table::cell_string(const std::vector<int>& tokens) {
  check_tokens(tokens);
  std::string out = "|";
  for (int e = 0; e < kEdges; ++e) {
    if (e == 1 || e == 3) out += "+|";
    out += op_names()[tokens[e]] + "~" + std::to_string(kEdgeFrom[e]) + "|";
  }
  return out;
}

std::vector<int> Nb201Table::parse_cell(std::string_view text) {
  const std::string quoted = "cell '" + std::string(text.substr(0, 200)) + "'";
  const std::vector<std::string_view> nodes = split(text, '+');
  if (nodes.size() != 3) throw Error(quoted + ": three nodes separated by '+' expected");
  std::vector<int> tokens;
  for (size_t n = 0; n < nodes.size(); ++n) {
    std::string_view node = nodes[n];
    if (node.size() < 2 || node.front() != '|' || node.back() != '|') {
      throw Error(quoted + ": node " + std::to_string(n + 1) + " is not of the form |op~k|...|");
    }
    const std::vector<std::string_view> edges = split(node.substr(1, node.size() - 2), '|');
    if (edges.size() != n + 1) {
      throw Error(quoted + ": node " + std::to_string(n + 1) + " has " +
                  std::to_string(edges.size()) + " inputs, not " + std::to_string(n + 1));
    }
    for (size_t k = 0; k < edges.size(); ++k) {
      const std::vector<std::string_view> parts = split(edges[k], '~');
      if (parts.size() != 2 || parts[1] != std::to_string(k)) {
        throw Error(quoted + ": edge '" + std::string(edges[k]) + "' is not op~" +
                    std::to_string(k));
      }
      const auto& ops = op_names();
      const auto it = std::find(ops.begin(), ops.end(), parts[0]);
      if (it == ops.end()) {
        throw Error(quoted + ": unknown operation '" + std::string(parts[0]) + "'; use " +
                    list(ops));
      }
      tokens.push_back(static_cast<int>(it - ops.begin()));
    }
  }
  return tokens;
}

const Nb201Table& Nb201Table::embedded() {
  static const Nb201Table table = [] {
    const std::string source = "the built-in NAS-Bench-201 table";
    return parse_csv(gunzip(embedded_nb201_gz(), source, size_t{64} << 20), source);
  }();
  return table;
}

Nb201Table Nb201Table::parse_csv(std::string_view text, const std::string& source) {
  Nb201Table t;
  std::vector<std::string_view> lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) throw Error(source + ": empty");
  const std::vector<std::string_view> header = split(lines[0], ',');
  const size_t fixed = 2 + kDatasets.size();
  bool header_ok = header.size() > fixed && header[0] == "index" && header[1] == "cell";
  for (size_t i = 0; header_ok && i < kDatasets.size(); ++i)
    header_ok = header[2 + i] == kDatasets[i];
  if (!header_ok) {
    throw Error(source + ": line 1: the header must be index,cell," + list(kDatasets) +
                " and at least one device");
  }
  t.datasets_ = kDatasets;
  for (size_t i = fixed; i < header.size(); ++i) {
    const std::string name(header[i]);
    bool ok = !name.empty() && name.size() <= 40;
    for (char c : name) ok = ok && (std::islower(static_cast<unsigned char>(c)) ||
                                    std::isdigit(static_cast<unsigned char>(c)) || c == '_');
    if (!ok || std::find(t.devices_.begin(), t.devices_.end(), name) != t.devices_.end()) {
      throw Error(source + ": line 1: column " + std::to_string(i + 1) + ": device name '" +
                  name.substr(0, 40) + "' (a-z, 0-9, _; once each)");
    }
    t.devices_.push_back(name);
  }
  if (lines.size() != static_cast<size_t>(kCells) + 1) {
    throw Error(source + ": " + std::to_string(lines.size() - 1) + " rows, expected " +
                std::to_string(kCells));
  }
  t.tokens_.resize(kCells);
  t.row_of_code_.assign(kCells, -1);
  t.accuracy_.assign(t.datasets_.size(), std::vector<double>(kCells));
  t.latency_.assign(t.devices_.size(), std::vector<double>(kCells));
  for (int r = 0; r < kCells; ++r) {
    const std::string where = source + ": line " + std::to_string(r + 2);
    const std::vector<std::string_view> f = split(lines[r + 1], ',');
    if (f.size() != header.size()) {
      throw Error(where + ": " + std::to_string(f.size()) + " columns, the header has " +
                  std::to_string(header.size()));
    }
    if (f[0] != std::to_string(r))
      throw Error(where + ": index: " + std::to_string(r) + " expected");
    try {
      t.tokens_[r] = parse_cell(f[1]);
    } catch (const Error& e) {
      throw Error(where + ": " + e.what());
    }
    int& slot = t.row_of_code_[code_of(t.tokens_[r])];
    if (slot >= 0) throw Error(where + ": the cell of row " + std::to_string(slot) + " again");
    slot = r;
    for (size_t c = 2; c < f.size(); ++c) {
      const std::string column = where + ": " + std::string(header[c]);
      const double v = parse_double(f[c], column + ": not a number");
      if (c < fixed) {
        if (!(v >= 0 && v <= 100)) throw Error(column + ": an accuracy in [0, 100] expected");
        t.accuracy_[c - 2][r] = v;
      } else {
        if (!(v > 0 && v < 1e6)) throw Error(column + ": a latency in (0, 1e6) ms expected");
        t.latency_[c - fixed][r] = v;
      }
    }
  }
  return t;
}

int Nb201Table::dataset(std::string_view name) const {
  return find_name(datasets_, name, "dataset");
}

int Nb201Table::device(std::string_view name) const { return find_name(devices_, name, "device"); }

int Nb201Table::row(const std::vector<int>& tokens) const {
  check_tokens(tokens);
  return row_of_code_[code_of(tokens)];
}

double Nb201Table::median_latency_ms(int device) const {
  std::vector<double> v = latency_[device];
  return median(v);
}

}  // namespace mnas
