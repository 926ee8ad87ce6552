// `mnas search`'s flags → SearchConfig: each given flag applied over the defaults (or, on a
// resume, over the stored configuration), a new search completed by the library's policies
// (search/new_search.h), every error naming the flag.
#include <cmath>
#include <cstdio>

#include "base/error.h"
#include "base/number_format.h"
#include "cli/app.h"
#include "cli/search_options.h"
#include "search/references.h"
#include "search/search_config_fields.h"
#include "search/strategy_factory.h"

namespace mnas::cli {
namespace {

// A device flag's "NAME=VALUE" (one device) or "VALUE" (every device) values applied.
void per_device(std::vector<DeviceObjective>& devices, const Field<DeviceObjective>& f,
                const std::vector<std::string>& values) {
  const std::string flag = f.cli_name();
  for (const std::string& v : values) {
    const auto [name, value] = split_named(v, flag, "*");
    bool found = false;
    for (DeviceObjective& d : devices) {
      if (name != "*" && d.name != name) continue;
      if (f.apply_text) {
        f.apply_text(d, value, flag);
      } else {
        f.set(d, field_table::checked(f, nlohmann::json(value), flag));
      }
      found = true;
    }
    if (!found) throw Error(flag + ": no device is named '" + name + "' (see --device)");
  }
}

// What has no meaning in a table space (its defaults are the library's: new_search_config):
// nothing is trained, timed or read from disk.
void check_table_space_flags(const SearchCommandOptions& o) {
  std::vector<std::string> refused = {"--data-dir", "--target", "--latency-stat",
                                      "--surrogate-cost-ms", "--work-dir"};
  for (const Field<SearchConfig>& f : search_config_fields()) {  // what trains, times or reads
    for (const char* part :
         {"space.", "proxy.", "fidelity.", "latency_check.", "command_timeout"}) {
      if (f.key.rfind(part, 0) == 0 && !f.flag_name.empty()) refused.push_back(f.cli_name());
    }
  }
  for (const std::string& flag : refused) {
    if (o.given(flag)) {
      throw Error(flag +
                  ": a table space (--space nb201) trains and times nothing; its accuracy and "
                  "latency are looked up (--evaluator table:DATASET, --device NAME=table:DEVICE, "
                  "--target-ms)");
    }
  }
  if (o.given("--latency") && o.text("--latency") != "measured") {
    throw Error("--latency: a table space looks its latency up; leave --latency out");
  }
}

std::vector<std::string> reference_names(const std::string& spec) {
  if (spec == "none") return {};
  if (spec == "all") return default_reference_names();
  return comma_list(spec, "--references");
}

// The configuration keys the flags set ("proxy.epochs", "devices").
std::vector<std::string> given_fields(const SearchCommandOptions& o) {
  std::vector<std::string> keys;
  for (const Field<SearchConfig>& f : search_config_fields()) {
    if (flag_given(*o.cmd, f)) keys.push_back(f.key);
  }
  if (o.given("--device")) keys.push_back("devices");
  return keys;
}

// The given flags applied over `c` (each error naming its flag or field), a new search completed.
SearchConfig configure_given(const SearchCommandOptions& o, SearchConfig c) {
  apply_given_flags(*o.cmd, search_config_fields(), o.config, c);
  if (o.given("--controller-lr") && !is_controller(c.strategy)) {
    throw Error("--controller-lr: only for the controller (--strategy ppo or reinforce), not " +
                c.strategy);
  }
  if (o.given("--device")) {
    // Devices named as before keep their targets; new ones start from the defaults.
    std::vector<DeviceObjective> devices;
    for (const std::string& spec : o.devices) {
      const auto [name, url] = split_named(spec, "--device", "remote");
      DeviceObjective d;
      for (const DeviceObjective& old : c.devices) {
        if (old.name == name) d = old;
      }
      d.name = name == "remote" && url == "local" ? "local" : name;
      d.url = url;
      devices.push_back(d);
    }
    c.devices = devices;
  }
  if (!c.table_space.empty()) check_table_space_flags(o);
  for (const Field<DeviceObjective>& f : device_objective_fields()) {
    if (!f.flag_name.empty()) per_device(c.devices, f, o.per_device.at(f.key));
  }
  if (c.evaluator == "surrogate" && (o.given("--dataset") || o.given("--data-dir"))) {
    throw Error(std::string(o.given("--dataset") ? "--dataset" : "--data-dir") +
                ": the surrogate evaluator trains nothing; leave it out");
  }
  const bool command = c.evaluator.rfind("cmd:", 0) == 0;
  if (command && (o.given("--dataset") || o.given("--data-dir"))) {
    throw Error(std::string(o.given("--dataset") ? "--dataset" : "--data-dir") +
                ": a cmd: evaluator trains on whatever data your command reads; leave it out");
  }
  if (o.given("--command-timeout") && !command) {
    throw Error("--command-timeout: only for --evaluator cmd:COMMAND");
  }
  if (!o.resume) {
    // What the flags left open, the library's policies decide (a resume keeps what it ran with).
    std::string note;
    c = new_search_config(c, choices_of(o), o.trials, &note);
    if (!note.empty()) {
      std::fprintf(stderr, "mnas: %s (--input, --classes to choose)\n", note.c_str());
    }
  }
  if ((o.given("--confirm-share") || o.given("--drift-threshold")) &&
      c.latency.rfind("lut:", 0) != 0) {
    throw Error(std::string(o.given("--confirm-share") ? "--confirm-share" : "--drift-threshold") +
                ": checks predicted latency; it goes with --latency lut:FILE");
  }
  validate(c);
  return c;
}

}  // namespace

// Which settings the flags chose (the library's policies decide the others).
SearchChoices choices_of(const SearchCommandOptions& o) {
  SearchChoices c = choices_from_fields(given_fields(o));
  c.trials = o.given("--trials");
  c.time_budget = o.given("--time-budget");
  return c;
}

std::string SearchCommandOptions::text(const std::string& flag) const {
  const Field<SearchConfig>* f = field_table::by_flag(search_config_fields(), flag);
  return f && given(flag) ? config.at(f->key).text : "";
}

SearchConfig configure_search(const SearchCommandOptions& o, SearchConfig c) {
  try {
    return configure_given(o, c);
  } catch (const Error& e) {
    // Name the flag that set the field ("--fidelity: fidelity.rungs: ...").
    const std::string m = e.what();
    const std::string field = e.field().empty() ? m.substr(0, m.find(':')) : e.field();
    const std::string flag = search_flag_of(field);
    if (m.rfind("--", 0) == 0 || flag.empty()) throw;
    throw Error(flag + ": " + m, e.kind());
  }
}


// The references --references names, checked: zoo models (a name at a width multiplier too),
// or in a table space the table's optimum ("all") or none.
std::vector<std::string> search_references_of(const SearchCommandOptions& o, bool table) {
  if (table) {
    if (o.references != "all" && o.references != "none") {
      throw Error("--references: a table space has no zoo models; its reference is the "
                  "table's optimum (all, the default) or none");
    }
    return o.references == "all" ? std::vector<std::string>{kTableOptimum}
                                 : std::vector<std::string>{};
  }
  const std::vector<std::string> names = reference_names(o.references);
  for (const std::string& name : names) {
    try {
      reference_model(name, SearchConfig::default_space());
    } catch (const Error& e) {
      throw Error("--references: " + std::string(e.what()) +
                  "; use all, none or zoo names, each optionally at a width multiplier "
                  "(mobilenetv2@0.35)");
    }
  }
  return names;
}

}  // namespace mnas::cli
