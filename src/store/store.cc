#include "store/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <limits>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/json_fields.h"
#include "base/number_format.h"
#include "space/architecture_codec.h"
#include "store/trial_latencies.h"
#include "table/nb201_table.h"

namespace mnas {
namespace {

// 'mnas' in the SQLite header's application id; user_version is the schema version.
constexpr int kApplicationId = 0x6d6e6173;
constexpr int kSchemaVersion = 4;  // 3: trials.metrics; 4: rungs, trials.rung and .partial

// A prepared statement, finalised on scope exit; step() checks every result.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw Error("store '" + path + "': " + sqlite3_errmsg(db), Error::Kind::kIo);
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() { return stmt_; }

  // True for a row, false at the end; a damaged page or an I/O error is an Error, not the end.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error("store '" + path_ + "': cannot read or write (" + sqlite3_errmsg(db_) +
                    "); the file may be damaged",
                Error::Kind::kIo);
  }
  void bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.c_str(), -1, SQLITE_TRANSIENT));
  }
  void bind(int i, double v) { check(sqlite3_bind_double(stmt_, i, v)); }
  void bind(int i, int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  void bind(int i, int v) { check(sqlite3_bind_int(stmt_, i, v)); }
  void bind_blob(int i, const std::string& v) {
    check(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) {
      throw Error("store '" + path_ + "': " + sqlite3_errmsg(db_), Error::Kind::kIo);
    }
  }
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Read as columns 0..15 by read_trial; an older store without `metrics` gives '' there, one
// without `rung` and `partial` -1 and 0.

// Reads and validates a column; `what` names the row ("trial 12"), `field` the column.
class RowReader {
 public:
  RowReader(sqlite3_stmt* s, std::string where) : s_(s), where_(std::move(where)) {}
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw Error(where_ + ": " + field + ": " + problem +
                    " (the store is damaged or was written by "
                    "something else)",
                Error::Kind::kIo);
  }
  std::string text(int col, const std::string& field, size_t max = size_t{1} << 24) const {
    const int type = sqlite3_column_type(s_, col);
    if (type != SQLITE_TEXT) fail(field, "not text");
    const unsigned char* t = sqlite3_column_text(s_, col);
    const int n = sqlite3_column_bytes(s_, col);
    if (t == nullptr || n < 0 || static_cast<size_t>(n) > max) fail(field, "missing or too long");
    return std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n));
  }
  int64_t integer(int col, const std::string& field, int64_t lo, int64_t hi) const {
    if (sqlite3_column_type(s_, col) != SQLITE_INTEGER) fail(field, "not an integer");
    const int64_t v = sqlite3_column_int64(s_, col);
    if (v < lo || v > hi) fail(field, std::to_string(v) + " is out of range");
    return v;
  }
  double real(int col, const std::string& field, double lo, double hi) const {
    const int type = sqlite3_column_type(s_, col);
    if (type != SQLITE_FLOAT && type != SQLITE_INTEGER) fail(field, "not a number");
    const double v = sqlite3_column_double(s_, col);
    if (!std::isfinite(v) || v < lo || v > hi) fail(field, format_double(v) + " is out of range");
    return v;
  }
  std::string status(int col) const {
    const std::string v = text(col, "status", 16);
    if (v != "done" && v != "failed") fail("status", "'" + v + "' is neither done nor failed");
    return v;
  }
  // A canonical architecture string that parses back to itself, or a table space's cell string
  // (search/table_trials.h) that does.
  std::string canonical(int col) const {
    const std::string v = text(col, "canonical", 1 << 16);
    try {
      const bool cell = !v.empty() && v.front() == '|';
      if ((cell ? Nb201Table::cell_string(Nb201Table::parse_cell(v))
                : to_canonical_string(parse_architecture_string(v))) != v)
        fail("canonical", "not canonical");
    } catch (const Error& e) {
      fail("canonical", e.what());
    }
    return v;
  }
  const std::string& where() const { return where_; }

 private:
  sqlite3_stmt* s_;
  std::string where_;
};

// The outcome's columns, in the order every table's statements name them.
constexpr const char* kOutcomeColumns =
    "status, failure, accuracy, latency_ms, reward, latency_json, seconds";
constexpr int kOutcomeColumnCount = 7;

