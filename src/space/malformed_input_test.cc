// Every kind of malformed architecture or search-space input gets an mnas::Error whose message
// names the field at fault: never a crash, never a silent default.
#include <gtest/gtest.h>

#include <string>

#include "base/error.h"
#include "space/architecture_codec.h"
#include "space/search_space.h"
#include "space/zoo.h"

namespace mnas {
namespace {

enum class Form { kText, kJson, kSpace };

struct Malformed {
  const char* name;
  Form form;
  std::string input;
  const char* message;  // must appear in the error
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

// A valid canonical string to break in one place at a time.
const std::string kGood = to_canonical_string(zoo_model("mnasnet-a1"));

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

const std::string kGoodJson = to_json_string(zoo_model("mnasnet-b1"));

// kGood with its second block written as `block` instead.
Malformed bad_block(const char* name, const std::string& block, const char* message) {
  return {name, Form::kText, replace(kGood, "mbconv_r2_k3_s22_e6_i16_o24_se0_identity", block),
          message};
}

std::vector<Malformed> cases() {
  return {
      // --- canonical strings ---
      {"EmptyString", Form::kText, "", "empty"},
      bad_block("UnknownOp", "xconv_r2_k3_s22_e6_i16_o24_se0_identity",
                "blocks[1].op: unknown op 'xconv'"),
      bad_block("KernelFour", "mbconv_r2_k4_s22_e6_i16_o24_se0_identity",
                "blocks[1].kernel: 4 is not allowed"),
      bad_block("SeRatioPointThree", "mbconv_r2_k3_s22_e6_i16_o24_se0.3_identity",
                "blocks[1].se_ratio: 0.3"),
      bad_block("ZeroLayers", "mbconv_r0_k3_s22_e6_i16_o24_se0_identity",
                "blocks[1].layers: 0 is out of range"),
      bad_block("NegativeLayers", "mbconv_r-2_k3_s22_e6_i16_o24_se0_identity",
                "blocks[1].layers: -2"),
      bad_block("StrideThree", "mbconv_r2_k3_s33_e6_i16_o24_se0_identity",
                "blocks[1].stride: 3 is not allowed"),
      bad_block("UnequalStrides", "mbconv_r2_k3_s12_e6_i16_o24_se0_identity", "blocks[1].stride"),
      bad_block("FiltersNotANumber", "mbconv_r2_k3_s22_e6_i16_oabc_se0_identity",
                "blocks[1].filters"),
      bad_block("AbsurdFilters", "mbconv_r2_k3_s22_e6_i16_o99999999_se0_identity",
                "blocks[1].filters: 99999999 is out of range"),
      bad_block("IntegerOverflow", "mbconv_r2_k3_s22_e6_i16_o99999999999999999999_se0_identity",
                "blocks[1].filters"),
      bad_block("MissingField", "mbconv_r2_k3_s22_e6_i16_o24_identity",
                "blocks[1]: expected 9 fields"),
      bad_block("WrongInputFilters", "mbconv_r2_k3_s22_e6_i17_o24_se0_identity",
                "blocks[1].in: i17"),
      bad_block("UnknownSkip", "mbconv_r2_k3_s22_e6_i16_o24_se0_noskipp",
                "blocks[1].skip: unknown skip"),
      bad_block("MbconvExpansionOne", "mbconv_r2_k3_s22_e1_i16_o24_se0_identity", "write dconv"),
      bad_block("ConvWithExpansion", "conv_r2_k3_s22_e6_i16_o24_se0_identity",
                "blocks[1].expansion"),
      {"EmptyBlocks", Form::kText,
       replace(
           kGood,
           kGood.substr(kGood.find("blocks=") + 7, kGood.find(":head") - kGood.find("blocks=") - 7),
           ""),
       "at least one block"},
      {"UnknownSection", Form::kText, kGood + ":color=red", "unknown section 'color'"},
      {"RepeatedSection", Form::kText, kGood + ":classes=10", "section 'classes' repeated"},
      {"MissingSection", Form::kText, kGood.substr(0, kGood.find(":dropout")), "'dropout' missing"},
      {"BadInputShape", Form::kText, replace(kGood, "224x224x3", "224x224"), "input"},
      {"ZeroClasses", Form::kText, replace(kGood, "classes=1000", "classes=0"), "classes: 0"},
      {"DropoutOne", Form::kText, replace(kGood, "dropout=0.2", "dropout=1"), "dropout: 1"},
      {"DropoutNan", Form::kText, replace(kGood, "dropout=0.2", "dropout=nan"), "dropout"},
      {"StemStrideThree", Form::kText, replace(kGood, "stem=s22", "stem=s33"), "stem.stride"},
      {"TrailingGarbage", Form::kText, replace(kGood, "_se0.25_identity,", "_se0.25_identity,,"),
       "blocks[3]: expected 9 fields"},
      // --- JSON ---
      {"TruncatedJson", Form::kJson, kGoodJson.substr(0, kGoodJson.size() / 2), "not valid JSON"},
      {"EmptyJson", Form::kJson, "  ", "empty document"},
      {"DuplicateKey", Form::kJson,
       replace(kGoodJson, "\"classes\":", "\"classes\": 5, \"classes\":"),
       "the key \"classes\" is given twice"},
      {"DuplicateKeyInABlock", Form::kJson,
       replace(kGoodJson, "\"kernel\":", "\"kernel\": 3, \"kernel\":"),
       "the key \"kernel\" is given twice"},
      {"JsonArrayAtTop", Form::kJson, "[1, 2]", "expected an object"},
      {"KernelAsString", Form::kJson, replace(kGoodJson, R"("kernel":3)", R"("kernel":"3")"),
       "blocks[0].kernel: expected an integer, got string"},
      {"KernelFraction", Form::kJson, replace(kGoodJson, R"("kernel":3)", R"("kernel":3.5)"),
       "blocks[0].kernel: expected an integer"},
      {"FiltersBool", Form::kJson, replace(kGoodJson, R"("filters":16)", R"("filters":true)"),
       "blocks[0].filters: expected an integer, got boolean"},
      {"BlocksNotArray", Form::kJson, replace(kGoodJson, R"("blocks":[)", R"("blocks":{"x":[)"),
       "not valid JSON"},
      {"MissingLayers", Form::kJson, replace(kGoodJson, R"("layers":1,)", ""),
       "blocks[0].layers: missing"},
      {"UnknownJsonField", Form::kJson, replace(kGoodJson, R"("kernel":3)", R"("kernal":3)"),
       "blocks[0].kernal: unknown field"},
      {"HugeJsonNumber", Form::kJson, replace(kGoodJson, R"("classes":1000)", R"("classes":1e300)"),
       "classes: 1e+300 is far out of range"},
      // Found by fuzz/fuzz_device_answer: a number beyond a double escaped as a raw nlohmann error.
      {"NumberBeyondDouble", Form::kJson,
       replace(kGoodJson, R"("classes":1000)", R"("classes":0.02e7551)"),
       "not valid JSON: [json.exception.out_of_range.406] number overflow"},
      {"NegativeStride", Form::kJson, replace(kGoodJson, R"("stride":1})", R"("stride":-1})"),
       "stride: -1 is not allowed"},
      {"SeRatioString", Form::kJson,
       replace(kGoodJson, R"("se_ratio":0.0)", R"("se_ratio":"0.25")"),
       "blocks[0].se_ratio: expected a number, got string"},
      {"MbconvWithoutExpansion", Form::kJson,
       R"({"input":"8x8x1","stem":{"filters":8,"stride":1},"blocks":[{"op":"mbconv","kernel":3,"filters":8,"layers":1,"stride":1}],"head":{"filters":8},"classes":2,"dropout":0})",
       "blocks[0].expansion: missing"},
      {"NoBlocks", Form::kJson,
       R"({"input":"8x8x1","stem":{"filters":8,"stride":1},"blocks":[],"head":{"filters":8},"classes":2,"dropout":0})",
       "at least one block"},
      // --- search-space files ---
      {"SpaceKernelFour", Form::kSpace, R"({"choices": {"kernels": [3, 4]}})",
       "choices.kernels[1]: 4 is not allowed"},
      {"SpaceEmptyChoices", Form::kSpace, R"({"choices": {"ops": []}})", "choices.ops: must list"},
      {"SpaceDuplicateChoice", Form::kSpace, R"({"choices": {"kernels": [3, 3]}})",
       "choices.kernels[1]: duplicate"},
      {"SpaceUnknownOp", Form::kSpace, R"({"choices": {"ops": ["mbconv_e"]}})",
       "choices.ops[0]: unknown op choice"},
      {"SpaceBadBlockIndex", Form::kSpace, R"({"block_choices": {"9": {}}})",
       "block_choices.9: key must be a block index"},
      {"SpaceNothingSearchable", Form::kSpace, R"({"searchable_blocks": []})",
       "at least one block must be searchable"},
      {"SpaceRepeatedBlock", Form::kSpace, R"({"searchable_blocks": [1, 1]})",
       "searchable_blocks[1]: block 1 repeated"},
      {"SpaceWrongFormat", Form::kSpace, R"({"format": "v2"})", "format: 'v2' is not supported"},
      {"SpaceNoSkeletonFitsInput", Form::kSpace,
       R"({"skeletons": [{"name": "tiny", "max_input_px": 32, "stem": {"filters": 8, "stride": 1},
           "blocks": [{"expansion": 1, "filters": 8, "layers": 1, "stride": 1}],
           "head": {"filters": 16}}]})",
       "input: no skeleton"},
      {"SpaceFilterRatioTooBig", Form::kSpace, R"({"choices": {"filter_ratios": [1, 9]}})",
       "choices.filter_ratios[1]: 9 is out of range"},
      {"SpaceTypo", Form::kSpace, R"({"choice": {}})", "choice: unknown field"},
  };
}

class MalformedInput : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedInput, IsAClearErrorNamingTheField) {
  const Malformed& m = GetParam();
  try {
    switch (m.form) {
      case Form::kText:
        parse_architecture_string(m.input);
        break;
      case Form::kJson:
        parse_architecture_json(m.input);
        break;
      case Form::kSpace:
        SearchSpace::from_json(m.input);
        break;
    }
    FAIL() << "no error for: " << m.input;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(m.message), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << m.message;
    EXPECT_EQ(e.kind(), Error::Kind::kInvalidInput);
  }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, MalformedInput, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Malformed>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace mnas
