#include "memlapse/core/schema.h"

#include <gtest/gtest.h>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

ParamSchema example_schema() {
  return ParamSchema{{"bits", ParamType::kInt, "8", "bit", "width"},
                     {"ber", ParamType::kDouble, "", "1/bit", "bit error rate"},
                     {"round", ParamType::kBool, "true", "", "rounding"},
                     {"rates", ParamType::kDoubleList, "0.1,0.2", "", "list"}};
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
  EXPECT_EQ(v.all().size(), 4u);
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
  const std::string s = describe_entries("formats", {{"demo", "a demo", example_schema()}});
  EXPECT_NE(s.find("demo"), std::string::npos);
  EXPECT_NE(s.find("(required)"), std::string::npos);
  EXPECT_NE(s.find("[1/bit]"), std::string::npos);
}

}  // namespace
}  // namespace memlapse