// "VERB INTO table (columns) VALUES (?,...)", a placeholder for each column: the two cannot
// disagree in number.
std::string insert_sql(const std::string& verb, const std::string& table,
                       const std::string& columns) {
  std::string placeholders = "?";
  for (char c : columns) placeholders += c == ',' ? ",?" : "";
  return verb + " INTO " + table + " (" + columns + ") VALUES (" + placeholders + ")";
}
const std::string kTrialColumns =
    std::string("id, step, idx, canonical, tokens, ") + kOutcomeColumns + ", cached";

// Binds the outcome to parameters first .. first + 6 (kOutcomeColumns' order).
void bind_outcome(Statement& s, int first, const StoredOutcome& o) {
  s.bind(first, o.status);
  s.bind(first + 1, o.failure);
  s.bind(first + 2, o.accuracy);
  s.bind(first + 3, o.latency_ms);
  s.bind(first + 4, o.reward);
  s.bind(first + 5, o.latency_json);
  s.bind(first + 6, o.seconds);
}

// The outcome from columns first .. first + 6 of a row (kOutcomeColumns), each value checked:
// a failed `what` names its reason, a done trial or rung has a latency.
void read_outcome(const RowReader& r, int first, const char* what, StoredOutcome& o) {
  o.status = r.status(first);
  o.failure = r.text(first + 1, "failure");
  if (o.status == "failed" && o.failure.empty()) {
    r.fail("failure", std::string("a failed ") + what + " without reason");
  }
  o.accuracy = r.real(first + 2, "accuracy", 0, 1);
  o.latency_ms = r.real(first + 3, "latency_ms", 0, 1e9);
  o.reward = r.real(first + 4, "reward", -1e9, 1e9);
  o.latency_json = r.text(first + 5, "latency_json");
  try {
    o.latencies = decode_latencies(o.latency_json, r.where());
  } catch (const Error& e) {
    throw Error(e.what(), Error::Kind::kIo);
  }
  o.seconds = r.real(first + 6, "seconds", 0, 1e9);
  // Trials and rungs only: a reference's row was never held to it, and stores keep reading.
  if (o.status == "done" && !(o.latency_ms > 0) && std::string(what) != "reference") {
    r.fail("latency_ms", std::string("a done ") + what + " without latency");
  }
}

StoredTrial read_trial(sqlite3_stmt* s, const std::string& path) {
  StoredTrial t;
  t.id = sqlite3_column_int64(s, 0);
  const RowReader r(s, "store '" + path + "': trial " + std::to_string(t.id));
  t.id = r.integer(0, "id", 1, std::numeric_limits<int64_t>::max());
  t.step = static_cast<int>(r.integer(1, "step", 0, std::numeric_limits<int>::max()));
  t.index = static_cast<int>(r.integer(2, "idx", 0, std::numeric_limits<int>::max()));
  t.canonical = r.canonical(3);
  try {
    const nlohmann::json tokens = nlohmann::json::parse(r.text(4, "tokens"));
    if (!tokens.is_array()) r.fail("tokens", "not a JSON array");
    for (const nlohmann::json& v : tokens) {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1000000) {
        r.fail("tokens", "not a list of token numbers");
      }
      t.tokens.push_back(v.get<int>());
    }
  } catch (const nlohmann::json::exception&) {
    r.fail("tokens", "not valid JSON");
  }
  read_outcome(r, 5, "trial", t);
  t.cached = r.integer(12, "cached", 0, 1) != 0;
  try {
    t.metrics_json = checked_metrics_text(r.text(13, "metrics"), r.where() + ": metrics");
  } catch (const Error& e) {
    throw Error(e.what(), Error::Kind::kIo);
  }
  t.rung = static_cast<int>(r.integer(14, "rung", -1, 64));
  t.partial = r.integer(15, "partial", 0, 1) != 0;
  if (t.partial && t.rung < 0) r.fail("partial", "a partial trial without its rung");
  return t;
}

constexpr const char* kRungColumns = "step, idx, rung, images";

