#ifndef MNAS_SEARCH_STORE_H_
#define MNAS_SEARCH_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "search/trial.h"

struct sqlite3;

namespace mnas {

// One trial as stored (docs/store.md has the schema).
struct StoredTrial {
  int64_t id = 0;
  int step = 0;   // strategy step (batch) that proposed it
  int index = 0;  // position in that batch
  std::string canonical;
  std::vector<int> tokens;
  std::string status;  // "done" | "failed"
  std::string failure;
  double accuracy = 0, latency_ms = 0, reward = 0;
  std::string latency_json;              // statistics and provenance
  std::vector<DeviceLatency> latencies;  // per device (decoded from latency_json; may be empty)
  double seconds = 0;
  bool cached = false;  // served from an earlier trial of the same architecture
};

// A zoo model evaluated the same way as the trials, for comparison (`references` table).
struct StoredReference {
  std::string name;  // zoo name, e.g. "mobilenetv2"
  std::string canonical;
  std::string status;  // "done" | "failed"
  std::string failure;
  double accuracy = 0, latency_ms = 0, reward = 0;
  std::string latency_json;
  std::vector<DeviceLatency> latencies;  // per device (decoded from latency_json; may be empty)
  double seconds = 0;
};

// The SQLite file of one search: its configuration, every trial, the strategy's checkpoints.
// WAL journal; every write is a transaction, so a killed process leaves the last committed state.
// Not thread-safe.
class Store {
 public:
  // Opens or creates `path`. Throws mnas::Error (kIo) when it cannot, naming the file.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Configuration: JSON text saved once at the start; empty when the store is new.
  std::string config() const;
  void set_config(const std::string& json);

  void add_trial(const StoredTrial& trial);  // one transaction
  std::vector<StoredTrial> trials() const;   // in id order
  std::vector<StoredTrial> trials_of_step(int step) const;
  int64_t trial_count() const;
  // A finished ("done") trial of this architecture, if any: identical architectures are evaluated
  // once.
  std::optional<StoredTrial> find_done(const std::string& canonical) const;

  // The strategy's state after it observed step `step` (opaque bytes).
  void save_strategy(int step, const std::string& state);
  // The latest saved state and its step; nullopt when none.
  std::optional<std::pair<int, std::string>> latest_strategy() const;

  // References: one row per zoo name; adding a name again replaces its row.
  void add_reference(const StoredReference& reference);
  std::vector<StoredReference> references() const;  // in name order

  const std::string& path() const { return path_; }

 private:
  void exec(const char* sql) const;
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_STORE_H_
