#ifndef MNAS_BASE_FIELD_TABLE_H_
#define MNAS_BASE_FIELD_TABLE_H_

// Configuration as data: each setting of an options struct declared once, as a Field — its JSON
// key, its command-line flag and help, its kind, its range, what a stored file without it meant —
// from which JSON writing and reading, range validation, the CLI's options and "apply the flags
// that were given" are all derived (search/search_config_fields.cc is the search's table). Adding
// a setting is then one table entry and its use.

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/json_fields.h"
#include "base/number_format.h"

namespace mnas {

enum class FieldKind {
  kText,
  kInteger,      // int64 in JSON; the struct's member may be any integer type in range
  kReal,         // a finite number
  kSwitch,       // true | false
  kIntegerList,  // [1000, 5000]
  kRealList,     // [0.5, 1.4]
  kTextList,     // ["mobilenetv2", "mnasnet-a1"]
};

// A getter and setter through JSON for `member` of `Config` (a path such as proxy.epochs):
//   Field<SearchConfig>("proxy.epochs", FieldKind::kInteger, MNAS_FIELD(SearchConfig,
//   proxy.epochs))
#define MNAS_FIELD(Config, member)                                   \
  [](const Config& c) { return nlohmann::json(c.member); },         \
  [](Config& c, const nlohmann::json& v) {                          \
    c.member = v.get<std::decay_t<decltype(std::declval<Config&>().member)>>(); \
  }

template <typename Config>
struct Field {
  using Json = nlohmann::json;
  using Getter = Json (*)(const Config&);
  using Setter = void (*)(Config&, const Json&);
  // A flag whose text means more than the value (--fidelity none, --reward's preset): it sets
  // `config` itself, naming `flag` in its errors.
  using TextApplier = void (*)(Config& config, const std::string& text, const std::string& flag);

  Field(std::string key_, FieldKind kind_, Getter get_, Setter set_)
      : key(std::move(key_)), kind(kind_), get(get_), set(set_) {}

  // The flag that sets the field and what it does; its default is added to the help from a
  // default-constructed Config, unless `default_note` says what the default is (a policy).
  Field&& flag(std::string name, std::string what, std::string default_note = "") && {
    flag_name = std::move(name);
    help = std::move(what);
    default_help = std::move(default_note);
    return std::move(*this);
  }
  // Numbers: the allowed range, [lo, hi], (lo, hi] with lo_open, [lo, hi) with hi_open.
  Field&& range(double lo, double hi, bool lo_open = false, bool hi_open = false) && {
    min = lo;
    max = hi;
    min_open = lo_open;
    max_open = hi_open;
    return std::move(*this);
  }
  Field&& at_least(double lo) && {
    min = lo;
    return std::move(*this);
  }
  // A setting of one run that files do not keep (a thread count, an output path).
  Field&& not_stored() && {
    stored = false;
    return std::move(*this);
  }
  // Stored JSON written before the field existed has no such key: reading takes `meant` for it
  // (a null `meant`: the default-constructed Config's value).
  Field&& added_later(Json meant = nullptr) && {
    optional = true;
    when_absent = std::move(meant);
    return std::move(*this);
  }
  Field&& applies_text(TextApplier applier) && {
    apply_text = applier;
    return std::move(*this);
  }
  // A flag's own name in errors (its value may be a NAME=VALUE pair: --target-ms phone=5).
  std::string cli_name() const {
    return flag_name.empty() ? key : flag_name.substr(0, flag_name.find(','));
  }