StoredRung read_rung(sqlite3_stmt* s, const std::string& path) {
  const RowReader r(s, "store '" + path + "': rung of step " +
                           std::to_string(sqlite3_column_int64(s, 0)) + " index " +
                           std::to_string(sqlite3_column_int64(s, 1)));
  StoredRung g;
  g.step = static_cast<int>(r.integer(0, "step", 0, std::numeric_limits<int>::max()));
  g.index = static_cast<int>(r.integer(1, "idx", 0, std::numeric_limits<int>::max()));
  g.rung = static_cast<int>(r.integer(2, "rung", 0, 64));
  g.images = r.integer(3, "images", 1, std::numeric_limits<int64_t>::max());
  read_outcome(r, 4, "rung", g);
  return g;
}

std::string hostname() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace

Store::Store(const std::string& path, Mode mode) : path_(path) {
  if (path.empty()) throw Error("store: an empty path; name the search's file");
  try {
    open(mode);
  } catch (...) {
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
    throw;
  }
}

// The tables, the application id and the schema version; IF NOT EXISTS, so that it also brings a
// store from before the application id up to date. Inside the caller's transaction.
void Store::create_schema() {
  exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
  exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  exec("CREATE TABLE IF NOT EXISTS search (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  exec(
      "CREATE TABLE IF NOT EXISTS trials (id INTEGER PRIMARY KEY, step INTEGER NOT NULL, "
      "idx INTEGER NOT NULL, canonical TEXT NOT NULL, tokens TEXT NOT NULL, status TEXT NOT "
      "NULL, failure TEXT NOT NULL, accuracy REAL NOT NULL, latency_ms REAL NOT NULL, reward "
      "REAL NOT NULL, latency_json TEXT NOT NULL, seconds REAL NOT NULL, cached INTEGER NOT "
      "NULL, created TEXT NOT NULL, metrics TEXT NOT NULL DEFAULT '', UNIQUE (step, idx))");
  // Schema 2 → 3: the extra metrics of external evaluators.
  if (!has_column("trials", "metrics")) {
    exec("ALTER TABLE trials ADD COLUMN metrics TEXT NOT NULL DEFAULT ''");
  }
  has_metrics_ = true;
  // Schema 3 → 4: multi-fidelity (search/fidelity.h).
  if (!has_column("trials", "rung")) {
    exec("ALTER TABLE trials ADD COLUMN rung INTEGER NOT NULL DEFAULT -1");
    exec("ALTER TABLE trials ADD COLUMN partial INTEGER NOT NULL DEFAULT 0");
  }
  has_rungs_ = true;
  exec(
      "CREATE TABLE IF NOT EXISTS rungs (step INTEGER NOT NULL, idx INTEGER NOT NULL, rung "
      "INTEGER NOT NULL, images INTEGER NOT NULL, status TEXT NOT NULL, failure TEXT NOT NULL, "
      "accuracy REAL NOT NULL, reward REAL NOT NULL, latency_ms REAL NOT NULL, latency_json TEXT "
      "NOT NULL, seconds REAL "
      "NOT NULL, created TEXT NOT NULL, PRIMARY KEY (step, idx, rung))");
  exec("CREATE INDEX IF NOT EXISTS trials_canonical ON trials (canonical)");
  exec(
      "CREATE TABLE IF NOT EXISTS references_ (name TEXT PRIMARY KEY, canonical TEXT NOT NULL, "
      "status TEXT NOT NULL, failure TEXT NOT NULL, accuracy REAL NOT NULL, latency_ms REAL NOT "
      "NULL, reward REAL NOT NULL, latency_json TEXT NOT NULL, seconds REAL NOT NULL, created "
      "TEXT NOT NULL)");
  exec(
      "CREATE TABLE IF NOT EXISTS controller (step INTEGER PRIMARY KEY, state BLOB NOT NULL, "
      "created TEXT NOT NULL)");
}

// A new store appears whole or not at all: its schema is written under a temporary name and
// linked into place (link(2) refuses an existing path, so two creators cannot both win). A kill
// in between leaves no half-made store at `path` (at most the temporary beside it).
void Store::create_atomically() {
  const std::string tmp = path_ + ".creating." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  if (sqlite3_open_v2(tmp.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    ::unlink(tmp.c_str());
    throw Error("store '" + path_ + "': cannot create (" + message + ")", Error::Kind::kIo);
  }
  try {
    exec("BEGIN IMMEDIATE");
    create_schema();
    exec("COMMIT");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    ::unlink(tmp.c_str());
    throw;
  }
  sqlite3_close(db_);
  db_ = nullptr;
  const int linked = ::link(tmp.c_str(), path_.c_str());
  const int error = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    throw Error("store '" + path_ + "': " +
                    (error == EEXIST ? std::string("exists already; a new search needs a new file")
                                     : "cannot create (" + std::string(std::strerror(error)) + ")"),
                Error::Kind::kIo);
  }
}

