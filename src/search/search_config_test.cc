#include "search/search_config.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "search/new_search.h"
#include "search/search_config_fields.h"
#include "search/search_setup.h"

namespace mnas {
namespace {

void expect_error(const std::function<void()>& f, const std::string& start) {
  try {
    f();
    FAIL() << "no error; expected " << start;
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(start, 0), 0u) << e.what();
  }
}

SearchConfig two_devices() {
  SearchConfig c;
  // name, url, target, target_ms, latency_stat, precision
  c.devices = {{"a", "http://127.0.0.1:1", "mobilenetv2", 0, "median", "fp32"},
               {"b", "http://127.0.0.1:2", "mobilenetv2", 12, "p90", "int8"}};
  return c;
}

TEST(SearchConfig, RoundTripsThroughJson) {
  for (const SearchConfig& c : {SearchConfig{}, two_devices()}) {
    const SearchConfig back = search_config_from_json(search_config_json(c), "config");
    EXPECT_EQ(first_difference(c, back), "");
    EXPECT_EQ(search_config_json(back), search_config_json(c));
  }
  const SearchConfig d;
  EXPECT_EQ(d.strategy, "ppo");
  EXPECT_EQ(d.batch, 6);
  EXPECT_EQ(to_string(d.space.input()), "28x28x1");
  EXPECT_EQ(d.devices.size(), 1u);
  EXPECT_EQ(d.devices[0].target, "mobilenetv2");
}

TEST(SearchConfig, NamesTheFirstDifference) {
  const SearchConfig a = two_devices();
  SearchConfig b = a;
  b.batch = 8;
  EXPECT_EQ(first_difference(a, b), "batch");
  b = a;
  b.devices[1].target_ms = 10;
  EXPECT_EQ(first_difference(a, b), "devices[1].target_ms");
  b = a;
  b.devices.pop_back();
  EXPECT_EQ(first_difference(a, b), "devices");
  b = a;
  b.devices[0].url = "http://10.0.0.7:8765";  // a board that moved: the same search
  EXPECT_EQ(first_difference(a, b), "");
  b = a;
  b.space.set_input({32, 32, 1});
  EXPECT_EQ(first_difference(a, b), "space.input");
  b = a;
  b.proxy.holdout = 100;
  EXPECT_EQ(first_difference(a, b), "proxy.holdout");
  b = a;
  b.controller_lr = 1e-2;
  EXPECT_EQ(first_difference(a, b), "controller.learning_rate");
  b = a;
  b.devices[1].precision = "fp32";  // a device's precision is part of what it is
  EXPECT_EQ(first_difference(a, b), "devices[1].precision");
}

TEST(SearchConfig, PrecisionPerDeviceAndTheQuantizedAccuracy) {
  SearchConfig c = two_devices();
  EXPECT_FALSE(quantized_accuracy(c));  // one device still runs fp32: its accuracy is fp32's
  c.devices[0].precision = "int8";
  EXPECT_TRUE(quantized_accuracy(c));
  validate(c);
  // A store written before precisions existed reads as fp32 on every device.
  nlohmann::json j = search_config_json(SearchConfig{});
  j["devices"][0].erase("precision");
  EXPECT_EQ(search_config_from_json(j, "config").devices[0].precision, "fp32");
  EXPECT_FALSE(quantized_accuracy(search_config_from_json(j, "config")));
}

TEST(SearchConfig, RefusesWhatCannotBeSearched) {
  const auto bad = [](const std::function<void(SearchConfig&)>& change, const std::string& start) {
    SearchConfig c = two_devices();
    change(c);
    expect_error([&] { validate(c); }, start);
  };
  bad([](SearchConfig& c) { c.devices[1].name = "a"; }, "devices[1].name: 'a' is used twice");
  bad([](SearchConfig& c) { c.devices[1].name = "my board"; }, "devices[1].name");
  bad([](SearchConfig& c) { c.devices[0].latency_stat = "p99"; }, "devices[0].latency_stat");
  bad([](SearchConfig& c) { c.devices[0].target = "resnet"; }, "devices[0].target");
  bad([](SearchConfig& c) { c.devices[0].target = "0x:mobilenetv2"; }, "devices[0].target");
  bad([](SearchConfig& c) { c.devices[0].url = "board:1"; }, "devices[0].url");
  bad([](SearchConfig& c) { c.devices.clear(); }, "devices");
  bad([](SearchConfig& c) { c.latency = "lut:t.json"; }, "latency");
  bad([](SearchConfig& c) { c.latency = "surrogate"; }, "latency");
  bad([](SearchConfig& c) { c.strategy = "annealing"; }, "strategy");
  bad([](SearchConfig& c) { c.alpha = 0.5; }, "alpha");
  bad([](SearchConfig& c) { c.batch = 0; }, "batch");
  bad([](SearchConfig& c) { c.controller_lr = 0; }, "controller.learning_rate");
  bad([](SearchConfig& c) { c.controller_lr = std::nan(""); }, "controller.learning_rate");
  bad([](SearchConfig& c) { c.proxy.holdout = 0; }, "proxy.holdout");
  bad([](SearchConfig& c) { c.devices[0].precision = "int4"; }, "devices[0].precision");
  bad([](SearchConfig& c) { c.devices[0].url = "cmd:./time.sh"; c.devices[0].precision = "int8"; },
      "devices[0].precision: int8: a cmd: device");
}

// A detection search: a COCO-format proxy, detectors measured in fp32 on local or mnas-device
// devices; a classification search refuses a detection set. Older stores read as classification.
TEST(SearchConfig, ADetectionSearchCombinesOnlyWhatItCan) {
  const auto detection = [] {
    SearchConfig c;
    c.task = "detection";
    c.proxy.dataset = "coco:/data/scenes";
    return c;
  };
  EXPECT_NO_THROW(validate(detection()));
  const auto bad = [&](const std::function<void(SearchConfig&)>& change, const std::string& field) {
    SearchConfig c = detection();
    change(c);
    try {
      validate(c);
      ADD_FAILURE() << "accepted: " << search_config_json(c).dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  bad([](SearchConfig& c) { c.task = "segmentation"; }, "task");
  bad([](SearchConfig& c) { c.proxy.dataset = "fashion-mnist"; }, "proxy.dataset");
  bad([](SearchConfig& c) { c.task = "classification"; }, "proxy.dataset");
  bad([](SearchConfig& c) { c.latency = "lut:t.json"; }, "latency");
  bad([](SearchConfig& c) { c.devices[0].precision = "int8"; }, "devices[0].precision");
  bad([](SearchConfig& c) { c.devices[0].url = "cmd:./time.sh"; }, "devices[0].url");
  bad([](SearchConfig& c) {
        c.fidelity.rungs = {1000, 5000};
        c.fidelity.continue_runs = true;
      },
      "fidelity.continue");
  // Stored and read back; a stored search without the field is a classification search.
  const SearchConfig back = search_config_from_json(search_config_json(detection()), "config");
  EXPECT_EQ(back.task, "detection");
  nlohmann::json older = search_config_json(SearchConfig{});
  older.erase("task");
  EXPECT_EQ(search_config_from_json(older, "config").task, "classification");
  EXPECT_EQ(first_difference(detection(), back), "");
  SearchConfig classification = detection();
  classification.task = "classification";
  EXPECT_EQ(first_difference(detection(), classification), "task");
  // A new detection search has one rung and never continues runs.
  SearchChoices chosen;
  chosen.input = chosen.classes = true;
  SearchConfig requested = detection();
  EXPECT_TRUE(new_search_config(requested, chosen, 100).fidelity.rungs.empty());
  chosen.fidelity = true;
  requested.fidelity.rungs = {500, 5000};
  EXPECT_FALSE(new_search_config(requested, chosen, 100).fidelity.continue_runs);
}

TEST(SearchConfig, ReadingNamesTheField) {
  nlohmann::json j = search_config_json(two_devices());
  j["devices"][1]["latency_stat"] = 90;
  expect_error([&] { search_config_from_json(j, "store 'x': config"); },
               "store 'x': config.devices[1].latency_stat");
  j = search_config_json(two_devices());
  j["colour"] = "red";
  expect_error([&] { search_config_from_json(j, "config"); }, "config.colour: unknown field");
  j = search_config_json(two_devices());
  j["format"] = "mnas-search/9";
  expect_error([&] { search_config_from_json(j, "config"); }, "config.format");
  expect_error([&] { search_config_from_json(nlohmann::json::array(), "config"); }, "config");
  expect_error([&] { search_config_from_text("{\"strategy\": ", "store 'x': config"); },
               "store 'x': config: not valid JSON");
  expect_error([&] { search_config_from_text("{\"batch\": 6, \"batch\": 8}", "config"); },
               "config: the key \"batch\" is given twice");
}

TEST(SearchConfig, ReadsTheConfigurationOfOlderStores) {
  SearchSpace space = SearchConfig::default_space();
  const nlohmann::json old = {{"flags",
                               {{"--strategy", "evolution"},
                                {"--seed", "3"},
                                {"--evaluator", "proxy"},
                                {"--space", ""},
                                {"--reward", "hard"},
                                {"--alpha", ""},
                                {"--beta", ""},
                                {"--target", "mobilenetv2"},
                                {"--latency", "xnnpack"},
                                {"--epochs", "1"},
                                {"--train-images", "256"},
                                {"--holdout", "128"},
                                {"--batch", "2"},
                                {"--failed-reward", "0"}}},
                              {"target_ms", 0.672},
                              {"space", nlohmann::json::parse(space.to_json())},
                              {"created_by", "mnas 0.1.0"}};
  const SearchConfig c = search_config_from_json(old, "config");
  EXPECT_EQ(c.strategy, "evolution");
  EXPECT_EQ(c.seed, 3u);
  EXPECT_EQ(c.reward, "hard");
  EXPECT_DOUBLE_EQ(c.beta, -1.0);
  EXPECT_EQ(c.latency, "measured");
  ASSERT_EQ(c.devices.size(), 1u);
  EXPECT_DOUBLE_EQ(c.devices[0].target_ms, 0.672);  // T was measured once: now fixed
  EXPECT_EQ(c.proxy.train_images, 256);
  EXPECT_EQ(c.batch, 2);
  EXPECT_DOUBLE_EQ(c.controller_lr, 3.5e-4);  // what it ran with
}

TEST(SearchConfig, TheControllerLearningRateFallsWithTheSearchsLength) {
  EXPECT_DOUBLE_EQ(default_controller_lr(1), 3.5e-3);
  EXPECT_DOUBLE_EQ(default_controller_lr(72), 3.5e-3);
  EXPECT_DOUBLE_EQ(default_controller_lr(200), 3.5e-3);
  EXPECT_DOUBLE_EQ(default_controller_lr(1000), 7e-4);
  EXPECT_DOUBLE_EQ(default_controller_lr(2000), 3.5e-4);
  EXPECT_DOUBLE_EQ(default_controller_lr(8000), 3.5e-4);  // the paper's search: NASNet's rate
  for (int64_t n = 200; n < 2000; n += 100) {
    EXPECT_GE(default_controller_lr(n), default_controller_lr(n + 100));
  }
}

TEST(SearchConfig, ANewProxySearchHasTwoRungsFromAThousandImagesUp) {
  const Fidelity main_job = default_fidelity(5000);
  EXPECT_EQ(main_job.rungs, (std::vector<int64_t>{500, 5000}));
  EXPECT_TRUE(main_job.continue_runs);
  EXPECT_EQ(main_job.keep, 3);
  EXPECT_EQ(default_fidelity(1000).rungs, (std::vector<int64_t>{100, 1000}));
  EXPECT_TRUE(default_fidelity(999).rungs.empty());
  EXPECT_FALSE(default_fidelity(256).continue_runs);
}

TEST(SearchConfig, AStoredSearchWithoutTheControllerLearningRateRanWithNasnets) {
  nlohmann::json j = search_config_json(SearchConfig{});
  EXPECT_DOUBLE_EQ(j["controller"]["learning_rate"].get<double>(), 3.5e-3);
  j.erase("controller");
  EXPECT_DOUBLE_EQ(search_config_from_json(j, "config").controller_lr, 3.5e-4);
  j["controller"] = {{"learning_rate", 0.01}};
  EXPECT_DOUBLE_EQ(search_config_from_json(j, "config").controller_lr, 0.01);
  j["controller"] = {{"learning_rate", 0.01}, {"momentum", 0.9}};
  expect_error([&] { search_config_from_json(j, "config"); },
               "config.controller.momentum: unknown field");
  j["controller"] = {{"learning_rate", -1}};
  expect_error([&] { search_config_from_json(j, "config"); },
               "config.controller.learning_rate: must be in (0, 1], not -1");
}

// Configuration as data: the table is the one place a field is declared, and everything else is
// made from it — so every field of the table must reach the JSON, be read back and name its flag.
TEST(SearchConfigFields, EveryStoredFieldIsWrittenReadAndNamedByItsFlag) {
  const nlohmann::json j = search_config_json(SearchConfig{});
  for (const Field<SearchConfig>& f : search_config_fields()) {
    if (f.get) {
      EXPECT_TRUE(j.contains(field_table::pointer_of(f.key))) << f.key;
    }
    if (!f.flag_name.empty() && f.get) {
      EXPECT_EQ(search_flag_of(f.key), f.cli_name()) << f.key;
      EXPECT_EQ(field_table::by_flag(search_config_fields(), f.cli_name()), &f) << f.key;
    }
  }
  EXPECT_EQ(search_flag_of("devices[1].target_ms"), "--target-ms");
  EXPECT_EQ(search_flag_of("devices[0].url"), "--device");
  EXPECT_EQ(search_flag_of("fidelity"), "--fidelity");
  EXPECT_EQ(search_flag_of("space"), "--space or --multiplier");
  EXPECT_EQ(search_flag_of("space.input"), "--input");
}

TEST(SearchConfigFields, ARequestSetsWhatItNamesAndSaysWhichChoicesItMade) {
  SearchConfig c;
  const std::vector<std::string> given = apply_search_request(
      c,
      nlohmann::json{{"strategy", "evolution"},
                     {"proxy", {{"epochs", 2}}},
                     {"space", {{"input", "32x32x3"}, {"classes", 100}}},
                     {"reward", {{"preset", "hard"}}},
                     {"devices", {{{"name", "phone"}, {"url", "http://h:1"}, {"target_ms", 5}}}}},
      "request");
  EXPECT_EQ(c.strategy, "evolution");
  EXPECT_EQ(c.proxy.epochs, 2);
  EXPECT_EQ(c.proxy.train_images, 5000);  // not named: untouched
  EXPECT_EQ(c.space.input().channels, 3);
  EXPECT_EQ(c.space.classes(), 100);
  EXPECT_DOUBLE_EQ(c.beta, -1);  // the preset's exponents
  ASSERT_EQ(c.devices.size(), 1u);
  EXPECT_EQ(c.devices[0].latency_stat, "median");
  EXPECT_DOUBLE_EQ(c.devices[0].target_ms, 5);
  const SearchChoices chosen = choices_from_fields(given);
  EXPECT_TRUE(chosen.input && chosen.classes && chosen.devices);
  EXPECT_FALSE(chosen.dataset || chosen.train_images || chosen.controller_lr);

  expect_error([&] { apply_search_request(c, {{"proxy", {{"epoch", 2}}}}, "request"); },
               "request.proxy.epoch: unknown field");
  expect_error([&] { apply_search_request(c, {{"batch", 0}}, "request"); },
               "request.batch: must be in [1, 10000], not 0");
  expect_error([&] { apply_search_request(c, {{"space", {{"input", "big"}}}}, "request"); },
               "request.space.input");
}

// The field that showed what adding one takes: the struct's member, its table entry, its use
// (proxy_train_options) and README's command list.
TEST(SearchConfigFields, TheProxyBatchIsStoredReadFromOlderStoresAndReachesTheTrainer) {
  SearchConfig c;
  nlohmann::json j = search_config_json(c);
  EXPECT_EQ(j["proxy"]["batch"], 128);
  j["proxy"].erase("batch");  // a store written before the field: the trainer's 128
  EXPECT_EQ(search_config_from_json(j, "config").proxy.batch, 128);
  c.proxy.batch = 32;
  EXPECT_EQ(proxy_train_options(c, EvaluatorRuntime{}).batch, 32);
  EXPECT_EQ(search_flag_of("proxy.batch"), "--proxy-batch");
  j["proxy"]["batch"] = 0;
  expect_error([&] { search_config_from_json(j, "config"); },
               "config.proxy.batch: must be in [1, 65536], not 0");
}

TEST(SplitNamed, ReadsNameEqualsValue) {
  EXPECT_EQ(split_named("a=http://h:1", "--device", "x"),
            std::make_pair(std::string("a"), std::string("http://h:1")));
  EXPECT_EQ(split_named("http://h:1", "--device", "x"),
            std::make_pair(std::string("x"), std::string("http://h:1")));
  EXPECT_EQ(split_named("phone=12.5", "--target-ms", "*").second, "12.5");
  EXPECT_THROW(split_named("a b=1", "--target", "*"), Error);
  EXPECT_THROW(split_named("a=", "--target", "*"), Error);
  EXPECT_THROW(split_named("", "--target", "*"), Error);
}

}  // namespace
}  // namespace mnas
