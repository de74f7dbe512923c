// Memory systems and placements: strict partition tables, rules, capacities, files read back.
#include "memlapse/placement/placement.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "memlapse/core/error_testing.h"

namespace memlapse {
namespace {

// conv1.weight (8x9), conv1.bias (8), fc.weight (10x8), fc.bias (10) in 8-bit fixed point.
MemoryImage small_image() {
  MemoryImage img(make_format("fixed", {{"bits", "8"}}));
  const std::vector<std::pair<std::string, std::vector<std::int64_t>>> ts = {
      {"conv1.weight", {8, 9}}, {"conv1.bias", {8}}, {"fc.weight", {10, 8}}, {"fc.bias", {10}}};
  for (const auto& [name, shape] : ts) {
    std::size_t n = 1;
    for (auto d : shape) n *= static_cast<std::size_t>(d);
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = 0.01f * static_cast<float>(i % 17) - 0.05f;
    img.add_tensor(name, shape, v);
  }
  return img;
}

constexpr const char* kTwo = R"(
[[partition]]
name = "sram"
technology = "sram"
capacity = "1KB"
fault = {model = "sram", voltage = 1.0}

[[partition]]
name = "dram"
fault = {model = "dram-model1", vdd_delta = -0.25}
layout = {row_bits = 4096, banks = 4}

[placement]
default = "dram"

[[placement.rule]]
tensors = ["conv1.*", "fc.bias"]
partition = "sram"
)";

TEST(MemorySystem, PartitionsKeepFileOrderAndGetAReliablePartition) {
  const ConfigDoc doc = ConfigDoc::parse(kTwo, "two.toml");
  const MemorySystem mem = read_memory_system(doc);
  ASSERT_EQ(mem.partitions.size(), 3u);
  EXPECT_EQ(mem.partitions[0].name, "sram");
  EXPECT_EQ(mem.partitions[1].name, "dram");
  EXPECT_EQ(mem.partitions[1].technology, "dram");  // from the fault model
  EXPECT_EQ(mem.partitions[1].layout.row_bits, 4096u);
  EXPECT_EQ(mem.partitions[1].layout.banks, 4u);
  EXPECT_EQ(mem.partitions[0].capacity_bytes, 1024.0);
  EXPECT_EQ(mem.partitions[2].name, kReliablePartition);
  EXPECT_EQ(mem.partitions[2].fault_model, "none");
  EXPECT_EQ(mem.partitions[1].make_fault_model()->params().at("ber"), "0.01");
}

TEST(MemorySystem, BadPartitionsNameFileLineAndKey) {
  auto msg = [](const std::string& text) {
    return error_message_of([&] { read_memory_system(ConfigDoc::parse(text, "m.toml")); });
  };
  EXPECT_NE(msg("[[partition]]\nname = \"a\"\ntechnolgy = \"sram\"\n").find("m.toml:3: partition.a.technolgy: unknown key 'technolgy' (did you mean 'technology'?)"),
            std::string::npos);
  EXPECT_NE(msg("[[partition]]\nname = \"a\"\ntechnology = \"sram\"\nfault = {model = \"dram-model1\"}\n")
                .find("m.toml:3: partition.a.technology: 'sram' does not fit fault model dram-model1, which describes dram"),
            std::string::npos)
      << msg("[[partition]]\nname = \"a\"\ntechnology = \"sram\"\nfault = {model = \"dram-model1\"}\n");
  EXPECT_NE(msg("[[partition]]\nname = \"a\"\nfault = {model = \"sram\", voltag = 0.9}\n").find("did you mean 'voltage'"), std::string::npos);
  EXPECT_NE(msg("[[partition]]\nname = \"a\"\nfault = {model = \"sram\", voltage = 0.5}\n").find("outside >= 0.8"), std::string::npos);
  EXPECT_NE(msg("[[partition]]\nname = \"a\"\nfault = {model = \"unifrom\"}\n").find("did you mean 'uniform'"), std::string::npos);
  EXPECT_NE(msg("[[partition]]\nname = \"a\"\n[[partition]]\nname = \"a\"\n").find("m.toml:4: partition.a.name: partition 'a' is defined twice"),
            std::string::npos);
  EXPECT_NE(msg("[[partition]]\nname = \"a b\"\n").find("not a partition name"), std::string::npos);
  EXPECT_NE(msg("[[partition]]\nname = \"a\"\ncapacity = \"3XB\"\n").find("unit 'XB'"), std::string::npos);
  EXPECT_NE(msg("[[partition]]\nname = \"a\"\nlayout = {row_bits = 0}\n").find("row_bits"), std::string::npos);
  EXPECT_NE(msg("[[partition]]\nname = \"a\"\nfault = {model = \"dram-model2\", vdd_delta = -0.1, trcd_delta = -1}\n").find("not both"),
            std::string::npos);
}

TEST(Placement, RulesDefaultAndScalesPlaceEveryRegion) {
  const ConfigDoc doc = ConfigDoc::parse(kTwo, "two.toml");
  const MemorySystem mem = read_memory_system(doc);
  const PlacementSpec spec = read_placement(doc, mem);
  const MemoryImage img = small_image();
  const ResolvedPlacement r = resolve_placement(img, mem, spec);
  ASSERT_EQ(r.partition_of_region.size(), 8u);  // 4 values + 4 scales regions
  EXPECT_EQ(r.partition_of_region[0], 0u);      // conv1.weight -> sram
  EXPECT_EQ(r.partition_of_region[1], 0u);      // conv1.bias -> sram
  EXPECT_EQ(r.partition_of_region[2], 1u);      // fc.weight -> dram (default)
  EXPECT_EQ(r.partition_of_region[3], 0u);      // fc.bias -> sram
  for (std::uint32_t s = 4; s < 8; ++s) EXPECT_EQ(r.partition_of_region[s], 2u);  // scales stay reliable
  EXPECT_EQ(r.bytes[0], 72u + 8u + 10u);
  EXPECT_EQ(r.bytes[1], 80u);
  EXPECT_EQ(r.bytes[2], 4u * 8u);
}

TEST(Placement, LaterRulesOverrideEarlierOnesAndStructuresSelect) {
  ConfigDoc doc = ConfigDoc::parse(kTwo, "two.toml");
  doc.set("placement.rule=[{tensors = [\"*\"], partition = \"sram\"}, {tensors = [\"fc.*\"], partition = \"dram\"},"
          " {tensors = [\"fc.weight\"], structures = [\"scales\"], partition = \"dram\"}]");
  const MemorySystem mem = read_memory_system(doc);
  const ResolvedPlacement r = resolve_placement(small_image(), mem, read_placement(doc, mem));
  EXPECT_EQ(r.partition_of_region, (std::vector<std::uint32_t>{0, 0, 1, 1, 2, 2, 1, 2}));
}

TEST(Placement, MistakesAreErrorsNotSilentPlacements) {
  const MemoryImage img = small_image();
  auto msg = [&](const std::string& extra) {
    return error_message_of([&] {
      const ConfigDoc doc = ConfigDoc::parse(std::string(kTwo) + extra, "p.toml");
      const MemorySystem mem = read_memory_system(doc);
      resolve_placement(img, mem, read_placement(doc, mem));
    });
  };
  // A pattern that matches nothing (a typo) must not pass silently.
  EXPECT_NE(msg("[[placement.rule]]\ntensors = [\"conv2.*\"]\npartition = \"dram\"\n").find("matches no stored structure"), std::string::npos);
  EXPECT_NE(msg("[[placement.rule]]\ntensors = [\"fc.*\"]\npartition = \"sarm\"\n").find("no partition named 'sarm' (did you mean 'sram'?)"),
            std::string::npos);
  EXPECT_NE(msg("[[placement.rule]]\ntensors = [\"fc.*\"]\nstructures = [\"valus\"]\npartition = \"dram\"\n").find("did you mean 'values'"),
            std::string::npos);
  // Capacity: 100 bytes of SRAM cannot hold the 170 bytes of values.
  std::string small = kTwo;
  small.replace(small.find("capacity = \"1KB\""), 16, "capacity = \"100B\"");
  const std::string full = error_message_of([&] {
    const ConfigDoc doc = ConfigDoc::parse(small + "[[placement.rule]]\ntensors = [\"*\"]\npartition = \"sram\"\n", "p.toml");
    const MemorySystem mem = read_memory_system(doc);
    resolve_placement(img, mem, read_placement(doc, mem));
  });
  EXPECT_NE(full.find("p.toml:2: partition sram holds 170 B (170 bytes) under this placement, more than its capacity 100 B"), std::string::npos)
      << full;
}

TEST(Placement, TheWrittenFileReadsBackToTheSamePlacement) {
  const ConfigDoc doc = ConfigDoc::parse(kTwo, "two.toml");
  const MemorySystem mem = read_memory_system(doc);
  const MemoryImage img = small_image();
  const ResolvedPlacement r = resolve_placement(img, mem, read_placement(doc, mem));
  const auto dir = std::filesystem::temp_directory_path() / ("memlapse_placement_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "placement.toml") << placement_file_text(img, mem, r);
  const ConfigDoc back = ConfigDoc::load((dir / "placement.toml").string());
  const MemorySystem mem2 = read_memory_system(back);
  EXPECT_EQ(mem2.partitions.size(), mem.partitions.size());
  EXPECT_EQ(mem2.partitions[1].layout.row_bits, 4096u);
  EXPECT_EQ(mem2.partitions[1].fault_params, mem.partitions[1].fault_params);
  EXPECT_EQ(resolve_placement(img, mem2, read_placement(back, mem2)).partition_of_region, r.partition_of_region);
  // And through [placement] file = ... in another experiment.
  ConfigDoc via = ConfigDoc::parse(kTwo, "via.toml");
  via.erase("placement");
  via.set("placement.file=\"" + (dir / "placement.toml").string() + "\"");
  const MemorySystem mem3 = read_memory_system(via);
  EXPECT_EQ(resolve_placement(img, mem3, read_placement(via, mem3)).partition_of_region, r.partition_of_region);
  std::filesystem::remove_all(dir);
}

TEST(Glob, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("*", "anything.weight"));
  EXPECT_TRUE(glob_match("conv?.w*", "conv1.weight"));
  EXPECT_FALSE(glob_match("conv?.w*", "conv12.weight"));
  EXPECT_TRUE(glob_match("*.bias", "38.bias"));
  EXPECT_FALSE(glob_match("*.bias", "38.bias2"));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
}

}  // namespace
}  // namespace memlapse