void Store::open(Mode mode) {
  struct stat st {};
  bool exists = ::stat(path_.c_str(), &st) == 0;
  if (mode == Mode::kOpenOrCreate) mode = exists ? Mode::kWrite : Mode::kCreate;
  if (mode == Mode::kCreate && exists) {
    throw Error("store '" + path_ + "': exists already; a new search needs a new file",
                Error::Kind::kIo);
  }
  if (mode == Mode::kCreate) {
    create_atomically();
    mode = Mode::kWrite;  // then opened as any store is
    exists = ::stat(path_.c_str(), &st) == 0;
  }
  if (mode != Mode::kCreate) {
    if (!exists) throw Error("store '" + path_ + "': does not exist", Error::Kind::kIo);
    if (!S_ISREG(st.st_mode))
      throw Error("store '" + path_ + "': not a regular file", Error::Kind::kIo);
    if (st.st_size == 0) {
      throw Error("store '" + path_ + "': an empty file, not an mnas store", Error::Kind::kIo);
    }
  }
  read_only_ = mode == Mode::kReadOnly;
  const int flags = read_only_ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    throw Error("store '" + path_ + "': cannot open (" + message + ")", Error::Kind::kIo);
  }
  sqlite3_busy_timeout(db_, 5000);
  if (mode != Mode::kCreate) {
    // Identify the file before anything is written to it.
    int application_id = 0, version = 0;
    try {
      Statement s(db_, "PRAGMA application_id", path_);
      if (s.step()) application_id = sqlite3_column_int(s.get(), 0);
    } catch (const Error&) {
      // Not a database at all, or one SQLite could not open: a WAL store needs its journal
      // files (-wal, -shm) beside it, which a read-only folder does not allow.
      const int code = sqlite3_errcode(db_);
      if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
        throw Error("store '" + path_ + "': not an mnas store (" + sqlite3_errmsg(db_) + ")",
                    Error::Kind::kIo);
      }
      throw Error("store '" + path_ + "': cannot be read (" + sqlite3_errmsg(db_) +
                      "); SQLite keeps its journal beside the store (" + path_ + "-wal, " +
                      path_ + "-shm): is that folder writable, and are those files yours?",
                  Error::Kind::kIo);
    }
    {
      Statement s(db_, "PRAGMA user_version", path_);
      if (s.step()) version = sqlite3_column_int(s.get(), 0);
    }
    bool legacy = false;
    if (application_id == 0) {
      // A store from before the application id: exactly mnas's tables.
      Statement s(db_,
                  "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE "
                  "type = 'table' ORDER BY name)",
                  path_);
      legacy = s.step() && sqlite3_column_type(s.get(), 0) == SQLITE_TEXT &&
               std::string(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0))) ==
                   "controller,references_,search,trials";
    }
    if (application_id != kApplicationId && !legacy) {
      throw Error("store '" + path_ +
                      "': not an mnas store (a SQLite file of something else); "
                      "nothing was written to it",
                  Error::Kind::kIo);
    }
    if (version > kSchemaVersion) {
      throw Error("store '" + path_ + "': written by a newer mnas (schema " +
                      std::to_string(version) + ", this one knows " +
                      std::to_string(kSchemaVersion) + ")",
                  Error::Kind::kIo);
    }
    Statement check(db_, "PRAGMA quick_check", path_);
    std::string result;
    while (check.step()) {
      const unsigned char* t = sqlite3_column_text(check.get(), 0);
      result += result.empty() ? "" : "; ";
      result += t ? reinterpret_cast<const char*>(t) : "?";
    }
    if (result != "ok") {
      throw Error(
          "store '" + path_ + "': damaged (SQLite quick check: " + result.substr(0, 300) + ")",
          Error::Kind::kIo);
    }
  }
  has_metrics_ = has_column("trials", "metrics");
  has_rungs_ = has_column("trials", "rung");
  if (read_only_) return;
  take_writer_lock();
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec("BEGIN IMMEDIATE");
  try {
    create_schema();
    set_value("writer", nlohmann::json{{"pid", static_cast<int64_t>(::getpid())},
                                       {"host", hostname()},
                                       {"since", now_utc()}}
                            .dump());
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

// An exclusive flock on the database file: the kernel drops it when the process dies, so a writer
// that was killed leaves nothing stale behind; its "writer" row is simply replaced. (flock and
// SQLite's own POSIX locks do not interact on Linux.)
void Store::take_writer_lock() {
  lock_fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (lock_fd_ < 0) {
    throw Error("store '" + path_ + "': cannot open to lock (" + std::strerror(errno) + ")",
                Error::Kind::kIo);
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) == 0) return;
  std::string holder = "another process";
  try {
    const nlohmann::json w = nlohmann::json::parse(value("writer"));
    holder = "pid " + std::to_string(w.at("pid").get<int64_t>()) + " on " +
             w.at("host").get<std::string>() + " since " + w.at("since").get<std::string>();
  } catch (const std::exception&) {
  }
  throw Error("store '" + path_ + "': is being written by " + holder +
                  "; one search writes a store at a time (results and report can read it now)",
              Error::Kind::kIo);
}

