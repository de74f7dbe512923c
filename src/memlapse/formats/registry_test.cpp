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
  for (const auto& e : format_registry().entries()) {
    names.insert(e.name);
    EXPECT_FALSE(e.description.empty()) << e.name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"fp32", "fp16", "bf16", "fixed", "normal", "rquant", "eden-int4", "eden-int8",
                                          "eden-int16", "pipeline", "bfp", "cluster", "maxnvm"}));
}

TEST(FormatRegistry, BuildsFormatsWithDefaultsAndNames) {
  EXPECT_EQ(make_format("fp32", {})->name(), "fp32");
  auto f = make_format("fixed", {});
  EXPECT_EQ(f->name(), "fixed8");
  EXPECT_EQ(f->value_bits(), 8);
  EXPECT_EQ(make_format("fixed", {{"bits", "4"}, {"round", "false"}})->name(), "fixed4-trunc");
  EXPECT_EQ(make_format("fixed", {{"bits", "16"}})->value_bytes(), 2);
}

TEST(FormatRegistry, PresetsAre004And000Definitions) {
  EXPECT_EQ(make_format("normal", {})->name(), "fixed8-trunc");
  EXPECT_EQ(make_format("rquant", {})->name(), "fixed8-asym-unsigned");
  EXPECT_EQ(make_format("rquant", {{"bits", "4"}})->name(), "fixed4-asym-unsigned");
  EXPECT_EQ(make_format("eden-int4", {})->name(), "fixed4");
  EXPECT_EQ(make_format("eden-int16", {})->value_bytes(), 2);
  EXPECT_EQ(make_format("fixed", {{"range", "global"}, {"round", "false"}})->name(), "fixed8-global-trunc");
  EXPECT_EQ(make_format("fixed", {{"symmetric", "false"}, {"signed", "false"}, {"round", "false"}})->name(),
            "fixed8-asym-unsigned-trunc");
  EXPECT_EQ(make_format("fp16", {{"correct", "zero"}})->name(), "fp16-zero");
  EXPECT_EQ(make_format("bf16", {})->value_bits(), 16);
  EXPECT_EQ(make_format("fp32", {{"correct", "saturate"}, {"check", "exponent"}})->name(), "fp32-sat-exp");
}

TEST(FormatRegistry, BadEnumValuesNameKeyAndChoices) {
  EXPECT_NE(error_of("fixed", {{"range", "layer"}}).find("'range' = 'layer' is not one of tensor, global or channel"), std::string::npos);
  EXPECT_NE(error_of("fixed", {{"layout", "packed"}}).find("layout"), std::string::npos);
  EXPECT_NE(error_of("fp16", {{"correct", "clamp"}}).find("'correct' = 'clamp'"), std::string::npos);
  EXPECT_NE(error_of("eden-int8", {{"bits", "4"}}).find("'bits'"), std::string::npos);
  EXPECT_NE(error_of("rquant", {{"bits", "20"}}).find("[2, 16]"), std::string::npos);
}

TEST(FormatRegistry, ParamsRebuildTheSameFormat) {
  for (const char* n : {"normal", "rquant", "fixed"}) {
    auto g = make_format(n, {{"bits", "6"}, {"clip", "0.25"}, {"layout", "dense"}});
    EXPECT_EQ(make_format("fixed", g->params())->name(), g->name()) << n;
  }
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
    EXPECT_NE(msg.find("[2, 16]"), std::string::npos) << msg;
  }
  EXPECT_NE(error_of("fixed", {{"bits", "eight"}}).find("'bits'"), std::string::npos);
}

}  // namespace
}  // namespace memlapse
