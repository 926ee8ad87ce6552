#ifndef MNAS_SEARCH_SEARCH_CONFIG_FIELDS_H_
#define MNAS_SEARCH_SEARCH_CONFIG_FIELDS_H_

// The search's configuration as data (base/field_table.h): every setting of SearchConfig and of
// its devices declared once — JSON key, flag, help, default, range — in the order a command line
// applies them. search_config.cc writes, reads and checks the store's JSON from these tables; the
// CLI declares `mnas search`'s configuration flags and applies the given ones from them.

#include <string>
#include <vector>

#include "base/field_table.h"
#include "search/search_config.h"

namespace mnas {

// SearchConfig's fields. Entries without a getter are flags only (--space, --input, --classes,
// --multiplier: they change the space, which the store keeps as one object).
const std::vector<Field<SearchConfig>>& search_config_fields();

// A device's fields (DeviceObjective); its flags take NAME=VALUE for one device or VALUE for all.
const std::vector<Field<DeviceObjective>>& device_objective_fields();

// The flag that sets a configuration field ("proxy.epochs" → "--epochs", "devices[1].target" →
// "--target"), or "" when no flag does.
std::string search_flag_of(const std::string& field);

// The configuration fields a request names: JSON (a store's config, or the Python module's dict)
// applied over `config`, only the keys present (devices, when given, replace the list). Returns
// the keys that were given ("proxy.epochs", "devices", "space.input"). Errors name `path`.key.
std::vector<std::string> apply_search_request(SearchConfig& config, const nlohmann::json& request,
                                              const std::string& path);

}  // namespace mnas

#endif  // MNAS_SEARCH_SEARCH_CONFIG_FIELDS_H_