Store::~Store() {
  sqlite3_close(db_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the writer lock
}

void Store::require_writable() const {
  MNAS_ASSERT(!read_only_);  // a read-only Store is never asked to write
  // Before each write: the path must still name the file this Store holds. A store deleted or
  // replaced under a running search would otherwise take its trials with it.
  if (!lost_.empty()) throw Error(lost_, Error::Kind::kIo);  // noticed before
  struct stat ours {}, named {};
  if (lock_fd_ < 0 || ::fstat(lock_fd_, &ours) != 0) return;
  if (::stat(path_.c_str(), &named) == 0 && named.st_dev == ours.st_dev &&
      named.st_ino == ours.st_ino) {
    return;
  }
  // Everything written so far is still readable through this connection: copied to a file of
  // its own (an mnas store like any other), named in the error.
  std::string kept;
  for (int n = 1; n < 1000 && kept.empty(); ++n) {
    const std::string candidate = path_ + ".kept-" + std::to_string(n);
    struct stat st {};
    if (::lstat(candidate.c_str(), &st) != 0) kept = candidate;
  }
  bool saved = false;
  sqlite3* copy = nullptr;
  if (!kept.empty() && sqlite3_open_v2(kept.c_str(), &copy,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                       nullptr) == SQLITE_OK) {
    if (sqlite3_backup* b = sqlite3_backup_init(copy, "main", db_, "main")) {
      const bool done = sqlite3_backup_step(b, -1) == SQLITE_DONE;
      saved = sqlite3_backup_finish(b) == SQLITE_OK && done;
    }
  }
  sqlite3_close(copy);
  // This connection's journal holds the latest trials: moved into the file it belongs to (the
  // one deleted or moved away) and emptied, so that nothing of it is ever read as part of what
  // the path names now.
  sqlite3_wal_checkpoint_v2(db_, "main", SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  lost_ = "store '" + path_ + "': the file was deleted or replaced while this process wrote to " +
          "it; nothing more is written there. " +
          (saved ? "Everything it held is kept in '" + kept + "' (`mnas results " + kept +
                       "`; a search goes on with `mnas search --store " + kept + " --resume`)"
                 : std::string("Its content could not be saved elsewhere"));
  throw Error(lost_, Error::Kind::kIo);
}

void Store::exec(const char* sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    if ((sqlite3_errcode(db_) & 0xff) == SQLITE_READONLY) {
      message += " (SQLite writes the store and its journal, " + path_ + "-wal and -shm, in its "
                 "folder: is that folder writable, and are those files yours?)";
    }
    throw Error("store '" + path_ + "': " + message, Error::Kind::kIo);
  }
}

std::string Store::value(const char* key) const {
  Statement s(db_, "SELECT value FROM search WHERE key = ?", path_);
  s.bind(1, std::string(key));
  if (!s.step()) return "";
  return RowReader(s.get(), "store '" + path_ + "': search." + key).text(0, "value");
}

void Store::set_value(const char* key, const std::string& v) {
  require_writable();
  Statement s(db_, "INSERT OR REPLACE INTO search (key, value) VALUES (?, ?)", path_);
  s.bind(1, std::string(key));
  s.bind(2, v);
  s.step();
}

std::string Store::config() const { return value("config"); }

void Store::set_config(const std::string& json) { set_value("config", json); }

int64_t Store::target_trials() const {
  const std::string v = value("trials");
  if (v.empty()) return 0;
  if (v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw Error("store '" + path_ + "': search.trials: '" + v.substr(0, 20) + "' is not a count",
                Error::Kind::kIo);
  }
  return std::stoll(v);
}

void Store::set_target_trials(int64_t trials) {
  MNAS_ASSERT(trials > 0);
  set_value("trials", std::to_string(trials));
}

std::optional<std::vector<std::string>> Store::reference_names() const {
  const std::string v = value("references");
  if (v.empty()) return std::nullopt;
  const std::string where = "store '" + path_ + "': search.references";
  std::vector<std::string> names;
  try {
    const nlohmann::json j = nlohmann::json::parse(v);
    if (!j.is_array() || j.size() > 64) throw Error(where + ": not a list of at most 64 names");
    for (const nlohmann::json& name : j) {
      const bool valid = name.is_string() && !name.get<std::string>().empty() &&
                         name.get<std::string>().size() <= 64 &&
                         name.get<std::string>().find_first_not_of(
                             "abcdefghijklmnopqrstuvwxyz0123456789-_.@") == std::string::npos;
      if (!valid) throw Error(where + ": " + name.dump().substr(0, 80) + " is not a model name");
      names.push_back(name.get<std::string>());
    }
  } catch (const nlohmann::json::exception&) {
    throw Error(where + ": not valid JSON", Error::Kind::kIo);
  } catch (const Error& e) {
    throw Error(e.what(), Error::Kind::kIo);
  }
  return names;
}

void Store::set_reference_names(const std::vector<std::string>& names) {
  set_value("references", nlohmann::json(names).dump());
}

std::vector<FinalVariant> Store::finalists() const {
  try {
    return parse_finalists(value("finalists"), "store '" + path_ + "': search.finalists");
  } catch (const Error& e) {
    throw Error(e.what(), Error::Kind::kIo);  // a damaged store, as for every stored value
  }
}

void Store::set_finalists(const std::vector<FinalVariant>& variants) {
  set_value("finalists", finalists_json(variants));
}

std::vector<std::string> Store::train_devices() const {
  const std::string text = value("train_devices");
  if (text.empty()) return {};
  const std::string where = "store '" + path_ + "': search.train_devices";
  std::vector<std::string> out;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_array() || j.size() > 64) throw Error(where + ": not a list of at most 64 devices");
    for (const auto& d : j) {
      if (!d.is_string() || d.get<std::string>().empty() || d.get<std::string>().size() > 64) {
        throw Error(where + ": an entry is not a device name of 1 to 64 characters");
      }
      for (char c : d.get<std::string>()) {
        if (c < 0x20 || c > 0x7e) throw Error(where + ": a device name has a control character");
      }
      out.push_back(d.get<std::string>());
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": damaged (" + std::string(e.what()) + ")", Error::Kind::kIo);
  } catch (const Error& e) {
    throw Error(e.what(), Error::Kind::kIo);
  }
  return out;
}

