// The store refuses what it cannot trust: files that are not mnas stores, a second writer,
// damaged pages, stored values out of range. Nothing it refuses is written to.
#include "store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "base/error.h"
#include "space/architecture_codec.h"
#include "space/search_space.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

std::string temp_store(const std::string& name) { return testing::fresh_path("store_test", name); }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

StoredTrial trial(int index) {
  std::mt19937_64 rng(index + 1);
  StoredTrial t;
  t.step = 0;
  t.index = index;
  const SearchSpace space = testing::fashion_mnist_space();
  t.canonical = to_canonical_string(space.sample(rng));
  t.tokens = {1, 2, 3};
  t.status = "done";
  t.accuracy = 0.7;
  t.latency_ms = 1.5;
  t.reward = 0.68;
  t.latency_json = "{}";
  t.seconds = 3;
  return t;
}

// Runs SQL on the file directly, as a damaged disk or another program would.
void tamper(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
  sqlite3_close(db);
}

void expect_error(const std::function<void()>& f, const std::string& part) {
  try {
    f();
    FAIL() << "no error; expected one with '" << part << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    EXPECT_EQ(e.kind(), Error::Kind::kIo) << e.what();
  }
}

// A copy of the store at `path`, tampered with `sql`: reading it back with `read` must fail as a
// damaged store does, naming `part`.
void expect_tampered_copy_refused(const std::string& path, const std::string& sql,
                                  const std::function<void(const Store&)>& read,
                                  const std::string& part) {
  const std::string copy = temp_store("tampered_copy");
  std::ofstream(copy, std::ios::binary) << slurp(path);
  tamper(copy, sql);
  {
    const Store s(copy, Store::Mode::kReadOnly);
    expect_error([&] { read(s); }, part);
  }
  std::remove(copy.c_str());
}

// The search table's `key` replaced by each of `bad_json` in turn: each read back with `read`
// fails naming search.KEY.
void expect_bad_search_values_refused(const std::string& path, const std::string& key,
                                      const std::vector<std::string>& bad_json,
                                      const std::function<void(const Store&)>& read) {
  for (const std::string& bad : bad_json) {
    SCOPED_TRACE(bad);
    std::string quoted;  // an SQL string literal
    for (char c : bad) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    expect_tampered_copy_refused(
        path, "UPDATE search SET value = '" + quoted + "' WHERE key = '" + key + "'", read,
        "search." + key);
  }
}

TEST(Store, RefusesFilesThatAreNotStoresWithoutWritingToThem) {
  const std::string empty = temp_store("empty");
  std::ofstream(empty).close();
  for (Store::Mode mode :
       {Store::Mode::kWrite, Store::Mode::kReadOnly, Store::Mode::kOpenOrCreate}) {
    expect_error([&] { Store s(empty, mode); }, "an empty file, not an mnas store");
  }
  EXPECT_EQ(slurp(empty), "");

  const std::string foreign = temp_store("foreign");
  tamper(foreign, "CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x')");
  const std::string before = slurp(foreign);
  for (Store::Mode mode : {Store::Mode::kWrite, Store::Mode::kReadOnly}) {
    expect_error([&] { Store s(foreign, mode); }, "not an mnas store");
  }
  EXPECT_EQ(slurp(foreign), before);       // not a byte changed
  EXPECT_FALSE(exists(foreign + "-wal"));  // and not switched to WAL
  expect_error([&] { Store s(foreign, Store::Mode::kCreate); }, "exists already");
  expect_error([&] { Store s(temp_store("absent"), Store::Mode::kReadOnly); }, "does not exist");
  expect_error([&] { Store s("/tmp", Store::Mode::kWrite); }, "not a regular file");
  EXPECT_THROW(Store(""), Error);
  for (const std::string& p : {empty, foreign}) std::remove(p.c_str());
}

