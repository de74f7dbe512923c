#include <gtest/gtest.h>

#include <set>

#include "memlapse/core/error.h"
#include "memlapse/formats/format.h"

namespace memlapse {
namespace {

std::string error_of(const std::string& name, const std::map<std::string, std::string>& params) {
  try {
    make_format(name, params);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(FormatRegistry, HoldsEveryExpectedFormat) {
  std::set<std::string> names;
  for (const auto& e : format_registry()) {
    names.insert(e.name);
    EXPECT_FALSE(e.description.empty()) << e.name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"fp32", "fixed"}));
}

TEST(FormatRegistry, BuildsFormatsWithDefaultsAndNames) {
  EXPECT_EQ(make_format("fp32", {})->name(), "fp32");
  auto f = make_format("fixed", {});
  EXPECT_EQ(f->name(), "fixed8");
  EXPECT_EQ(f->value_bits(), 8);
  EXPECT_EQ(make_format("fixed", {{"bits", "4"}, {"round", "false"}})->name(), "fixed4-trunc");
  EXPECT_EQ(make_format("fixed", {{"bits", "16"}})->value_bytes(), 2);
}

TEST(FormatRegistry, ParamsRebuildTheSameFormat) {
  auto f = make_format("fixed", {{"bits", "5"}, {"round", "false"}});
  EXPECT_EQ(make_format("fixed", f->params())->name(), f->name());
  EXPECT_EQ(make_format("fp32", make_format("fp32", {})->params())->name(), "fp32");
}

TEST(FormatRegistry, UnknownNameListsKnownNamesAndSuggestsOne) {
  const std::string msg = error_of("fixd", {});
  EXPECT_NE(msg.find("'fixd'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'fixed'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fp32"), std::string::npos) << msg;
}

TEST(FormatRegistry, UnknownKeyIsAnErrorNamingFormatAndKey) {
  const std::string msg = error_of("fixed", {{"bit", "4"}});
  EXPECT_NE(msg.find("format fixed"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'bits'"), std::string::npos) << msg;
  EXPECT_NE(error_of("fp32", {{"bits", "8"}}).find("'bits'"), std::string::npos);
}

TEST(FormatRegistry, WidthOutOfRangeNamesValueAndRange) {
  for (const char* bad : {"1", "17", "64"}) {
    const std::string msg = error_of("fixed", {{"bits", bad}});
    EXPECT_NE(msg.find(std::string("= ") + bad), std::string::npos) << msg;
    EXPECT_NE(msg.find("2..16"), std::string::npos) << msg;
  }
  EXPECT_NE(error_of("fixed", {{"bits", "eight"}}).find("'bits'"), std::string::npos);
}

}  // namespace
}  // namespace memlapse
