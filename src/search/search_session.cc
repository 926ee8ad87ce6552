#include "search/search_session.h"

#include <sys/stat.h>

#include <cstdint>
#include <utility>

#include "search/search_setup.h"

namespace mnas {

ConfigurationChanged::ConfigurationChanged(const std::string& field)
    : Error("the search's " + field +
            " differs from the stored configuration; a resumed search keeps its configuration"),
      field_(field) {}

SearchSession SearchSession::open(const std::string& path, bool resume,
                                  const Configure& configure) {
  if (path.empty()) throw Error("store: empty path; name the search's file");
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && !resume) {
    throw Error("store '" + path +
                "' exists; resume it to continue that search, or choose another file");
  }
  if (!exists && resume) throw Error("store '" + path + "' does not exist", Error::Kind::kIo);

  SearchSession s;
  s.path_ = path;
  if (!resume) {
    s.config_ = configure(SearchConfig{});
    s.reward_ = make_reward(s.config_);
    return s;
  }
  s.store_ = std::make_unique<Store>(path, Store::Mode::kWrite);
  const std::string text = s.store_->config();
  if (text.empty()) {
    if (s.store_->trial_count() > 0) {
      throw Error("store '" + path + "': holds trials but no configuration (damaged)",
                  Error::Kind::kIo);
    }
    // Killed right after creating the file: nothing to keep, start it as new.
    s.config_ = configure(SearchConfig{});
    s.reward_ = make_reward(s.config_);
    return s;
  }
  const SearchConfig stored = search_config_from_text(text, "store '" + path + "': config");
  s.config_ = configure(stored);
  const std::string diff = first_difference(stored, s.config_);
  if (!diff.empty()) throw ConfigurationChanged(diff);
  s.reward_ = make_reward(s.config_);
  s.is_new_ = false;
  return s;
}

int64_t SearchSession::begin(std::optional<int64_t> trials) {
  MNAS_ASSERT(!begun_);
  if (trials && *trials < 1) throw Error("trials: " + std::to_string(*trials) + "; must be ≥ 1");
  begun_ = true;
  if (is_new_) {
    if (!store_) store_ = std::make_unique<Store>(path_, Store::Mode::kCreate);
    store_->set_config(search_config_json(config_).dump());
    const int64_t length = trials.value_or(kDefaultTrials);
    store_->set_target_trials(length);
    return length;
  }
  if (trials || store_->target_trials() == 0) {
    const int64_t length = trials.value_or(kDefaultTrials);
    store_->set_target_trials(length);
    return length;
  }
  return store_->target_trials();
}

Store& SearchSession::store() {
  MNAS_ASSERT(store_ != nullptr);
  return *store_;
}

}  // namespace mnas
