// libFuzzer: values stored in a search store, as `results`, `report` and `--resume` read them
// back. A valid store is made once (a trial, a reference, a strategy state, the configuration);
// each input is a list of edits applied to a copy of it with SQLite directly, as a damaged disk
// or another program would, one per line:
//   <table>.<column>=<type>:<value>   table trials, references_ or controller; type i (integer),
//                                      r (real), t (text), b (blob) or n (null)
//   search.<key>=<type>:<value>        a row of the key/value table (config, trials, writer,
//                                      finalists)
// then the store is opened read-only and everything is read. Every bad value must be an
// mnas::Error, never a crash or a wrong read.
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "base/error.h"
#include "space/architecture_codec.h"
#include "space/search_space.h"
#include "store/store.h"

namespace {

std::string temp(const std::string& name) {
  return "/tmp/mnas_fuzz_" + std::to_string(::getpid()) + "_" + name;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The bytes of a valid store, made on first use.
const std::string& template_store() {
  static const std::string bytes = [] {
    const std::string path = temp("template.db");
    ::unlink(path.c_str());
    {
      mnas::Store store(path, mnas::Store::Mode::kCreate);
      store.set_config(R"({"format":"mnas-search/2"})");
      store.set_target_trials(6);
      mnas::SearchSpace space;
      space.set_input({28, 28, 1});
      space.set_classes(10);
      std::mt19937_64 rng(1);
      mnas::StoredTrial t;
      t.canonical = mnas::to_canonical_string(space.sample(rng));
      t.tokens = {1, 2, 3};
      t.status = "done";
      t.accuracy = 0.7;
      t.latency_ms = 1.5;
      t.reward = 0.68;
      t.latency_json =
          R"({"devices":[{"device":"local","latency_ms":1.5,"target_ms":2,"ratio":0.75,"stats":{}}]})";
      t.seconds = 3;
      store.add_trial(t);
      mnas::StoredReference r;
      r.name = "mnasnet-small";
      r.canonical = t.canonical;
      r.status = "done";
      r.accuracy = 0.6;
      r.latency_ms = 1.2;
      r.reward = 0.61;
      r.latency_json = "{}";
      r.seconds = 2;
      store.add_reference(r);
      store.save_strategy(0, "opaque state");
    }
    std::string out = read_all(path);
    // Everything must be in the main file (the WAL checkpointed at close), or edits miss it.
    if (mnas::Store(path, mnas::Store::Mode::kReadOnly).trial_count() != 1) std::abort();
    ::unlink(path.c_str());
    if (out.empty() || read_all(path + "-wal").size() > 0) std::abort();
    return out;
  }();
  return bytes;
}

const std::set<std::string> kColumns = {
    "trials.id",          "trials.step",         "trials.idx",        "trials.canonical",
    "trials.tokens",      "trials.status",       "trials.failure",    "trials.accuracy",
    "trials.latency_ms",  "trials.reward",       "trials.latency_json", "trials.seconds",
    "trials.cached",      "trials.created",      "references_.name",  "references_.canonical",
    "references_.status", "references_.failure", "references_.accuracy",
    "references_.latency_ms", "references_.reward", "references_.latency_json",
    "references_.seconds", "controller.step",     "controller.state"};

void bind(sqlite3_stmt* s, int at, char type, const std::string& value) {
  switch (type) {
    case 'i': sqlite3_bind_int64(s, at, std::strtoll(value.c_str(), nullptr, 10)); break;
    case 'r': sqlite3_bind_double(s, at, std::strtod(value.c_str(), nullptr)); break;
    case 'b':
      sqlite3_bind_blob(s, at, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
      break;
    case 'n': sqlite3_bind_null(s, at); break;
    default:
      sqlite3_bind_text(s, at, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
}

// One edit; lines that are not edits are ignored (SQLite may refuse an edit too: NOT NULL).
void apply_edit(sqlite3* db, const std::string& line) {
  const size_t eq = line.find('='), dot = line.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq || line.size() < eq + 3 ||
      line[eq + 2] != ':') {
    return;
  }
  const std::string target = line.substr(0, eq), value = line.substr(eq + 3);
  const char type = line[eq + 1];
  std::string sql;
  if (target.rfind("search.", 0) == 0) {
    sql = "INSERT OR REPLACE INTO search (key, value) VALUES (?2, ?1)";
  } else if (kColumns.count(target)) {
    sql = "UPDATE " + target.substr(0, dot) + " SET " + target.substr(dot + 1) + " = ?1";
  } else {
    return;
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) std::abort();
  bind(s, 1, type, value);
  if (target.rfind("search.", 0) == 0) {
    const std::string key = target.substr(dot + 1);
    sqlite3_bind_text(s, 2, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  }
  sqlite3_step(s);
  sqlite3_finalize(s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = temp("store.db");
  ::unlink((path + "-wal").c_str());
  ::unlink((path + "-shm").c_str());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << template_store();
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) std::abort();
  std::istringstream edits(std::string(reinterpret_cast<const char*>(data), size));
  for (std::string line; std::getline(edits, line);) apply_edit(db, line);
  sqlite3_close(db);
  try {
    const mnas::Store store(path, mnas::Store::Mode::kReadOnly);
    store.config();
    store.target_trials();
    for (const mnas::StoredTrial& t : store.trials()) {
      if (!(t.accuracy >= 0 && t.accuracy <= 1)) std::abort();  // validated on read
      store.find_done(t.canonical);
    }
    store.trial_count();
    store.trials_of_step(0);
    store.references();
    store.latest_strategy();
    for (const mnas::FinalVariant& v : store.finalists()) {
      if (!(v.test_top1 >= 0 && v.test_top1 <= 1)) std::abort();  // validated on read
    }
  } catch (const mnas::Error&) {
  }
  return 0;
}