// A store deleted or replaced under its writer: the next write stops with an error naming a
// copy that holds everything written, and nothing is written to what the path names now.
TEST(Store, AFileDeletedOrReplacedUnderItsWriterIsNoticedAndNothingIsLost) {
  for (const bool replace : {false, true}) {
    const std::string path = temp_store(replace ? "replaced" : "deleted");
    const std::string kept = path + ".kept-1", other = temp_store("replacement");
    for (const std::string& p : {kept, other}) std::remove(p.c_str());
    {
      Store s(path, Store::Mode::kCreate);
      s.set_config("{}");
      for (int i = 0; i < 3; ++i) s.add_trial(trial(i));
      if (replace) {
        { Store r(other, Store::Mode::kCreate); r.add_trial(trial(7)); }
        ASSERT_EQ(std::rename(other.c_str(), path.c_str()), 0);
      } else {
        ASSERT_EQ(std::remove(path.c_str()), 0);
      }
      expect_error([&] { s.add_trial(trial(3)); }, "was deleted or replaced while this process");
      expect_error([&] { s.add_trial(trial(4)); }, "'" + kept + "'");
    }
    const Store copy(kept, Store::Mode::kReadOnly);
    ASSERT_EQ(copy.trial_count(), 3);
    EXPECT_EQ(copy.trials()[2].canonical, trial(2).canonical);
    EXPECT_EQ(copy.config(), "{}");
    if (replace) {  // the replacement is as it was: one trial of its own
      const Store r(path, Store::Mode::kReadOnly);
      EXPECT_EQ(r.trial_count(), 1);
      EXPECT_EQ(r.trials()[0].canonical, trial(7).canonical);
    }
    for (const std::string& p : {path, kept, kept + ".kept-1", other}) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p + suffix).c_str());
    }
  }
}

