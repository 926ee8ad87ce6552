#include "search/store.h"

#include <sqlite3.h>

#include <ctime>

#include <nlohmann/json.hpp>

#include "search/latency_objective.h"
#include "space/error.h"

namespace mnas {
namespace {

// A prepared statement, finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw Error("store '" + path + "': " + sqlite3_errmsg(db), Error::Kind::kIo);
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

constexpr const char* kTrialColumns =
    "id, step, idx, canonical, tokens, status, failure, accuracy, latency_ms, reward, "
    "latency_json, "
    "seconds, cached";

StoredTrial read_trial(sqlite3_stmt* s) {
  StoredTrial t;
  t.id = sqlite3_column_int64(s, 0);
  t.step = sqlite3_column_int(s, 1);
  t.index = sqlite3_column_int(s, 2);
  t.canonical = text(s, 3);
  t.tokens = nlohmann::json::parse(text(s, 4)).get<std::vector<int>>();
  t.status = text(s, 5);
  t.failure = text(s, 6);
  t.accuracy = sqlite3_column_double(s, 7);
  t.latency_ms = sqlite3_column_double(s, 8);
  t.reward = sqlite3_column_double(s, 9);
  t.latency_json = text(s, 10);
  t.latencies = decode_latencies(t.latency_json, "trial " + std::to_string(t.id));
  t.seconds = sqlite3_column_double(s, 11);
  t.cached = sqlite3_column_int(s, 12) != 0;
  return t;
}

}  // namespace

Store::Store(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("store '" + path + "': cannot open (" + message + ")", Error::Kind::kIo);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("CREATE TABLE IF NOT EXISTS search (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    exec(
        "CREATE TABLE IF NOT EXISTS trials (id INTEGER PRIMARY KEY, step INTEGER NOT NULL, "
        "idx INTEGER NOT NULL, canonical TEXT NOT NULL, tokens TEXT NOT NULL, status TEXT NOT "
        "NULL, "
        "failure TEXT NOT NULL, accuracy REAL NOT NULL, latency_ms REAL NOT NULL, reward REAL NOT "
        "NULL, "
        "latency_json TEXT NOT NULL, seconds REAL NOT NULL, cached INTEGER NOT NULL, created TEXT "
        "NOT NULL, "
        "UNIQUE (step, idx))");
    exec("CREATE INDEX IF NOT EXISTS trials_canonical ON trials (canonical)");
    exec(
        "CREATE TABLE IF NOT EXISTS references_ (name TEXT PRIMARY KEY, canonical TEXT NOT NULL, "
        "status TEXT NOT NULL, failure TEXT NOT NULL, accuracy REAL NOT NULL, latency_ms REAL NOT "
        "NULL, reward REAL NOT NULL, latency_json TEXT NOT NULL, seconds REAL NOT NULL, created "
        "TEXT NOT NULL)");
    exec(
        "CREATE TABLE IF NOT EXISTS controller (step INTEGER PRIMARY KEY, state BLOB NOT NULL, "
        "created TEXT NOT NULL)");
  } catch (const Error& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("store '" + path + "': not a usable mnas store (" + e.what() + ")",
                Error::Kind::kIo);
  }
}

Store::~Store() { sqlite3_close(db_); }

void Store::exec(const char* sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw Error("store '" + path_ + "': " + message, Error::Kind::kIo);
  }
}

std::string Store::config() const {
  Statement s(db_, "SELECT value FROM search WHERE key = 'config'", path_);
  return sqlite3_step(s.get()) == SQLITE_ROW ? text(s.get(), 0) : "";
}

void Store::set_config(const std::string& json) {
  Statement s(db_, "INSERT OR REPLACE INTO search (key, value) VALUES ('config', ?)", path_);
  sqlite3_bind_text(s.get(), 1, json.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) != SQLITE_DONE)
    throw Error("store '" + path_ + "': " + sqlite3_errmsg(db_), Error::Kind::kIo);
}

void Store::add_trial(const StoredTrial& t) {
  Statement s(
      db_,
      "INSERT INTO trials (step, idx, canonical, tokens, status, failure, accuracy, latency_ms, "
      "reward, latency_json, seconds, cached, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
      path_);
  const std::string tokens = nlohmann::json(t.tokens).dump(), created = now_utc();
  sqlite3_bind_int(s.get(), 1, t.step);
  sqlite3_bind_int(s.get(), 2, t.index);
  sqlite3_bind_text(s.get(), 3, t.canonical.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 4, tokens.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 5, t.status.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 6, t.failure.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s.get(), 7, t.accuracy);
  sqlite3_bind_double(s.get(), 8, t.latency_ms);
  sqlite3_bind_double(s.get(), 9, t.reward);
  sqlite3_bind_text(s.get(), 10, t.latency_json.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s.get(), 11, t.seconds);
  sqlite3_bind_int(s.get(), 12, t.cached ? 1 : 0);
  sqlite3_bind_text(s.get(), 13, created.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    throw Error("store '" + path_ + "': cannot add trial (" + sqlite3_errmsg(db_) + ")",
                Error::Kind::kIo);
  }
}

