#ifndef MNAS_TABLE_NB201_TABLE_H_
#define MNAS_TABLE_NB201_TABLE_H_

#include <string>
#include <string_view>
#include <vector>

#include "space/decision_space.h"

namespace mnas {

// NAS-Bench-201's cell space with what is known of every cell: the mean 200-epoch test accuracy
// on CIFAR-10, CIFAR-100 and ImageNet16-120 (NAS-Bench-201 / NATS-Bench) and the latency measured
// on real devices (HW-NAS-Bench: Pixel 3, Raspberry Pi 4, ...). data/nasbench201/README.md says
// where each column comes from. A cell is six edges of a four-node DAG, each one of five
// operations; as a strategy sees it, six decisions of five choices (15,625 candidates), edges in
// the order of NAS-Bench-201's cell strings: 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
class Nb201Table {
 public:
  static constexpr int kEdges = 6;
  static constexpr int kOps = 5;
  static constexpr int kCells = 15625;  // 5^6

  // "none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3": the token values.
  static const std::vector<std::string>& op_names();
  // Six decisions "edge 1<-0" ... "edge 3<-2", each with the five operations as its choices.
  static DecisionSpace decision_space();
  // "|nor_conv_3x3~0|+|...|" of a cell's tokens; throws mnas::Error for tokens outside the space.
  static std::string cell_string(const std::vector<int>& tokens);
  // The tokens of a cell string; throws mnas::Error saying what is wrong with `text`.
  static std::vector<int> parse_cell(std::string_view text);

  // The repository's copy (data/nasbench201/nasbench201.csv.gz, built into mnas), read and
  // checked once per process.
  static const Nb201Table& embedded();
  // A table in that CSV layout (header "index,cell,<datasets...>,<devices...>" with the
  // datasets cifar10, cifar100, imagenet16_120 first), every row checked; errors name `source`,
  // the line and the column.
  static Nb201Table parse_csv(std::string_view text, const std::string& source);

  const std::vector<std::string>& datasets() const { return datasets_; }
  const std::vector<std::string>& devices() const { return devices_; }
  // Column of a dataset or device by name; throws mnas::Error listing the known names.
  int dataset(std::string_view name) const;
  int device(std::string_view name) const;

  // The row (NAS-Bench-201 index) of a cell; throws mnas::Error for tokens outside the space.
  int row(const std::vector<int>& tokens) const;
  const std::vector<int>& tokens(int row) const { return tokens_[row]; }
  // Test accuracy in percent, latency in milliseconds.
  double accuracy(int dataset, int row) const { return accuracy_[dataset][row]; }
  double latency_ms(int device, int row) const { return latency_[device][row]; }
  // The device's median latency over all cells (the tasks' T).
  double median_latency_ms(int device) const;

 private:
  std::vector<std::string> datasets_, devices_;
  std::vector<std::vector<int>> tokens_;          // per row
  std::vector<int> row_of_code_;                  // base-5 code of the tokens → row
  std::vector<std::vector<double>> accuracy_;     // [dataset][row]
  std::vector<std::vector<double>> latency_;      // [device][row]
};

}  // namespace mnas

#endif  // MNAS_TABLE_NB201_TABLE_H_