// A store whose journal SQLite cannot open (here its -wal is a folder; a read-only folder that
// lacks one does the same) is not called "not an mnas store".
TEST(Store, AStoreThatCannotBeOpenedIsNotCalledForeign) {
  const std::string path = temp_store("unopenable");
  {
    Store s(path, Store::Mode::kCreate);
    s.add_trial(trial(0));
  }
  ASSERT_EQ(::mkdir((path + "-wal").c_str(), 0755), 0);
  try {
    const Store s(path, Store::Mode::kReadOnly);
    s.trials();
    FAIL() << "read a store whose journal cannot be opened";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("not an mnas store"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is that folder writable"), std::string::npos)
        << e.what();
  }
  ::rmdir((path + "-wal").c_str());
  const Store s(path, Store::Mode::kReadOnly);
  EXPECT_EQ(s.trial_count(), 1);
  std::remove(path.c_str());
}

TEST(Store, OneWriterAtATimeAndReadersBeside) {
  const std::string path = temp_store("writers");
  {
    Store writer(path, Store::Mode::kCreate);
    writer.add_trial(trial(0));
    expect_error([&] { Store second(path, Store::Mode::kWrite); },
                 "is being written by pid " + std::to_string(::getpid()));
    const Store reader(path, Store::Mode::kReadOnly);  // results and report still work
    EXPECT_EQ(reader.trial_count(), 1);
    EXPECT_TRUE(reader.read_only());
  }
  Store again(path, Store::Mode::kWrite);  // the first writer is gone
  EXPECT_EQ(again.trial_count(), 1);
}

TEST(Store, AWriterKilledLeavesNoStaleLock) {
  const std::string path = temp_store("killed");
  { Store create(path, Store::Mode::kCreate); }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Store held(path, Store::Mode::kWrite);
    raise(SIGKILL);  // dies holding the lock, its "writer" row left behind
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  Store taken(path, Store::Mode::kWrite);  // taken over
  EXPECT_EQ(taken.trial_count(), 0);
}

TEST(Store, AReaderNeverWrites) {
  const std::string path = temp_store("reader");
  {
    Store s(path, Store::Mode::kCreate);
    s.add_trial(trial(0));
  }
  // Checkpoint the WAL so that the database file holds everything.
  tamper(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  const std::string before = slurp(path);
  {
    const Store r(path, Store::Mode::kReadOnly);
    EXPECT_EQ(r.trials().size(), 1u);
    EXPECT_EQ(r.config(), "");
  }
  EXPECT_EQ(slurp(path), before);
}

TEST(Store, StoredValuesAreValidatedWhenReadBack) {
  const std::string path = temp_store("values");
  {
    Store s(path, Store::Mode::kCreate);
    for (int i = 0; i < 3; ++i) s.add_trial(trial(i));
  }
  struct Case {
    std::string sql, part;
  };
  const std::vector<Case> cases = {
      {"UPDATE trials SET accuracy = 1e300 WHERE id = 2", "trial 2: accuracy"},
      {"UPDATE trials SET accuracy = -1 WHERE id = 2", "trial 2: accuracy"},
      {"UPDATE trials SET status = 'maybe' WHERE id = 3", "trial 3: status"},
      {"UPDATE trials SET canonical = replace(canonical, 'k3', 'k4') WHERE id = 1",
       "trial 1: canonical"},
      {"UPDATE trials SET canonical = substr(canonical, 2) WHERE id = 1", "trial 1: canonical"},
      {"UPDATE trials SET tokens = '[1,' WHERE id = 2", "trial 2: tokens"},
      {"UPDATE trials SET latency_json = '{\"devices\": [{\"device\": 5}]}' WHERE id = 2",
       "trial 2"},
      {"UPDATE trials SET reward = 'high' WHERE id = 2", "trial 2: reward"},
      {"UPDATE trials SET cached = 7 WHERE id = 2", "trial 2: cached"},
      {"UPDATE trials SET metrics = '{\"top5\": \"high\"}' WHERE id = 2",
       "trial 2: metrics.top5: expected a number"},
      {"UPDATE trials SET metrics = '[1]' WHERE id = 2", "trial 2: metrics"},
  };
  for (const Case& c : cases) {
    expect_tampered_copy_refused(
        path, c.sql, [](const Store& s) { s.trials(); }, c.part);
  }
}

FinalVariant finalist(const std::string& model, double multiplier, double top1, double ms) {
  FinalVariant v;
  v.model = model;
  v.multiplier = multiplier;
  v.input = 28;
  v.canonical = trial(0).canonical;
  v.recipe = "full: 30 epochs, all images of fashion-mnist";
  v.checkpoint = "/tmp/x.ckpt";
  v.status = "done";
  v.test_top1 = top1;
  v.test_top5 = 0.99;
  v.params = 1000;
  v.macs = 5000;
  v.latency_ms = ms;
  DeviceLatency d;
  d.device = "local";
  d.latency_ms = ms;
  d.target_ms = 1;
  d.ratio = ms;
  v.latencies = {d};
  return v;
}

TEST(Store, KeepsFinalistsAndValidatesThemWhenReadBack) {
  const std::string path = temp_store("finalists");
  {
    Store s(path, Store::Mode::kCreate);
    EXPECT_TRUE(s.finalists().empty());
    FinalVariant int8 = finalist("mobilenetv2", 1.0, 0.84, 1.6);
    int8.precision = "int8";
    int8.fp32_top1 = 0.85;
    s.set_finalists({finalist("trial 3", 0.5, 0.9, 1.5), finalist("mobilenetv2", 1.0, 0.85, 2),
                     int8});
  }
  {
    const Store s(path, Store::Mode::kReadOnly);
    const std::vector<FinalVariant> back = s.finalists();
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(back[0].model, "trial 3");
    EXPECT_EQ(back[0].precision, "fp32");
    // The same training at int8 is other work, with the same checkpoint.
    EXPECT_EQ(back[2].precision, "int8");
    EXPECT_DOUBLE_EQ(back[2].fp32_top1, 0.85);
    EXPECT_NE(back[2].key(), back[1].key());
    EXPECT_EQ(back[2].training_key(), back[1].training_key());
    EXPECT_DOUBLE_EQ(back[0].test_top1, 0.9);
    EXPECT_EQ(back[1].checkpoint, "/tmp/x.ckpt");
    ASSERT_EQ(back[1].latencies.size(), 1u);
    EXPECT_DOUBLE_EQ(back[1].latencies[0].latency_ms, 2);
  }
  for (const auto& [edit, part] : std::vector<std::pair<std::string, std::string>>{
           {"'$.variants[0].test_top1', 1.5", "variants[0].test_top1"},
           {"'$.variants[1].status', 'great'", "variants[1].status"},
           {"'$.variants[0].canonical', 'input=1x1'", "variants[0].canonical"},
           {"'$.variants[0].input', -3", "variants[0].input"},
           {"'$.variants[1].surprise', 1", "surprise"},
           {"'$.variants[2].precision', 'int4'", "variants[2].precision"},
           {"'$.variants[2].fp32_top1', -1", "variants[2].fp32_top1"},
           {"'$.format', 'mnas-finalists/9'", "format"}}) {
    expect_tampered_copy_refused(
        path, "UPDATE search SET value = json_set(value, " + edit + ") WHERE key = 'finalists'",
        [](const Store& s) { s.finalists(); }, part);
  }
  std::remove(path.c_str());
}

// What a stored list of names (training devices, reference names) is refused as: not a
// list of strings, an empty or a 70-character name, a control character.
std::vector<std::string> bad_name_lists() {
  return {"[1]",           "{\"a\": 1}", "[\"\"]", "not json", "[\"" + std::string(70, 'x') + "\"]",
          "[\"a\\u0001\"]"};
}

TEST(Store, RecordsEachTrainingDeviceOnceAndValidatesThemWhenReadBack) {
  const std::string path = temp_store("train_devices");
  {
    Store s(path, Store::Mode::kCreate);
    EXPECT_TRUE(s.train_devices().empty());
    s.add_train_device("cpu");
    s.add_train_device("cuda:0");
    s.add_train_device("cpu");  // a resume on the same device adds nothing
  }
  {
    const Store s(path, Store::Mode::kReadOnly);
    EXPECT_EQ(s.train_devices(), (std::vector<std::string>{"cpu", "cuda:0"}));
  }
  expect_bad_search_values_refused(path, "train_devices", bad_name_lists(),
                                   [](const Store& s) { s.train_devices(); });
  std::remove(path.c_str());
}

TEST(Store, KeepsTheReferenceNamesAndValidatesThemWhenReadBack) {
  const std::string path = temp_store("reference_names");
  {
    Store s(path, Store::Mode::kCreate);
    EXPECT_FALSE(s.reference_names().has_value());  // not recorded: the caller's default
    s.set_reference_names({});
  }
  {
    Store s(path, Store::Mode::kWrite);
    EXPECT_EQ(s.reference_names(), std::vector<std::string>{});  // none, kept
    s.set_reference_names({"mobilenetv2@0.35", "mnasnet-a1", "table-optimum"});
  }
  {
    const Store s(path, Store::Mode::kReadOnly);
    EXPECT_EQ(s.reference_names(),
              (std::vector<std::string>{"mobilenetv2@0.35", "mnasnet-a1", "table-optimum"}));
  }
  std::vector<std::string> bad_references = bad_name_lists();
  bad_references.push_back("[\"a b\"]");      // a blank
  bad_references.push_back("[\"a\u001b\"]");  // an escape character itself
  expect_bad_search_values_refused(path, "references", bad_references,
                                   [](const Store& s) { s.reference_names(); });
  std::remove(path.c_str());
}

TEST(Store, KeepsLatencyCalibrationsInOrderAndValidatesThemWhenReadBack) {
  const std::string path = temp_store("calibrations");
  {
    Store s(path, Store::Mode::kCreate);
    EXPECT_TRUE(s.latency_calibrations().empty());
    s.add_latency_calibration({"local", 12, -0.2, 12, 1.25, 0.01, 0.002});
    s.add_latency_calibration({"local", 40, 0.08, 30, 1.15, 0.0, 0.001});
  }
  {
    const Store s(path, Store::Mode::kReadOnly);
    const std::vector<StoredCalibration> c = s.latency_calibrations();
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].after_trials, 12);
    EXPECT_DOUBLE_EQ(c[0].bias, -0.2);
    EXPECT_DOUBLE_EQ(c[1].scale, 1.15);
    EXPECT_EQ(c[1].samples, 30);
  }
  const std::string good = R"({"device":"local","after_trials":1,"bias":0.1,"samples":5,)"
                           R"("scale":1,"ms_per_mparam":0,"offset_ms":0)";
  expect_bad_search_values_refused(
      path, "latency_calibrations",
      {"not json", "{}", "[" + good + ",\"x\":1}]",
       "[" +
           std::string(R"({"device":"local","after_trials":1,"bias":0.1,"samples":5,)"
                       R"("scale":0,"ms_per_mparam":0,"offset_ms":0})") +
           "]",
       "[" +
           std::string(R"({"device":"","after_trials":1,"bias":0.1,"samples":5,)"
                       R"("scale":1,"ms_per_mparam":0,"offset_ms":0})") +
           "]",
       "[" +
           std::string(R"({"device":"local","after_trials":1,"bias":0.1,"samples":1,)"
                       R"("scale":1,"ms_per_mparam":0,"offset_ms":0})") +
           "]"},
      [](const Store& s) { s.latency_calibrations(); });
  std::remove(path.c_str());
}

