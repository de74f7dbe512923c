#include "memlapse/core/schema.h"

#include <gtest/gtest.h>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

ParamSchema example_schema() {
  return ParamSchema{ParamSpec{"bits", ParamType::kInt, "8", "bit", "width"}.in(2, 16),
                     ParamSpec{"ber", ParamType::kDouble, "", "1/bit", "bit error rate"}.in(0, 1).required_().as(ParamRole::kRate),
                     ParamSpec{"round", ParamType::kBool, "true", "", "rounding"},
                     ParamSpec{"rates", ParamType::kDoubleList, "0.1,0.2", "", "list"}.above(0),
                     ParamSpec{"mode", ParamType::kString, "fast", "", "mode"}.one_of({"fast", "exact"}),
                     ParamSpec{"bias", ParamType::kDouble, "", "", "optional bias"}.optional_(),
                     ParamSpec{"sites", ParamType::kStringList, "", "", "names"}.one_of({"a", "b", "c"})};
}

std::string error_of(const ParamSchema& s, const std::map<std::string, std::string>& given) {
  try {
    s.resolve(given, "format demo");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ParamSchema, DefaultsFillMissingKeys) {
  const ParamValues v = example_schema().resolve({{"ber", "1e-3"}}, "demo");
  EXPECT_EQ(v.get_int("bits"), 8);
  EXPECT_DOUBLE_EQ(v.get_double("ber"), 1e-3);
  EXPECT_TRUE(v.get_bool("round"));
  EXPECT_EQ(v.get_double_list("rates"), (std::vector<double>{0.1, 0.2}));
  EXPECT_EQ(v.get_choice("mode"), 0u);
  EXPECT_FALSE(v.has("bias"));
  EXPECT_TRUE(v.get_string_list("sites").empty());
  EXPECT_EQ(v.all().size(), 6u);  // bias is optional and absent
  const ParamValues w = example_schema().resolve({{"ber", "0"}, {"bias", "-2.5"}, {"mode", "exact"}, {"sites", "a,c"}}, "demo");
  EXPECT_TRUE(w.has("bias"));
  EXPECT_DOUBLE_EQ(w.get_double("bias"), -2.5);
  EXPECT_EQ(w.get_choice("mode"), 1u);
  EXPECT_EQ(w.get_string_list("sites"), (std::vector<std::string>{"a", "c"}));
}

TEST(ParamSchema, ChoicesAndRangesAreCheckedWithTheAllowedValuesInTheMessage) {
  std::string msg = error_of(example_schema(), {{"ber", "0.1"}, {"mode", "fsat"}});
  EXPECT_NE(msg.find("'fsat' is not one of fast or exact"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'fast'"), std::string::npos) << msg;
  msg = error_of(example_schema(), {{"ber", "0.1"}, {"bits", "17"}});
  EXPECT_NE(msg.find("'bits' = 17 bit is outside [2, 16]"), std::string::npos) << msg;
  msg = error_of(example_schema(), {{"ber", "1.5"}});
  EXPECT_NE(msg.find("outside [0, 1]"), std::string::npos) << msg;
  msg = error_of(example_schema(), {{"ber", "0.1"}, {"rates", "0.1,0"}});
  EXPECT_NE(msg.find("outside > 0"), std::string::npos) << msg;
  msg = error_of(example_schema(), {{"ber", "0.1"}, {"sites", "a,d"}});
  EXPECT_NE(msg.find("'d' is not one of a, b or c"), std::string::npos) << msg;
  try {
    example_schema().resolve({{"ber", "0.1"}, {"bits", "99"}}, "demo");
    ADD_FAILURE() << "no error";
  } catch (const ParamError& e) {
    EXPECT_EQ(e.key(), "bits");  // the config reader adds the file and line of this key
  }
}

TEST(ParamSchema, NonFiniteNumbersAreNeverValid) {
  for (const char* bad : {"nan", "inf", "-inf", "1e999"}) {
    EXPECT_NE(error_of(example_schema(), {{"ber", bad}}).find("is not a valid double"), std::string::npos) << bad;
    EXPECT_THROW(example_schema().resolve({{"ber", "0.1"}, {"bias", bad}}, "demo"), ParamError) << bad;
  }
}

TEST(ParamSchema, ASpecWithoutDefaultMustSayRequiredOrOptional) {
  EXPECT_THROW((ParamSchema{ParamSpec{"x", ParamType::kDouble, "", "", "no default"}}), InternalError);
  EXPECT_THROW((ParamSchema{ParamSpec{"x", ParamType::kInt, "abc", "", "bad default"}}), InternalError);
  EXPECT_THROW((ParamSchema{ParamSpec{"x", ParamType::kInt, "1", "", ""}, ParamSpec{"x", ParamType::kInt, "2", "", ""}}), InternalError);
}

TEST(ParamSchema, UnknownKeyErrorNamesOwnerKeyAndSuggestsCloseKey) {
  const std::string msg = error_of(example_schema(), {{"ber", "0.1"}, {"bitz", "4"}});
  EXPECT_NE(msg.find("format demo"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'bitz'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'bits'"), std::string::npos) << msg;
}

TEST(ParamSchema, MissingRequiredKeyIsAnErrorNamingIt) {
  const std::string msg = error_of(example_schema(), {{"bits", "4"}});
  EXPECT_NE(msg.find("'ber'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("required"), std::string::npos) << msg;
}

TEST(ParamSchema, BadIntIsAnErrorNamingKeyAndValue) {
  for (const char* bad : {"4.5", "four", "", "8x"}) {
    const std::string msg = error_of(example_schema(), {{"ber", "0.1"}, {"bits", bad}});
    EXPECT_NE(msg.find("'bits'"), std::string::npos) << bad << ": " << msg;
  }
  EXPECT_NE(error_of(example_schema(), {{"ber", "0.1"}, {"bits", "4.5"}}).find("'4.5'"), std::string::npos);
}

TEST(ParamSchema, BadDoubleBoolAndListAreErrors) {
  EXPECT_THROW(example_schema().resolve({{"ber", "abc"}}, "demo"), Error);
  EXPECT_THROW(example_schema().resolve({{"ber", "0.1"}, {"round", "maybe"}}, "demo"), Error);
  EXPECT_THROW(example_schema().resolve({{"ber", "0.1"}, {"rates", "0.1,x"}}, "demo"), Error);
}

TEST(ClosestMatch, SuggestsOnlyCloseCandidates) {
  EXPECT_EQ(closest_match("fixd", {"fp32", "fixed"}), "fixed");
  EXPECT_EQ(closest_match("uniformm", {"uniform"}), "uniform");
  EXPECT_EQ(closest_match("completelydifferent", {"fp32", "fixed"}), "");
}

TEST(DescribeEntries, ListsNamesKeysDefaultsAndUnits) {
  const std::string s = describe_entries("formats", {{"demo", "a demo", example_schema(), {}}});
  EXPECT_NE(s.find("demo"), std::string::npos);
  EXPECT_NE(s.find("(required)"), std::string::npos);
  EXPECT_NE(s.find("[1/bit]"), std::string::npos);
  EXPECT_NE(s.find("{[2, 16]}"), std::string::npos) << s;
  EXPECT_NE(s.find("{one of fast or exact}"), std::string::npos) << s;
  EXPECT_NE(s.find("(optional)"), std::string::npos) << s;
  EXPECT_NE(s.find("<rate>"), std::string::npos) << s;
}

}  // namespace
}  // namespace memlapse