void Store::add_train_device(const std::string& device) {
  MNAS_ASSERT(!device.empty() && device.size() <= 64);
  std::vector<std::string> devices = train_devices();
  if (std::find(devices.begin(), devices.end(), device) != devices.end()) return;
  devices.push_back(device);
  set_value("train_devices", nlohmann::json(devices).dump());
}

std::vector<StoredCalibration> Store::latency_calibrations() const {
  const std::string text = value("latency_calibrations");
  if (text.empty()) return {};
  const std::string where = "store '" + path_ + "': search.latency_calibrations";
  std::vector<StoredCalibration> out;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_array() || j.size() > 100000) throw Error(where + ": not a list");
    for (size_t i = 0; i < j.size(); ++i) {
      const std::string p = json_fields::element(where, i);
      const nlohmann::json& e = j[i];
      json_fields::require_object(e, p);
      json_fields::reject_unknown_keys(
          e, {"device", "after_trials", "bias", "samples", "scale", "ms_per_mparam", "offset_ms"},
          p);
      StoredCalibration c;
      c.device = json_fields::as_string(json_fields::required(e, "device", p), p + ".device");
      if (c.device.empty() || c.device.size() > 32) throw Error(p + ".device: not a device name");
      c.after_trials = json_fields::as_int(json_fields::required(e, "after_trials", p),
                                           p + ".after_trials");
      c.samples = static_cast<int>(
          json_fields::as_int(json_fields::required(e, "samples", p), p + ".samples"));
      c.bias = json_fields::as_double(json_fields::required(e, "bias", p), p + ".bias");
      c.scale = json_fields::as_double(json_fields::required(e, "scale", p), p + ".scale");
      c.ms_per_mparam = json_fields::as_double(json_fields::required(e, "ms_per_mparam", p),
                                               p + ".ms_per_mparam");
      c.offset_ms =
          json_fields::as_double(json_fields::required(e, "offset_ms", p), p + ".offset_ms");
      if (c.after_trials < 0 || c.samples < 2 || !(c.scale > 0) || !(c.bias > -1)) {
        throw Error(p + ": out of range (after_trials ≥ 0, samples ≥ 2, scale > 0, bias > -1)");
      }
      out.push_back(c);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": damaged (" + std::string(e.what()) + ")", Error::Kind::kIo);
  } catch (const Error& e) {
    throw Error(e.what(), Error::Kind::kIo);
  }
  return out;
}

