#ifndef MNAS_STORE_STORE_H_
#define MNAS_STORE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/finalists.h"
#include "store/trial.h"

struct sqlite3;

namespace mnas {

// What evaluating one network gave, as each table of the store keeps it (trials, the rungs of a
// multi-fidelity search, the zoo references): one row shape, read and written by one codec.
struct StoredOutcome {
  std::string status;  // "done" | "failed"
  std::string failure;
  double accuracy = 0, latency_ms = 0, reward = 0;
  std::string latency_json;              // statistics and provenance
  std::vector<DeviceLatency> latencies;  // per device (decoded from latency_json; may be empty)
  double seconds = 0;
};

// One trial as stored (docs/store.md has the schema).
struct StoredTrial : StoredOutcome {
  int64_t id = 0;
  int step = 0;   // strategy step (batch) that proposed it
  int index = 0;  // position in that batch
  std::string canonical;
  std::vector<int> tokens;
  bool cached = false;  // served from an earlier trial of the same architecture
  std::string metrics_json;  // Evaluation::metrics_json; "" when none (and in stores before v3)
  // Multi-fidelity (search/fidelity.h): the last rung it was trained at (-1: a search without
  // rungs), and whether that is below the full proxy (then `accuracy` is the lower rung's and
  // `reward` the estimate the strategy learned from; results leave it off fronts and rankings).
  int rung = -1;
  bool partial = false;
};

// One rung of a multi-fidelity search: a proposal trained on `images` (`rungs` table). The
// latencies are measured once, at rung 0, and repeated in the later rungs.
// `reward` is at this rung's accuracy, as it ranked the proposals for the next.
struct StoredRung : StoredOutcome {
  int step = 0, index = 0, rung = 0;
  int64_t images = 0;
};

// A zoo model evaluated the same way as the trials, for comparison (`references` table).
struct StoredReference : StoredOutcome {
  std::string name;  // zoo name, e.g. "mobilenetv2"
  std::string canonical;
};

// A lookup table's calibration as a search refit it from its own measurements
// (search/latency_check.h), kept in order; the table file itself is never written.
struct StoredCalibration {
  std::string device;        // the search's device name
  int64_t after_trials = 0;  // trials in the store when it was refit
  double bias = 0;           // median (predicted / measured) − 1 that called for it
  int samples = 0;           // measurements it was fit on
  double scale = 1, ms_per_mparam = 0, offset_ms = 0;
};

// The SQLite file of one search: its configuration, every trial, the strategy's checkpoints.
// WAL journal; every write is a transaction, so a killed process leaves the last committed state.
// Not thread-safe.
//
// What it trusts: nothing it did not write. A file is an mnas store when its SQLite application
// id says so (or, for stores from before the id, when it has exactly mnas's tables); anything
// else is refused before a byte is written. One writer at a time: a writing Store holds an
// exclusive lock on the file (released by the kernel when the process dies, so a dead writer
// leaves no stale lock) and records who holds it, so that a second writer is refused with pid,
// host and since when. Every SQLite result is checked (a read error is an error, never the end
// of the data) and every stored value is validated when read back, with an error that names
// the store, the trial and the field. Before each write it checks that its path still names the
// file it holds (device and inode): a store deleted or replaced under a running search stops the
// next write with an error naming a copy of everything written ("<path>.kept-N"), and nothing
// of it is left for the path's new file to read.
class Store {
 public:
  enum class Mode {
    kCreate,        // a new store: the path must not exist yet
    kWrite,         // an existing mnas store, to write (resume a search)
    kReadOnly,      // an existing mnas store, never written (results, report)
    kOpenOrCreate,  // kWrite if the path exists, else kCreate (library users, tests)
  };

  // Opens `path` as `mode` says. Throws mnas::Error naming the file: kIo when it cannot be
  // opened, is not an mnas store, is damaged (quick check) or another process writes it (the
  // message says which); kInvalidInput for an empty path.
  explicit Store(const std::string& path, Mode mode = Mode::kOpenOrCreate);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Configuration: JSON text saved once at the start; empty when the store is new.
  std::string config() const;
  void set_config(const std::string& json);

  // The trials the search was asked to reach (`--trials`), so that a resume without it goes on
  // to the same length; 0 when not recorded (older stores).
  int64_t target_trials() const;
  void set_target_trials(int64_t trials);

  // The references a search was started with (zoo names, "mobilenetv2@0.35", or a table space's
  // "table-optimum"; empty: none), so that a resume that does not say keeps them; nullopt when
  // not recorded (older stores). Validated when read (kIo on damage).
  std::optional<std::vector<std::string>> reference_names() const;
  void set_reference_names(const std::vector<std::string>& names);

  // The networks `mnas finalize` trains and measures (search/finalists.h), validated when read;
  // empty before the first finalize. Written whole, in one statement.
  std::vector<FinalVariant> finalists() const;
  void set_finalists(const std::vector<FinalVariant>& variants);

  // Where the search's proxy training ran, once each ("cpu", "cuda:0", "mpi workers: cuda"), in
  // the order first used; validated when read (kIo on damage).
  std::vector<std::string> train_devices() const;
  void add_train_device(const std::string& device);  // no-op when already recorded

  // The refits of a predicted latency's calibration, oldest first; validated when read (kIo).
  std::vector<StoredCalibration> latency_calibrations() const;
  void add_latency_calibration(const StoredCalibration& calibration);

  // Multi-fidelity rungs: each evaluation as it finishes (one transaction); those of `step`, or
  // of every step when step < 0, by step, index and rung. Empty for stores before them.
  void add_rung(const StoredRung& rung);
  std::vector<StoredRung> rungs(int step = -1) const;

  void add_trial(const StoredTrial& trial);  // one transaction
  std::vector<StoredTrial> trials() const;   // in id order
  std::vector<StoredTrial> trials_of_step(int step) const;
  int64_t trial_count() const;
  // A finished ("done") trial of this architecture, if any: identical architectures are evaluated
  // once.
  std::optional<StoredTrial> find_done(const std::string& canonical) const;

  // The strategy's state after it observed step `step` (opaque bytes). Only the latest
  // kKeptStrategyStates are kept: a resume needs the last one, and every step's LSTM and optimizer
  // state would grow the store by ~1.4 MB a step.
  static constexpr int kKeptStrategyStates = 2;
  void save_strategy(int step, const std::string& state);
  // The latest saved state and its step; nullopt when none.
  std::optional<std::pair<int, std::string>> latest_strategy() const;

  // References: one row per zoo name; adding a name again replaces its row.
  void add_reference(const StoredReference& reference);
  std::vector<StoredReference> references() const;  // in name order

  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }

 private:
  void exec(const char* sql) const;
  void require_writable() const;
  void open(Mode mode);
  void create_schema();
  void create_atomically();
  void take_writer_lock();
  std::string value(const char* key) const;
  bool has_column(const char* table, const char* column) const;
  std::string trial_columns() const;
  void set_value(const char* key, const std::string& value);
  std::string path_;
  sqlite3* db_ = nullptr;
  int lock_fd_ = -1;
  bool read_only_ = false;
  bool has_metrics_ = true;  // trials.metrics exists (schema 3; a read-only older store has none)
  bool has_rungs_ = true;    // trials.rung and the rungs table exist (schema 4)
  // Set once the path no longer names this store's file (require_writable): why, for every
  // later write.
  mutable std::string lost_;
};

}  // namespace mnas

#endif  // MNAS_STORE_STORE_H_