  std::string key;
  FieldKind kind;
  Getter get;
  Setter set;
  std::string flag_name, help, default_help;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false;
  bool max_open = false;
  bool stored = true;
  bool optional = false;
  Json when_absent;
  TextApplier apply_text = nullptr;
};

namespace field_table {

using Json = nlohmann::json;

// 10000000 rather than 1e+07: a bound reads as the number a user types.
inline std::string bound_text(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  return format_double(v);
}

inline std::string range_text(double min, double max, bool min_open, bool max_open = false) {
  if (std::isinf(max)) return (min_open ? "> " : "≥ ") + bound_text(min);
  return std::string(min_open ? "(" : "[") + bound_text(min) + ", " + bound_text(max) +
         (max_open ? ")" : "]");
}

// Throws Error::about(`name`) unless `value` is in the field's range.
template <typename Config>
void check_range(const Field<Config>& f, double value, const std::string& name) {
  if (std::isinf(f.min) && std::isinf(f.max)) {
    if (!std::isfinite(value)) throw Error::about(name, "must be finite");
    return;
  }
  const bool low = f.min_open ? !(value > f.min) : !(value >= f.min);
  const bool high = f.max_open ? !(value < f.max) : !(value <= f.max);
  if (low || high) {
    throw Error::about(name, "must be " + (std::isinf(f.max) ? "" : std::string("in ")) +
                                 range_text(f.min, f.max, f.min_open, f.max_open) + ", not " +
                                 format_double(value));
  }
}

// `value` checked against the field's kind and range; the JSON the setter takes.
template <typename Config>
Json checked(const Field<Config>& f, const Json& value, const std::string& name) {
  switch (f.kind) {
    case FieldKind::kText:
      return json_fields::as_string(value, name);
    case FieldKind::kSwitch:
      if (!value.is_boolean()) throw Error::about(name, "must be true or false");
      return value;
    case FieldKind::kReal: {
      const double v = json_fields::as_double(value, name);
      check_range(f, v, name);
      return v;
    }
    case FieldKind::kInteger: {
      if (!value.is_number_integer()) {
        throw Error::about(name, "expected an integer, got " + json_fields::type_name(value));
      }
      const double v = value.is_number_unsigned() ? static_cast<double>(value.get<uint64_t>())
                                                  : static_cast<double>(value.get<int64_t>());
      check_range(f, v, name);
      return value;
    }
    case FieldKind::kIntegerList:
    case FieldKind::kRealList:
    case FieldKind::kTextList: {
      json_fields::require_array(value, name);
      if (value.size() > 64) throw Error::about(name, "at most 64 values");
      Json out = Json::array();
      for (size_t i = 0; i < value.size(); ++i) {
        const std::string item = json_fields::element(name, i);
        if (f.kind == FieldKind::kTextList) {
          out.push_back(json_fields::as_string(value[i], item));
          continue;
        }
        if (f.kind == FieldKind::kIntegerList && !value[i].is_number_integer()) {
          throw Error::about(item, "expected an integer");
        }
        check_range(f, json_fields::as_double(value[i], item), item);
        out.push_back(value[i]);
      }
      return out;
    }
  }
  return value;
}

inline Json::json_pointer pointer_of(const std::string& key) {
  std::string p = "/" + key;
  for (char& c : p) c = c == '.' ? '/' : c;
  return Json::json_pointer(p);
}

// Every field of `config` into `out` at its key ("proxy.epochs" → out["proxy"]["epochs"]).
template <typename Config>
void write(const std::vector<Field<Config>>& table, const Config& config, Json& out) {
  for (const Field<Config>& f : table) {
    if (f.get && f.stored) out[pointer_of(f.key)] = f.get(config);
  }
}

// Sets each field of `table` found in `j` (named in errors as `path`.key). A field that is
// absent is required, unless `partial` (a request naming only what it sets) or the field was
// added later (then it takes what it meant). Objects may hold only the table's keys and `extra`.
template <typename Config>
std::vector<std::string> read(const std::vector<Field<Config>>& table, const Json& j,
                              Config& config, const std::string& path, bool partial,
                              const std::set<std::string>& extra = {}) {
  json_fields::require_object(j, path);
  std::set<std::string> known = extra;
  for (const Field<Config>& f : table) {
    if (!f.get || !f.stored) continue;
    for (size_t dot = f.key.find('.'); dot != std::string::npos; dot = f.key.find('.', dot + 1)) {
      known.insert(f.key.substr(0, dot));
    }
    known.insert(f.key);
  }
  // Unknown keys, and objects where the table has them, at every level.
  std::vector<std::pair<std::string, const Json*>> objects{{"", &j}};
  for (size_t i = 0; i < objects.size(); ++i) {
    const auto [prefix, object] = objects[i];
    for (const auto& [k, v] : object->items()) {
      const std::string key = prefix.empty() ? k : prefix + "." + k;
      if (!known.count(key)) {
        std::string list;
        for (const std::string& other : known) {
          const bool here =
              prefix.empty() ? other.find('.') == std::string::npos
                             : other.rfind(prefix + ".", 0) == 0 &&
                                   other.find('.', prefix.size() + 1) == std::string::npos;
          if (here) {
            list +=
                (list.empty() ? "" : ", ") + other.substr(prefix.empty() ? 0 : prefix.size() + 1);
          }
        }
        throw Error::about(json_fields::child(path, key), "unknown field; expected one of " + list);
      }
      bool is_table_object = false;
      for (const Field<Config>& f : table) {
        is_table_object |= f.get && f.stored && f.key.rfind(key + ".", 0) == 0;
      }
      if (is_table_object) {
        json_fields::require_object(v, json_fields::child(path, key));
        objects.push_back({key, &v});
      }
    }
  }
  std::vector<std::string> given;
  for (const Field<Config>& f : table) {
    if (!f.get || !f.stored) continue;
    const Json::json_pointer at = pointer_of(f.key);
    const std::string name = json_fields::child(path, f.key);
    if (j.contains(at)) {
      f.set(config, checked(f, j.at(at), name));
      given.push_back(f.key);
    } else if (f.optional && !partial) {
      if (!f.when_absent.is_null()) f.set(config, f.when_absent);
    } else if (!partial) {
      throw Error::about(name, "missing");
    }
  }
  return given;
}

// Every field of `config` in its range (numbers finite); Error::about names the field's key.
// `prefix` names where the struct sits ("devices[1]").
template <typename Config>
void check_ranges(const std::vector<Field<Config>>& table, const Config& config,
                  const std::string& prefix = "") {
  for (const Field<Config>& f : table) {
    if (f.get && f.kind != FieldKind::kText && f.kind != FieldKind::kSwitch) {
      checked(f, f.get(config), json_fields::child(prefix, f.key));
    }
  }
}

// The field a flag sets, or nullptr.
template <typename Config>
const Field<Config>* by_flag(const std::vector<Field<Config>>& table, const std::string& flag) {
  for (const Field<Config>& f : table) {
    if (!f.flag_name.empty() && f.cli_name() == flag) return &f;
  }
  return nullptr;
}

// The flag's help with its default: "(default 6)" from `defaults` (a default-constructed Config
// unless a command starts from another: a preset, a recipe), or the field's note.
template <typename Config>
std::string help_with_default(const Field<Config>& f, const Config& defaults = Config{}) {
  if (!f.default_help.empty()) return f.help + " (default: " + f.default_help + ")";
  if (!f.get) return f.help;
  const Json v = f.get(defaults);
  std::string text;
  if (v.is_string() && v.get<std::string>().empty()) {
    return f.help;  // nothing by default (an output path not written)
  } else if (v.is_string()) {
    text = v.get<std::string>();
  } else if (v.is_number_float()) {
    text = format_double(v.get<double>());
  } else if (v.is_boolean()) {
    text = v.get<bool>() ? "on" : "off";
  } else if (v.is_array()) {  // as the flag takes it: 96,128
    for (const Json& item : v) {
      text += (text.empty() ? "" : ",") +
              (item.is_string() ? item.get<std::string>()
                                : item.is_number_float() ? format_double(item.get<double>())
                                                         : item.dump());
    }
  } else {
    text = v.dump();
  }
  std::string out = f.help + " (default " + text;
  if (f.kind == FieldKind::kReal || f.kind == FieldKind::kInteger) {
    if (!std::isinf(f.min) && f.max < 1e9) {  // a bound only as wide as an int64 says nothing
      out += "; " + std::string(std::isinf(f.max) ? "" : "in ") +
             range_text(f.min, f.max, f.min_open, f.max_open);
    }
  }
  return out + ")";
}

}  // namespace field_table
}  // namespace mnas

#endif  // MNAS_BASE_FIELD_TABLE_H_
