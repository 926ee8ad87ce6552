#ifndef MNAS_SEARCH_SEARCH_SESSION_H_
#define MNAS_SEARCH_SEARCH_SESSION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "search/reward.h"
#include "search/search_config.h"
#include "store/store.h"

namespace mnas {

// A resumed search was given a configuration that is not the stored one. `field()` is the first
// differing field (search_config.h's first_difference), for the caller to name its own option.
class ConfigurationChanged : public Error {
 public:
  explicit ConfigurationChanged(const std::string& field);
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

// The store of one search run, opened for a new search or to resume one; the rules every
// front end (the CLI, an MPI rank 0, a test) follows:
// - a new search needs a new file, created only by begin(), so that a search refused on the way
//   (by anything built from its configuration after open()) leaves no file behind;
// - a resumed search keeps its stored configuration: what the caller asks may only repeat it;
// - a store killed right after it was created (no configuration, no trials) starts as new;
// - the length (trials to reach) is stored, so that a resume that does not say keeps it.
class SearchSession {
 public:
  // Makes the configuration from a starting point: the defaults for a new search, the stored
  // configuration on a resume (then it must give the same search back).
  using Configure = std::function<SearchConfig(const SearchConfig& base)>;

  // Throws mnas::Error when `path` exists and !resume, or is missing and resume (kIo), when the
  // store cannot be opened or is damaged (store.h), ConfigurationChanged when configure(stored)
  // differs from the stored configuration, and whatever `configure` throws.
  static SearchSession open(const std::string& path, bool resume, const Configure& configure);

  SearchSession(SearchSession&&) = default;
  SearchSession& operator=(SearchSession&&) = default;

  const SearchConfig& config() const { return config_; }
  // The reward (make_reward; what it derives once, the surrogate's T, is part of config()).
  const RewardOptions& reward() const { return reward_; }
  bool is_new() const { return is_new_; }

  // Creates a new search's store (with its configuration) or goes on with the resumed one, and
  // settles the length: `trials` when given or when the store records none, else the stored one.
  // Returns the length. Call once.
  int64_t begin(std::optional<int64_t> trials);

  // The store: after begin(); on a resume also before it.
  Store& store();

 private:
  SearchSession() = default;

  std::string path_;
  SearchConfig config_;
  RewardOptions reward_;
  std::unique_ptr<Store> store_;
  bool is_new_ = true;
  bool begun_ = false;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_SEARCH_SESSION_H_
