#include "search/search_session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace mnas {
namespace {

class SearchSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/mnas_session_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    remove_store();
  }
  void TearDown() override { remove_store(); }
  void remove_store() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }
  bool store_exists() const { return std::ifstream(path_).good(); }

  std::string path_;
};

SearchConfig with_batch(const SearchConfig& base, int batch) {
  SearchConfig c = base;
  c.batch = batch;
  c.evaluator = "surrogate";
  c.latency = "surrogate";
  return c;
}

TEST_F(SearchSessionTest, ANewSearchIsCreatedOnlyByBegin) {
  SearchSession s = SearchSession::open(
      path_, false, [](const SearchConfig& base) { return with_batch(base, 4); });
  EXPECT_TRUE(s.is_new());
  EXPECT_EQ(s.config().batch, 4);
  EXPECT_FALSE(store_exists()) << "a search refused after open() must leave no file";
  EXPECT_EQ(s.begin(std::nullopt), kDefaultTrials);
  EXPECT_TRUE(store_exists());
  EXPECT_EQ(search_config_from_text(s.store().config(), "config").batch, 4);
}

TEST_F(SearchSessionTest, AResumeKeepsTheStoredConfigurationAndLength) {
  const auto configure = [](const SearchConfig& base) { return with_batch(base, 3); };
  SearchSession::open(path_, false, configure).begin(10);
  // The caller's configure() is applied to the stored configuration: repeating it is fine.
  SearchSession again = SearchSession::open(path_, true, configure);
  EXPECT_FALSE(again.is_new());
  EXPECT_EQ(again.config().batch, 3);
  EXPECT_EQ(again.begin(std::nullopt), 10);  // not the default length
}

TEST_F(SearchSessionTest, AResumeWithAnotherLengthStoresIt) {
  const auto configure = [](const SearchConfig& base) { return with_batch(base, 3); };
  SearchSession::open(path_, false, configure).begin(10);
  EXPECT_EQ(SearchSession::open(path_, true, configure).begin(15), 15);
  EXPECT_EQ(SearchSession::open(path_, true, configure).begin(std::nullopt), 15);
}

TEST_F(SearchSessionTest, AResumeThatChangesTheSearchNamesTheField) {
  SearchSession::open(path_, false, [](const SearchConfig& b) { return with_batch(b, 3); })
      .begin(5);
  try {
    SearchSession::open(path_, true, [](const SearchConfig& b) { return with_batch(b, 7); });
    FAIL() << "a changed batch was accepted";
  } catch (const ConfigurationChanged& e) {
    EXPECT_EQ(e.field(), "batch");
  }
}

TEST_F(SearchSessionTest, ExistsAndMissingAreRefusedWithoutTouchingTheFile) {
  const auto configure = [](const SearchConfig& base) { return with_batch(base, 2); };
  EXPECT_THROW(SearchSession::open(path_, true, configure), Error);
  EXPECT_FALSE(store_exists());
  SearchSession::open(path_, false, configure).begin(3);
  EXPECT_THROW(SearchSession::open(path_, false, configure), Error);
  EXPECT_EQ(SearchSession::open(path_, true, configure).begin(std::nullopt), 3);
  EXPECT_THROW(SearchSession::open("", false, configure), Error);
  EXPECT_THROW(SearchSession::open(path_, true, configure).begin(0), Error);
}

TEST_F(SearchSessionTest, AStoreKilledBeforeItsConfigurationStartsAsNew) {
  { Store created(path_, Store::Mode::kCreate); }  // the file, nothing in it
  SearchSession s = SearchSession::open(
      path_, true, [](const SearchConfig& base) { return with_batch(base, 5); });
  EXPECT_TRUE(s.is_new());
  EXPECT_EQ(s.begin(std::nullopt), kDefaultTrials);
  EXPECT_EQ(search_config_from_text(s.store().config(), "config").batch, 5);
}

}  // namespace
}  // namespace mnas