TEST(Finalists, AccuracyAtEqualLatencyIsReadOffTheCurve) {
  const std::vector<FinalVariant> v = {finalist("mobilenetv2", 0.5, 0.80, 1.0),
                                       finalist("mobilenetv2", 1.0, 0.90, 3.0),
                                       finalist("trial 1", 1.0, 0.95, 2.0)};
  EXPECT_NEAR(accuracy_at_latency(v, "mobilenetv2", 2.0), 0.85, 1e-12);
  EXPECT_NEAR(accuracy_at_latency(v, "mobilenetv2", 1.0), 0.80, 1e-12);
  EXPECT_TRUE(std::isnan(accuracy_at_latency(v, "mobilenetv2", 3.5)));  // beyond the curve
  EXPECT_TRUE(std::isnan(accuracy_at_latency(v, "trial 1", 2.0)));      // one point: no curve
}

TEST(Store, KeepsMetricsAndReadsAndUpgradesAStoreFromBeforeThem) {
  const std::string path = temp_store("metrics");
  {
    Store s(path, Store::Mode::kCreate);
    StoredTrial t = trial(0);
    t.metrics_json = R"({"top5":0.93,"loss":1.25})";
    s.add_trial(t);
    EXPECT_EQ(s.trials()[0].metrics_json, R"({"loss":1.25,"top5":0.93})");
    StoredTrial bad = trial(1);
    bad.metrics_json = R"({"top 5": 1})";
    try {
      s.add_trial(bad);
      ADD_FAILURE() << "bad metrics stored";
    } catch (const Error& e) {  // the caller's bad input, not a damaged store
      EXPECT_NE(std::string(e.what()).find("'top 5' is not a metric name"), std::string::npos);
    }
    EXPECT_EQ(s.trial_count(), 1);
  }
  // A schema-2 store (no metrics column): read as having none, upgraded when written.
  tamper(path, "ALTER TABLE trials DROP COLUMN metrics; PRAGMA user_version = 2");
  {
    const Store s(path, Store::Mode::kReadOnly);
    ASSERT_EQ(s.trials().size(), 1u);
    EXPECT_EQ(s.trials()[0].metrics_json, "");
  }
  {
    Store s(path, Store::Mode::kWrite);
    StoredTrial t = trial(1);
    t.metrics_json = R"({"loss":2})";
    s.add_trial(t);
    EXPECT_EQ(s.trials()[1].metrics_json, R"({"loss":2})");
  }
}

