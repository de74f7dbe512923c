// Experiment files: strict, typed, with file:line errors; axes expand to checked points.
#include "memlapse/experiment/spec.h"

#include <gtest/gtest.h>

#include "memlapse/core/error_testing.h"

namespace memlapse {
namespace {

constexpr const char* kBase = R"(
[experiment]
name = "demo"

[model]
source = "lenet5"

[format]
name = "rquant"
bits = 4

[[partition]]
name = "main"
fault = {model = "uniform", ber = 1e-3}

[sweep]
chips = 3

[[sweep.axis]]
key = "partition.main.fault.ber"
values = [1e-4, 1e-3]

[[sweep.axis]]
keys = ["format.name", "format.bits"]
values = [["normal", 8], ["rquant", 6]]
)";

TEST(ExperimentSpec, ReadsEverySectionIntoTypedSpecs) {
  const ExperimentSpec s = read_experiment(ConfigDoc::parse(kBase, "demo.toml"));
  EXPECT_EQ(s.out, "runs/demo");
  EXPECT_EQ(s.model.source, "lenet5");
  EXPECT_EQ(s.model.arch.at("classes"), "10");  // resolved by the zoo schema
  EXPECT_EQ(s.format, "rquant");
  EXPECT_EQ(s.format_params.at("bits"), "4");
  EXPECT_EQ(s.format_params.at("symmetric"), "false");  // every key of the format's schema
  ASSERT_EQ(s.memory.partitions.size(), 2u);
  EXPECT_EQ(s.memory.partitions[0].fault_params.at("ber"), "0.001");
  ASSERT_TRUE(s.sweep.has_value());
  EXPECT_EQ(s.sweep->chips, 3u);
  EXPECT_EQ(s.sweep->correct, "none");
  ASSERT_EQ(s.sweep->axes.size(), 2u);
  EXPECT_EQ(s.activations.partition, "main");
}

TEST(ExperimentSpec, AxesExpandToTheirCartesianProductWithZippedKeys) {
  const ConfigDoc doc = ConfigDoc::parse(kBase, "demo.toml");
  const auto points = expand_points(doc);
  ASSERT_EQ(points.size(), 4u);
  // The first axis varies slowest; zipped keys move together.
  EXPECT_EQ(points[0].label(), "partition.main.fault.ber=0.0001, format.name=normal, format.bits=8");
  EXPECT_EQ(points[3].label(), "partition.main.fault.ber=0.001, format.name=rquant, format.bits=6");
  EXPECT_EQ(points[1].spec.format, "rquant");
  EXPECT_EQ(points[1].spec.format_params.at("bits"), "6");
  EXPECT_EQ(points[2].spec.memory.partitions[0].fault_params.at("ber"), "0.001");
  EXPECT_EQ(points[2].overrides["partition.main.fault.ber"], 1e-3);
}

TEST(ExperimentSpec, TyposAreFileLineErrorsWithASuggestion) {
  auto msg = [](const std::string& text) { return error_message_of([&] { read_experiment(ConfigDoc::parse(text, "x.toml")); }); };
  std::string t = kBase;
  EXPECT_NE(msg(t + "[sweeep]\nchips = 2\n").find("x.toml:26: unknown section 'sweeep' (did you mean 'sweep'?)"), std::string::npos)
      << msg(t + "[sweeep]\nchips = 2\n");
  std::string typo = kBase;
  typo.replace(typo.find("chips = 3"), 9, "chisp = 3");
  EXPECT_NE(msg(typo).find("x.toml:17: sweep.chisp: unknown key 'chisp' (did you mean 'chips'?)"), std::string::npos) << msg(typo);
  std::string bad_format = kBase;
  bad_format.replace(bad_format.find("bits = 4"), 8, "bist = 4");
  EXPECT_NE(msg(bad_format).find("x.toml:10: format (format rquant): unknown parameter 'bist' (did you mean 'bits'?)"), std::string::npos)
      << msg(bad_format);
  std::string bad_value = kBase;
  bad_value.replace(bad_value.find("ber = 1e-3"), 10, "ber = 1.5");
  EXPECT_NE(msg(bad_value).find("x.toml:14"), std::string::npos) << msg(bad_value);
  EXPECT_NE(msg(bad_value).find("'ber' = 1.5 1/bit is outside [0, 1]"), std::string::npos) << msg(bad_value);
  EXPECT_NE(msg("[model]\nsource = \"lenet5\"\narch = {widht = 2}\n[sweep]\n").find("x.toml:3"), std::string::npos);
  EXPECT_NE(msg("[model]\nsource = \"lenet6\"\n[train]\nepochs = 1\n").find("did you mean 'lenet5'"), std::string::npos)
      << msg("[model]\nsource = \"lenet6\"\n[train]\nepochs = 1\n");
  EXPECT_NE(msg("[experiment]\nname = \"x\"\n").find("nothing to run"), std::string::npos);
  EXPECT_NE(msg("[model]\nsource = \"lenet5\"\n[sweep]\n").find("no fault model anywhere"), std::string::npos);
}

TEST(ExperimentSpec, APointThatMakesNoSenseIsAnErrorBeforeAnyWork) {
  ConfigDoc doc = ConfigDoc::parse(kBase, "demo.toml");
  doc.set("sweep.axis[0].values=[1e-4, 2.0]");
  const std::string msg = error_message_of([&] { expand_points(doc); });
  EXPECT_NE(msg.find("sweep point 2 (partition.main.fault.ber=2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("outside [0, 1]"), std::string::npos) << msg;
  // An axis over a key the fault model does not have names the key.
  ConfigDoc doc2 = ConfigDoc::parse(kBase, "demo.toml");
  doc2.set("sweep.axis[0].key=\"partition.main.fault.voltage\"");
  EXPECT_NE(error_message_of([&] { expand_points(doc2); }).find("unknown parameter 'voltage'"), std::string::npos);
}

TEST(ExperimentSpec, OnlyKeysThatChangeNoNumberAreIgnoredWhenResuming) {
  ConfigDoc a = ConfigDoc::parse(kBase, "a.toml"), b = ConfigDoc::parse(kBase, "b.toml");
  b.set("model.threads=2");
  b.set("model.batch_size=7");
  b.set("experiment.out=\"elsewhere\"");
  EXPECT_EQ(result_defining_keys(a), result_defining_keys(b));
  b.set("sweep.chips=4");
  EXPECT_NE(result_defining_keys(a), result_defining_keys(b));
  EXPECT_EQ(result_defining_keys(b).at("sweep.chips"), "4");
  EXPECT_EQ(result_defining_keys(b).count("partition.main.fault.ber"), 1u);
}

TEST(ExperimentSpec, DescribeListsEverySection) {
  const std::string d = describe_experiment_file();
  for (const char* s : {"[experiment]", "[model]", "[data]", "[format]", "[[partition]]", "[placement]", "[[placement.rule]]",
                        "[activations]", "[train]", "[sweep]", "[[sweep.axis]]", "[array]", "[output]", "row_bits", "chips"}) {
    EXPECT_NE(d.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace memlapse
