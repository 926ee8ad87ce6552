#ifndef MNAS_SEARCH_RECENT_MAP_H_
#define MNAS_SEARCH_RECENT_MAP_H_

#include <cstddef>
#include <iterator>
#include <list>
#include <map>
#include <string>
#include <utility>

namespace mnas {

// A map from architecture to V that keeps only the `capacity` keys set most recently. For what a
// multi-fidelity search remembers about a proposal stopped at a lower rung (where its run is
// held, how far it went): most such proposals are never promoted, and the memory matters only
// until the step's next rung, so an unbounded map would grow with every step of a long search.
template <typename V>
class RecentMap {
 public:
  explicit RecentMap(size_t capacity) : capacity_(capacity) {}

  // The value set for `key`, or null.
  const V* find(const std::string& key) const {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->second;
  }
  // Sets `key` (now the most recent), dropping the oldest keys beyond the capacity.
  void set(const std::string& key, V value) {
    erase(key);
    order_.emplace_back(key, std::move(value));
    index_[key] = std::prev(order_.end());
    while (order_.size() > capacity_) {
      index_.erase(order_.front().first);
      order_.pop_front();
    }
  }
  void erase(const std::string& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }
  size_t size() const { return order_.size(); }

 private:
  using Entries = std::list<std::pair<std::string, V>>;
  size_t capacity_;
  Entries order_;  // oldest first
  std::map<std::string, typename Entries::iterator> index_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_RECENT_MAP_H_
