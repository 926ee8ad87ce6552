#ifndef MNAS_CLI_FIELD_FLAGS_H_
#define MNAS_CLI_FIELD_FLAGS_H_

// A command's options made from a field table (base/field_table.h): one option per field that
// has a flag, its help and default from the table, and the given ones applied to the struct.
// `mnas search` (SearchConfig) and `mnas train` (TrainOptions) take their settings this way.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/comma_list.h"
#include "base/error.h"
#include "base/field_table.h"
#include "base/number_format.h"

namespace mnas::cli {

// A flag's value as given, in the storage its kind needs.
struct FieldFlag {
  std::string text;
  int64_t integer = 0;
  double real = 0;
  bool on = false;
};
using FieldFlags = std::map<std::string, FieldFlag>;  // by field key; must outlive the command

// Declares an option on `cmd` for each field of `table` with a flag, parsed into `values`; the
// help gives each default from `defaults` (what the command starts from).
template <typename Config>
void add_field_flags(CLI::App* cmd, const std::vector<Field<Config>>& table, FieldFlags& values,
                     const Config& defaults = Config{}) {
  for (const Field<Config>& f : table) {
    if (f.flag_name.empty()) continue;
    FieldFlag& v = values[f.key];
    const std::string help = field_table::help_with_default(f, defaults);
    if (f.kind == FieldKind::kSwitch) {
      cmd->add_flag(f.flag_name, v.on, help);
    } else if (f.apply_text || f.kind == FieldKind::kText || f.kind == FieldKind::kIntegerList ||
               f.kind == FieldKind::kRealList || f.kind == FieldKind::kTextList) {
      CLI::Option* option = cmd->add_option(f.flag_name, v.text, help);
      if (f.kind == FieldKind::kInteger) option->type_name("INT");  // strictly checked (app.cc)
      if (f.kind == FieldKind::kReal) option->type_name("FLOAT");
    } else if (f.kind == FieldKind::kInteger) {
      cmd->add_option(f.flag_name, v.integer, help);
    } else {
      cmd->add_option(f.flag_name, v.real, help);
    }
  }
}

// A list flag's "a,b,c" as the JSON array its field takes; errors name the flag.
template <typename Config>
nlohmann::json list_from_text(const Field<Config>& f, const std::string& text) {
  const std::string flag = f.cli_name();
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& item : comma_list(text, flag)) {
    if (f.kind == FieldKind::kTextList) {
      out.push_back(item);
    } else if (f.kind == FieldKind::kIntegerList) {
      const std::string problem = integer_text_problem(item, true);
      if (!problem.empty()) throw Error(flag + ": " + problem);
      out.push_back(std::stoll(item));
    } else {
      out.push_back(parse_double(item, flag + ": '" + item + "' is not a number"));
    }
  }
  return out;
}

// Whether the field's flag was given (either form of a switch: --flip, --no-flip).
template <typename Config>
bool flag_given(const CLI::App& cmd, const Field<Config>& f) {
  return !f.flag_name.empty() && cmd.count(f.cli_name()) > 0;
}

// The given value applied to `config`: through the field's own reading of its text, or checked
// against its kind and range (an error then names the field's key: the caller names the flag).
template <typename Config>
void apply_field_flag(const Field<Config>& f, const FieldFlag& v, Config& config) {
  if (f.apply_text) return f.apply_text(config, v.text, f.cli_name());
  nlohmann::json value;
  switch (f.kind) {
    case FieldKind::kText: value = v.text; break;
    case FieldKind::kInteger: value = v.integer; break;
    case FieldKind::kSwitch: value = v.on; break;
    case FieldKind::kReal: value = v.real; break;
    default: value = list_from_text(f, v.text);
  }
  f.set(config, field_table::checked(f, value, f.key));
}

// Every given flag of `table` applied to `config`, in the table's order; the keys they set.
template <typename Config>
std::vector<std::string> apply_given_flags(const CLI::App& cmd,
                                           const std::vector<Field<Config>>& table,
                                           const FieldFlags& values, Config& config) {
  std::vector<std::string> keys;
  for (const Field<Config>& f : table) {
    if (!flag_given(cmd, f)) continue;
    apply_field_flag(f, values.at(f.key), config);
    keys.push_back(f.key);
  }
  return keys;
}

// `e` again, its message led by the flag that sets the field it is about instead of the field
// ("--epochs: must be in [1, 10000], not 0"), when the table has one.
// The field is e.field(), or else what the message names before its first ':' ("multipliers: 9
// is out of range"); an element ("inputs[0]") is its list's.
template <typename Config>
[[noreturn]] void rethrow_naming_flag(const Error& e, const std::vector<Field<Config>>& table) {
  const std::string message = e.what();
  const std::string field =
      e.field().empty() ? message.substr(0, message.find(':')) : e.field();
  for (const Field<Config>& f : table) {
    const bool about = field == f.key || field.rfind(f.key + "[", 0) == 0 ||
                       field.rfind(f.key + ".", 0) == 0;
    if (f.flag_name.empty() || !about) continue;
    const bool led_by_key = message.rfind(f.key + ": ", 0) == 0;  // "top: ..." → "--top: ..."
    throw Error(f.cli_name() + ": " + (led_by_key ? message.substr(f.key.size() + 2) : message),
                e.kind());
  }
  throw e;
}

// `e`, an error about a library field whose flag is "--" and its name ("opset" → "--opset"),
// again with the flag leading its message ("--opset: 9; must be in [10, 17]"); unchanged when it
// is about no field.
[[noreturn]] inline void rethrow_as_flag(const Error& e) {
  if (e.field().empty()) throw e;
  throw Error::about("--" + e.field(), std::string(e.what()).substr(e.field().size() + 2),
                     e.kind());
}

}  // namespace mnas::cli

#endif  // MNAS_CLI_FIELD_FLAGS_H_