void Store::add_latency_calibration(const StoredCalibration& c) {
  MNAS_ASSERT(c.samples >= 2 && c.scale > 0);
  std::vector<StoredCalibration> all = latency_calibrations();
  all.push_back(c);
  nlohmann::json list = nlohmann::json::array();
  for (const StoredCalibration& o : all) {
    list.push_back({{"device", o.device}, {"after_trials", o.after_trials}, {"bias", o.bias},
                    {"samples", o.samples}, {"scale", o.scale},
                    {"ms_per_mparam", o.ms_per_mparam}, {"offset_ms", o.offset_ms}});
  }
  set_value("latency_calibrations", list.dump());
}

bool Store::has_column(const char* table, const char* column) const {
  Statement s(db_,
              (std::string("SELECT COUNT(*) FROM pragma_table_info('") + table +
               "') WHERE name = ?")
                  .c_str(),
              path_);
  s.bind(1, std::string(column));
  return s.step() && sqlite3_column_int64(s.get(), 0) > 0;
}

std::string Store::trial_columns() const {
  return kTrialColumns + (has_metrics_ ? ", metrics" : ", ''") +
         (has_rungs_ ? ", rung, partial" : ", -1, 0");
}

void Store::add_rung(const StoredRung& g) {
  require_writable();
  Statement s(db_,
              insert_sql("INSERT", "rungs",
                         std::string(kRungColumns) + ", " + kOutcomeColumns + ", created")
                  .c_str(),
              path_);
  s.bind(1, g.step);
  s.bind(2, g.index);
  s.bind(3, g.rung);
  s.bind(4, g.images);
  bind_outcome(s, 5, g);
  s.bind(5 + kOutcomeColumnCount, now_utc());
  s.step();
}

std::vector<StoredRung> Store::rungs(int step) const {
  if (!has_rungs_) return {};
  Statement s(db_,
              (std::string("SELECT ") + kRungColumns + ", " + kOutcomeColumns + " FROM rungs" +
               (step >= 0 ? " WHERE step = ?" : "") + " ORDER BY step, idx, rung")
                  .c_str(),
              path_);
  if (step >= 0) s.bind(1, step);
  std::vector<StoredRung> out;
  while (s.step()) out.push_back(read_rung(s.get(), path_));
  return out;
}

void Store::add_trial(const StoredTrial& t) {
  require_writable();
  Statement s(db_,
              insert_sql("INSERT", "trials",
                         std::string("step, idx, canonical, tokens, ") + kOutcomeColumns +
                             ", cached, created, metrics, rung, partial")
                  .c_str(),
              path_);
  s.bind(1, t.step);
  s.bind(2, t.index);
  s.bind(3, t.canonical);
  s.bind(4, nlohmann::json(t.tokens).dump());
  bind_outcome(s, 5, t);
  const int next = 5 + kOutcomeColumnCount;  // the columns after the outcome's, as for rungs
  s.bind(next, t.cached ? 1 : 0);
  s.bind(next + 1, now_utc());
  s.bind(next + 2, checked_metrics_text(t.metrics_json, "trial metrics"));
  s.bind(next + 3, t.rung);
  s.bind(next + 4, t.partial ? 1 : 0);
  s.step();
}

