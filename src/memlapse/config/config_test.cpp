// Configuration documents: file:line errors, strict reading against schemas, --set overrides.
#include "memlapse/config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "memlapse/core/error_testing.h"

namespace memlapse {
namespace {

const ParamSchema& sweep_like() {
  static const ParamSchema s{ParamSpec{"chips", ParamType::kInt, "10", "", "chips"}.in(1, 1000),
                             ParamSpec{"seed", ParamType::kInt, "1", "", "seed"}.at_least(0),
                             ParamSpec{"correct", ParamType::kString, "none", "", "correction"}.one_of({"none", "zero"}),
                             ParamSpec{"rates", ParamType::kDoubleList, "0.1", "", "rates"}.in(0, 1),
                             ParamSpec{"names", ParamType::kStringList, "", "", "names"}};
  return s;
}

TEST(ConfigDoc, SyntaxErrorsNameFileLineAndColumn) {
  const std::string msg = error_message_of([] { ConfigDoc::parse("[sweep]\nchips = \n", "exp.toml"); });
  EXPECT_NE(msg.find("exp.toml:2:"), std::string::npos) << msg;
}

TEST(TableReader, UnknownKeyNamesFileLineAndSuggests) {
  const ConfigDoc doc = ConfigDoc::parse("[sweep]\nseed = 3\nchpis = 5\n", "exp.toml");
  const std::string msg = error_message_of([&] { TableReader::section(doc, "sweep").resolve(sweep_like()); });
  EXPECT_NE(msg.find("exp.toml:3: sweep.chpis: unknown key 'chpis' (did you mean 'chips'?)"), std::string::npos) << msg;
}

TEST(TableReader, WrongTypesAndValuesNameFileLineAndWhatWasExpected) {
  auto msg = [](const std::string& body) {
    const ConfigDoc doc = ConfigDoc::parse("[sweep]\n" + body + "\n", "e.toml");
    return error_message_of([&] { TableReader::section(doc, "sweep").resolve(sweep_like()); });
  };
  EXPECT_NE(msg("chips = \"five\"").find("e.toml:2: sweep.chips: expected an integer, got 'five'"), std::string::npos) << msg("chips = \"five\"");
  EXPECT_NE(msg("chips = 2.5").find("expected an integer"), std::string::npos);
  EXPECT_NE(msg("chips = 0").find("e.toml:2: sweep: parameter 'chips' = 0 is outside [1, 1000]"), std::string::npos) << msg("chips = 0");
  EXPECT_NE(msg("correct = \"zeros\"").find("did you mean 'zero'"), std::string::npos);
  EXPECT_NE(msg("rates = [0.1, 2]").find("outside [0, 1]"), std::string::npos);
  EXPECT_NE(msg("rates = [0.1, \"x\"]").find("expected a number"), std::string::npos);
  EXPECT_NE(msg("names = [\"a,b\"]").find("without commas"), std::string::npos);
  EXPECT_NE(msg("rates = nan").find("expected a finite number"), std::string::npos) << msg("rates = nan");
  EXPECT_NE(msg("seed = nan").find("expected an integer, got nan"), std::string::npos) << msg("seed = nan");
  EXPECT_NE(msg("chips = [1, 2]").find("expected a single int"), std::string::npos);
  // A scalar where a list is expected is a one-element list; and good values pass.
  const ConfigDoc ok = ConfigDoc::parse("[sweep]\nrates = 0.5\nnames = [\"x\", \"y\"]\nchips = 7\n", "ok.toml");
  const ParamValues v = TableReader::section(ok, "sweep").resolve(sweep_like());
  EXPECT_EQ(v.get_double_list("rates"), std::vector<double>{0.5});
  EXPECT_EQ(v.get_string_list("names"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(v.get_int("chips"), 7);
}

TEST(ConfigDoc, SetOverridesAnyKeyAndItsOriginIsReported) {
  ConfigDoc doc = ConfigDoc::parse("[[partition]]\nname = \"dram\"\nfault = {model = \"uniform\", ber = 1e-3}\n"
                                   "[[partition]]\nname = \"sram\"\n",
                                   "e.toml");
  doc.set("partition.sram.fault.model=\"sram\"");
  doc.set("partition.sram.fault.voltage=0.9");
  doc.set("partition.dram.fault.ber=1e-2");
  doc.set("sweep.chips=3");
  doc.set("data.dir=/tmp/some dir");  // not TOML: kept as a string
  EXPECT_EQ(doc.find("partition.sram.fault.voltage")->value_or(0.0), 0.9);
  EXPECT_EQ(doc.find("partition[0].fault.ber")->value_or(0.0), 1e-2);
  EXPECT_EQ(doc.find("sweep.chips")->value_or(std::int64_t{0}), 3);
  EXPECT_EQ(doc.find("data.dir")->value_or(std::string()), "/tmp/some dir");
  EXPECT_EQ(doc.where("partition[1].fault.voltage"), "--set partition.sram.fault.voltage=0.9");
  EXPECT_EQ(doc.where("partition[0].name"), "e.toml:2");
  EXPECT_NE(error_message_of([&] { doc.set("nonsense"); }).find("expected KEY=VALUE"), std::string::npos);
  EXPECT_NE(error_message_of([&] { doc.set("partition.rram.fault.ber=1"); }).find("no element named 'rram'"), std::string::npos);
  EXPECT_NE(error_message_of([&] { doc.set("sweep.chips.x=1"); }).find("is a value, not a table"), std::string::npos);
}

TEST(ConfigDoc, JsonFilesReadAsTheSameTree) {
  const auto dir = std::filesystem::temp_directory_path() / ("memlapse_config_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "p.json") << R"({"sweep": {"chips": 4, "rates": [0.1, 0.2]}, "partition": [{"name": "a"}]})";
  const ConfigDoc doc = ConfigDoc::load((dir / "p.json").string());
  EXPECT_EQ(doc.find("sweep.chips")->value_or(std::int64_t{0}), 4);
  EXPECT_EQ(doc.find("partition.a.name")->value_or(std::string()), "a");
  std::ofstream(dir / "bad.json") << "{\n\"a\": 1,\n}";
  EXPECT_NE(error_message_of([&] { ConfigDoc::load((dir / "bad.json").string()); }).find("bad.json:3"), std::string::npos);
  EXPECT_NE(error_message_of([&] { ConfigDoc::load((dir / "absent.toml").string()); }).find("absent.toml"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ConfigDoc, TomlTextReadsBackToTheSameTree) {
  ConfigDoc doc = ConfigDoc::parse("[a]\nx = 1\ny = [1.5, 2.0]\n[[b]]\nname = \"n\"\n", "e.toml");
  doc.set("a.z=\"w\"");
  const ConfigDoc back = ConfigDoc::parse(doc.toml_text(), "back.toml");
  EXPECT_EQ(back.to_json(), doc.to_json());
}

TEST(ConfigDoc, TomlTextIsReadableAndExact) {
  const std::string src =
      "top = 0.1\n"
      "[a.b]\n\"odd key\" = \"quote \\\" back\\\\ tab\\t nl\\n\"\n"
      "big = 1e300\ntiny = 1e-5\nneg = -0.35\ninfinite = -inf\nwhole = 3.0\n"
      "inl = {x = [1, 2], y = {z = true}}\n"
      "[[a.b.list]]\nv = 1\n[a.b.list.sub]\nw = 2\n[[a.b.list]]\nv = 2\n"
      "[empty]\n";
  const ConfigDoc doc = ConfigDoc::parse(src, "e.toml");
  const std::string text = doc.toml_text();
  const ConfigDoc back = ConfigDoc::parse(text, "back.toml");
  EXPECT_EQ(back.to_json(), doc.to_json()) << text;
  EXPECT_NE(text.find("top = 0.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("neg = -0.35\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tiny = 1e-05\n"), std::string::npos) << text;
  EXPECT_NE(text.find("whole = 3.0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("inl = { x = [1, 2], y = { z = true } }\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[empty]"), std::string::npos) << text;
  EXPECT_EQ(text.find("'"), std::string::npos) << text;
  // Doubles survive bit for bit.
  EXPECT_EQ(back.root()["top"].value<double>(), 0.1);
  EXPECT_EQ(back.root()["a"]["b"]["big"].value<double>(), 1e300);
}

}  // namespace
}  // namespace memlapse
