#ifndef MNAS_BASE_JSON_FIELDS_H_
#define MNAS_BASE_JSON_FIELDS_H_

// Internal to mnas: typed, validated reads of JSON fields. Every failure throws mnas::Error
// whose message starts with the field's path ("blocks[2].kernel: expected an integer, got string").

#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mnas::json_fields {

using Json = nlohmann::json;

// Parses `text`; `what` names the document in errors ("architecture JSON", "space file x.json").
Json parse(std::string_view text, const std::string& what);

// Name of a JSON value's type for messages: "string", "integer", "object", ...
std::string type_name(const Json& value);

// `path` + "." + `key` (or just `key` at the top level, when `path` is empty).
std::string child(const std::string& path, std::string_view key);
std::string element(const std::string& path, size_t index);

void require_object(const Json& value, const std::string& path);
void require_array(const Json& value, const std::string& path);
// Throws naming the first key of `object` that is not in `allowed`.
void reject_unknown_keys(const Json& object, std::initializer_list<const char*> allowed,
                         const std::string& path);

// `value` must be an integer in [lo, hi].
int as_int(const Json& value, const std::string& path, long long lo, long long hi);
// `value` must be an integer of magnitude ≤ 2^30; the caller checks the field's own range later.
int as_int(const Json& value, const std::string& path);
// `value` must be a finite number (integer or floating).
double as_double(const Json& value, const std::string& path);
const std::string& as_string(const Json& value, const std::string& path);

// object[key], or throws "path.key: missing".
const Json& required(const Json& object, const char* key, const std::string& path);

}  // namespace mnas::json_fields

#endif  // MNAS_BASE_JSON_FIELDS_H_