std::vector<StoredTrial> Store::trials() const {
  Statement s(db_, (std::string("SELECT ") + trial_columns() + " FROM trials ORDER BY id").c_str(),
              path_);
  std::vector<StoredTrial> out;
  while (s.step()) out.push_back(read_trial(s.get(), path_));
  return out;
}

std::vector<StoredTrial> Store::trials_of_step(int step) const {
  Statement s(
      db_,
      (std::string("SELECT ") + trial_columns() + " FROM trials WHERE step = ? ORDER BY idx")
          .c_str(),
      path_);
  s.bind(1, step);
  std::vector<StoredTrial> out;
  while (s.step()) out.push_back(read_trial(s.get(), path_));
  return out;
}

int64_t Store::trial_count() const {
  Statement s(db_, "SELECT COUNT(*) FROM trials", path_);
  return s.step() ? sqlite3_column_int64(s.get(), 0) : 0;
}

std::optional<StoredTrial> Store::find_done(const std::string& canonical) const {
  Statement s(
      db_,
      (std::string("SELECT ") + trial_columns() +
       " FROM trials WHERE canonical = ? AND status = 'done' AND cached = 0 ORDER BY id LIMIT 1")
          .c_str(),
      path_);
  s.bind(1, canonical);
  if (s.step()) return read_trial(s.get(), path_);
  return std::nullopt;
}

void Store::save_strategy(int step, const std::string& state) {
  require_writable();
  exec("BEGIN IMMEDIATE");
  try {
    Statement s(db_, "INSERT OR REPLACE INTO controller (step, state, created) VALUES (?, ?, ?)",
                path_);
    s.bind(1, step);
    s.bind_blob(2, state);
    s.bind(3, now_utc());
    s.step();
    Statement old(db_, "DELETE FROM controller WHERE step <= ?", path_);
    old.bind(1, step - kKeptStrategyStates);
    old.step();
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::optional<std::pair<int, std::string>> Store::latest_strategy() const {
  Statement s(db_, "SELECT step, state FROM controller ORDER BY step DESC LIMIT 1", path_);
  if (!s.step()) return std::nullopt;
  const RowReader r(s.get(), "store '" + path_ + "': controller");
  const int step = static_cast<int>(r.integer(0, "step", 0, std::numeric_limits<int>::max()));
  if (sqlite3_column_type(s.get(), 1) != SQLITE_BLOB) r.fail("state", "not a blob");
  const void* blob = sqlite3_column_blob(s.get(), 1);
  const int size = sqlite3_column_bytes(s.get(), 1);
  return std::make_pair(step,
                        std::string(static_cast<const char*>(blob), static_cast<size_t>(size)));
}

void Store::add_reference(const StoredReference& r) {
  require_writable();
  Statement s(db_,
              insert_sql("INSERT OR REPLACE", "references_",
                         std::string("name, canonical, ") + kOutcomeColumns + ", created")
                  .c_str(),
              path_);
  s.bind(1, r.name);
  s.bind(2, r.canonical);
  bind_outcome(s, 3, r);
  s.bind(3 + kOutcomeColumnCount, now_utc());
  s.step();
}

std::vector<StoredReference> Store::references() const {
  Statement s(db_,
              (std::string("SELECT name, canonical, ") + kOutcomeColumns +
               " FROM references_ ORDER BY name")
                  .c_str(),
              path_);
  std::vector<StoredReference> out;
  while (s.step()) {
    StoredReference r;
    const RowReader row(s.get(), "store '" + path_ + "': reference");
    r.name = row.text(0, "name", 64);
    const RowReader named(s.get(), "store '" + path_ + "': reference " + r.name);
    r.canonical = named.canonical(1);
    read_outcome(named, 2, "reference", r);
    out.push_back(r);
  }
  return out;
}

}  // namespace mnas
