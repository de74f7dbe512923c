// Algorithm 1 (000 §3.4) against hand-worked examples.
#include "memlapse/characterize/mapping.h"

#include <gtest/gtest.h>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

// 000 Fig. 12's shape: partitions at fixed VDD reductions with 000 Table 3's rates, plus nominal.
std::vector<MapPartition> four_dram(double p3_capacity) {
  return {{"nominal", 0, {{0.0, 0.0}}},
          {"p1", 0, {{-0.10, 0.005}}},
          {"p2", 0, {{-0.25, 0.01}}},
          {"p3", p3_capacity, {{-0.30, 0.03}}},
          {"p4", 0, {{-0.35, 0.05}}}};
}

TEST(Algorithm1, EachTypeGoesToTheLargestReductionItTolerates) {
  const std::vector<MapDataType> data = {{"a", 10, 0.02}, {"b", 10, 0.06}, {"c", 10, 0.001}, {"d", 10, 0.04}, {"e", 10, 0.005}};
  const MappingResult m = map_to_partitions(data, four_dram(0));
  // a tolerates 2%: p2 (1%, -0.25 V); b 6%: p4; c 0.1%: only nominal; d 4%: p3; e exactly 0.5%: p1.
  EXPECT_EQ(m.partition_of, (std::vector<int>{2, 4, 0, 3, 1}));
  EXPECT_EQ(m.used_bytes, (std::vector<std::uint64_t>{10, 10, 10, 10, 10}));
  // Ascending tolerance: c, e, a, d, b.
  EXPECT_EQ(m.order, (std::vector<std::size_t>{2, 4, 0, 3, 1}));
}

TEST(Algorithm1, AFullPartitionSendsTheTypeToTheNextBestOne) {
  // p3 holds 15 bytes: d1 (4%) fits, d2 (4%, later: same tolerance, input order) does not -> p2.
  const std::vector<MapDataType> data = {{"d1", 10, 0.04}, {"d2", 10, 0.04}, {"b", 10, 0.06}};
  const MappingResult m = map_to_partitions(data, four_dram(15));
  EXPECT_EQ(m.partition_of, (std::vector<int>{3, 2, 4}));
  EXPECT_EQ(m.used_bytes[3], 10u);
}

TEST(Algorithm1, ACharacterizedPartitionIsLockedAtItsFirstTypesSetting) {
  // Two partitions with the same curve (000 Table 3, VDD): settings 0, -0.10, -0.25, -0.30, -0.35.
  const std::vector<MapSetting> curve = {{0.0, 0.0}, {-0.10, 0.005}, {-0.25, 0.01}, {-0.30, 0.03}, {-0.35, 0.05}};
  const std::vector<MapPartition> parts = {{"A", 0, curve}, {"B", 0, curve}};
  // x (1.2%) first: A at -0.25 V. y (3.5%): B is unused and offers -0.30 V > A's -0.25: B. z (6%):
  // B is locked at -0.30 (3%), A at -0.25: B. w (0.2%): neither (A 1%, B 3%) -> Error.
  const std::vector<MapDataType> data = {{"z", 5, 0.06}, {"y", 5, 0.035}, {"x", 5, 0.012}};
  const MappingResult m = map_to_partitions(data, parts);
  EXPECT_EQ(m.partition_of, (std::vector<int>{1, 1, 0}));
  EXPECT_EQ(m.setting_of, (std::vector<int>{2, 3}));
  std::vector<MapDataType> more = data;
  more.push_back({"w", 5, 0.002});
  // w is least tolerant and chooses first: A at -0.10 V (0.5% > 0.2%? no: 0.5% > 0.2%, so nominal).
  const MappingResult m2 = map_to_partitions(more, parts);
  EXPECT_EQ(m2.partition_of[3], 0);
  EXPECT_EQ(m2.setting_of[0], 0);  // A locked at nominal by w
}

TEST(Algorithm1, CoarseMappingIsOnePartitionAtTheLeastTolerantTypesSetting) {
  const std::vector<MapSetting> curve = {{0.0, 0.0}, {-0.10, 0.005}, {-0.25, 0.01}, {-0.30, 0.03}, {-0.35, 0.05}};
  const MappingResult m = map_to_partitions({{"a", 1, 0.04}, {"b", 1, 0.012}, {"c", 1, 0.08}}, {{"module", 0, curve}});
  EXPECT_EQ(m.partition_of, (std::vector<int>{0, 0, 0}));
  EXPECT_EQ(m.setting_of[0], 2);  // -0.25 V: the setting b (1.2%) tolerates
}

TEST(Algorithm1, ATypeNoPartitionCanHoldIsAnError) {
  EXPECT_THROW(map_to_partitions({{"big", 100, 0.06}}, {{"p4", 50, {{-0.35, 0.05}}}}), Error);
  EXPECT_THROW(map_to_partitions({{"x", 1, 0.001}}, {{"p4", 0, {{-0.35, 0.05}}}}), Error);
  EXPECT_THROW(map_to_partitions({{"x", 1, 0.001}}, {{"empty", 0, {}}}), Error);
  EXPECT_THROW(map_to_partitions({{"x", 1, 0.001}}, {{"unordered", 0, {{0.0, 0.0}, {-0.3, 0.03}, {-0.1, 0.005}}}}), Error);
}

}  // namespace
}  // namespace memlapse