std::vector<StoredTrial> Store::trials() const {
  Statement s(db_, (std::string("SELECT ") + kTrialColumns + " FROM trials ORDER BY id").c_str(),
              path_);
  std::vector<StoredTrial> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(read_trial(s.get()));
  return out;
}

std::vector<StoredTrial> Store::trials_of_step(int step) const {
  Statement s(
      db_,
      (std::string("SELECT ") + kTrialColumns + " FROM trials WHERE step = ? ORDER BY idx").c_str(),
      path_);
  sqlite3_bind_int(s.get(), 1, step);
  std::vector<StoredTrial> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(read_trial(s.get()));
  return out;
}

int64_t Store::trial_count() const {
  Statement s(db_, "SELECT COUNT(*) FROM trials", path_);
  return sqlite3_step(s.get()) == SQLITE_ROW ? sqlite3_column_int64(s.get(), 0) : 0;
}

std::optional<StoredTrial> Store::find_done(const std::string& canonical) const {
  Statement s(
      db_,
      (std::string("SELECT ") + kTrialColumns +
       " FROM trials WHERE canonical = ? AND status = 'done' AND cached = 0 ORDER BY id LIMIT 1")
          .c_str(),
      path_);
  sqlite3_bind_text(s.get(), 1, canonical.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) == SQLITE_ROW) return read_trial(s.get());
  return std::nullopt;
}

void Store::save_strategy(int step, const std::string& state) {
  Statement s(db_, "INSERT OR REPLACE INTO controller (step, state, created) VALUES (?, ?, ?)",
              path_);
  const std::string created = now_utc();
  sqlite3_bind_int(s.get(), 1, step);
  sqlite3_bind_blob(s.get(), 2, state.data(), static_cast<int>(state.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 3, created.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    throw Error("store '" + path_ + "': cannot save the strategy (" + sqlite3_errmsg(db_) + ")",
                Error::Kind::kIo);
  }
}

std::optional<std::pair<int, std::string>> Store::latest_strategy() const {
  Statement s(db_, "SELECT step, state FROM controller ORDER BY step DESC LIMIT 1", path_);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  const void* blob = sqlite3_column_blob(s.get(), 1);
  const int size = sqlite3_column_bytes(s.get(), 1);
  return std::make_pair(sqlite3_column_int(s.get(), 0),
                        std::string(static_cast<const char*>(blob), static_cast<size_t>(size)));
}

void Store::add_reference(const StoredReference& r) {
  Statement s(db_,
              "INSERT OR REPLACE INTO references_ (name, canonical, status, failure, accuracy, "
              "latency_ms, reward, latency_json, seconds, created) VALUES (?,?,?,?,?,?,?,?,?,?)",
              path_);
  const std::string created = now_utc();
  sqlite3_bind_text(s.get(), 1, r.name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 2, r.canonical.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 3, r.status.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 4, r.failure.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s.get(), 5, r.accuracy);
  sqlite3_bind_double(s.get(), 6, r.latency_ms);
  sqlite3_bind_double(s.get(), 7, r.reward);
  sqlite3_bind_text(s.get(), 8, r.latency_json.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s.get(), 9, r.seconds);
  sqlite3_bind_text(s.get(), 10, created.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    throw Error("store '" + path_ + "': cannot add reference (" + sqlite3_errmsg(db_) + ")",
                Error::Kind::kIo);
  }
}

std::vector<StoredReference> Store::references() const {
  Statement s(db_,
              "SELECT name, canonical, status, failure, accuracy, latency_ms, reward, "
              "latency_json, seconds FROM references_ ORDER BY name",
              path_);
  std::vector<StoredReference> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    StoredReference r;
    r.name = text(s.get(), 0);
    r.canonical = text(s.get(), 1);
    r.status = text(s.get(), 2);
    r.failure = text(s.get(), 3);
    r.accuracy = sqlite3_column_double(s.get(), 4);
    r.latency_ms = sqlite3_column_double(s.get(), 5);
    r.reward = sqlite3_column_double(s.get(), 6);
    r.latency_json = text(s.get(), 7);
    r.latencies = decode_latencies(r.latency_json, "reference " + r.name);
    r.seconds = sqlite3_column_double(s.get(), 8);
    out.push_back(r);
  }
  return out;
}

}  // namespace mnas
