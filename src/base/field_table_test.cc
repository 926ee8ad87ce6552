#include "base/field_table.h"

#include <gtest/gtest.h>

namespace mnas {
namespace {

struct Inner {
  int count = 3;
};

struct Options {
  std::string name = "a";
  double rate = 0.5;
  bool on = false;
  Inner inner;
  std::vector<int64_t> steps;
  double added = 7;
};

std::vector<Field<Options>> table() {
  using F = Field<Options>;
  std::vector<F> t;
  t.push_back(F("name", FieldKind::kText, MNAS_FIELD(Options, name)).flag("--name", "A name"));
  t.push_back(F("rate", FieldKind::kReal, MNAS_FIELD(Options, rate))
                  .flag("--rate", "A rate")
                  .range(0, 1, true));
  t.push_back(F("on", FieldKind::kSwitch, MNAS_FIELD(Options, on)).flag("--on", "A switch"));
  t.push_back(F("inner.count", FieldKind::kInteger, MNAS_FIELD(Options, inner.count))
                  .flag("--count", "A count", "three")
                  .range(1, 10));
  t.push_back(F("steps", FieldKind::kIntegerList, MNAS_FIELD(Options, steps)).range(1, 100));
  t.push_back(F("added", FieldKind::kReal, MNAS_FIELD(Options, added)).added_later(2.0));
  return t;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FieldTable, WritesEveryFieldAtItsKeyAndReadsItBack) {
  Options o;
  o.name = "b";
  o.inner.count = 9;
  o.steps = {1, 5};
  nlohmann::json j = nlohmann::json::object();
  field_table::write(table(), o, j);
  EXPECT_EQ(j["inner"]["count"], 9);
  EXPECT_EQ(j["steps"], nlohmann::json({1, 5}));
  Options back;
  const std::vector<std::string> given = field_table::read(table(), j, back, "cfg", false);
  EXPECT_EQ(back.name, "b");
  EXPECT_EQ(back.inner.count, 9);
  EXPECT_EQ(back.steps, (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(given.size(), 6u);
}

TEST(FieldTable, ReadingNamesTheFieldOfEveryProblem) {
  nlohmann::json j = nlohmann::json::object();
  field_table::write(table(), Options{}, j);
  const auto problem = [&](nlohmann::json bad) {
    Options o;
    return error_of([&] { field_table::read(table(), bad, o, "cfg", false); });
  };
  nlohmann::json bad = j;
  bad["rate"] = 0;
  EXPECT_EQ(problem(bad), "cfg.rate: must be in (0, 1], not 0");
  bad = j;
  bad["inner"]["count"] = 1.5;
  EXPECT_EQ(problem(bad), "cfg.inner.count: expected an integer, got number");
  bad = j;
  bad["inner"]["colour"] = 1;
  EXPECT_EQ(problem(bad), "cfg.inner.colour: unknown field; expected one of count");
  bad = j;
  bad["inner"] = 4;
  EXPECT_NE(problem(bad).find("cfg.inner"), std::string::npos);
  bad = j;
  bad["steps"] = {1, 500};
  EXPECT_EQ(problem(bad), "cfg.steps[1]: must be in [1, 100], not 500");
  bad = j;
  bad.erase("name");
  EXPECT_EQ(problem(bad), "cfg.name: missing");
  bad = j;
  bad["on"] = "yes";
  EXPECT_EQ(problem(bad), "cfg.on: must be true or false");
}

TEST(FieldTable, AFieldAddedLaterReadsAsWhatItsAbsenceMeant) {
  nlohmann::json j = nlohmann::json::object();
  field_table::write(table(), Options{}, j);
  j.erase("added");
  Options o;
  field_table::read(table(), j, o, "cfg", false);
  EXPECT_DOUBLE_EQ(o.added, 2.0);
}

TEST(FieldTable, APartialRequestSetsOnlyWhatItNames) {
  Options o;
  const std::vector<std::string> given =
      field_table::read(table(), nlohmann::json{{"inner", {{"count", 4}}}}, o, "request", true);
  EXPECT_EQ(given, std::vector<std::string>{"inner.count"});
  EXPECT_EQ(o.inner.count, 4);
  EXPECT_EQ(o.name, "a");
  EXPECT_DOUBLE_EQ(o.added, 7);
}

TEST(FieldTable, TheErrorCarriesItsField) {
  Options o;
  o.rate = 2;
  try {
    field_table::check_ranges(table(), o, "opts");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "opts.rate");
    EXPECT_EQ(std::string(e.what()), "opts.rate: must be in (0, 1], not 2");
  }
}

TEST(FieldTable, HelpCarriesTheDefaultOfADefaultConstructedStruct) {
  const std::vector<Field<Options>> t = table();
  EXPECT_EQ(field_table::help_with_default(t[0]), "A name (default a)");
  EXPECT_EQ(field_table::help_with_default(t[1]), "A rate (default 0.5; in (0, 1])");
  EXPECT_EQ(field_table::help_with_default(t[2]), "A switch (default off)");
  EXPECT_EQ(field_table::help_with_default(t[3]), "A count (default: three)");
  EXPECT_EQ(field_table::by_flag(t, "--count"), &t[3]);
  EXPECT_EQ(field_table::by_flag(t, "--nothing"), nullptr);
}

}  // namespace
}  // namespace mnas