TEST(Store, ADamagedFileIsAnErrorNotAnEmptySearch) {
  const std::string path = temp_store("damaged");
  {
    Store s(path, Store::Mode::kCreate);
    for (int i = 0; i < 300; ++i) s.add_trial(trial(i));
  }
  tamper(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  std::string bytes = slurp(path);
  ASSERT_GT(bytes.size(), 8192u);
  // Scribble over the middle of the file: a bad sector, a half-copied file.
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 3000; ++i) bytes[i] = '\x5a';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  for (Store::Mode mode : {Store::Mode::kReadOnly, Store::Mode::kWrite}) {
    try {
      const Store s(path, mode);
      const int64_t n = static_cast<int64_t>(s.trials().size());
      FAIL() << "a damaged store read as " << n << " trials";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
}

TEST(Store, KeepsOnlyTheLatestStrategyStatesAndTheSearchLength) {
  const std::string path = temp_store("states");
  Store s(path, Store::Mode::kCreate);
  const std::string big(100000, 'x');
  for (int step = 0; step < 50; ++step) s.save_strategy(step, big + std::to_string(step));
  const auto latest = s.latest_strategy();
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->first, 49);
  EXPECT_EQ(latest->second, big + "49");
  {
    const Store r(path, Store::Mode::kReadOnly);
    EXPECT_EQ(r.latest_strategy()->first, 49);
  }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM controller", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), Store::kKeptStrategyStates);
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(s.target_trials(), 0);
  s.set_target_trials(6);
  EXPECT_EQ(s.target_trials(), 6);
}

TEST(Store, ReadsStoresFromBeforeTheApplicationId) {
  const std::string path = temp_store("legacy");
  tamper(path,
         "CREATE TABLE search (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
         "CREATE TABLE trials (id INTEGER PRIMARY KEY, step INTEGER NOT NULL, idx INTEGER NOT "
         "NULL, canonical TEXT NOT NULL, tokens TEXT NOT NULL, status TEXT NOT NULL, failure TEXT "
         "NOT NULL, accuracy REAL NOT NULL, latency_ms REAL NOT NULL, reward REAL NOT NULL, "
         "latency_json TEXT NOT NULL, seconds REAL NOT NULL, cached INTEGER NOT NULL, created TEXT "
         "NOT NULL, UNIQUE (step, idx));"
         "CREATE TABLE references_ (name TEXT PRIMARY KEY, canonical TEXT NOT NULL, status TEXT "
         "NOT NULL, failure TEXT NOT NULL, accuracy REAL NOT NULL, latency_ms REAL NOT NULL, "
         "reward REAL NOT NULL, latency_json TEXT NOT NULL, seconds REAL NOT NULL, created TEXT "
         "NOT NULL);"
         "CREATE TABLE controller (step INTEGER PRIMARY KEY, state BLOB NOT NULL, created TEXT "
         "NOT NULL);");
  {
    const Store r(path, Store::Mode::kReadOnly);
    EXPECT_EQ(r.trial_count(), 0);
  }
  Store w(path, Store::Mode::kWrite);
  w.add_trial(trial(0));
  EXPECT_EQ(w.trials().size(), 1u);
}

}  // namespace
}  // namespace mnas
