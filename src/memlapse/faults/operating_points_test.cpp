#include "memlapse/faults/operating_points.h"

#include <gtest/gtest.h>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

TEST(DramOperatingPoints, ReproduceTable3PointsAndAreMonotone) {
  // 000 Table 3 (vendor A): the BER at each tabulated reduction.
  EXPECT_DOUBLE_EQ(dram_ber_vdd(-0.10), 0.005);
  EXPECT_DOUBLE_EQ(dram_ber_vdd(-0.25), 0.010);
  EXPECT_DOUBLE_EQ(dram_ber_vdd(-0.30), 0.030);
  EXPECT_DOUBLE_EQ(dram_ber_vdd(-0.35), 0.050);
  EXPECT_DOUBLE_EQ(dram_ber_trcd(-1.0), 0.005);
  EXPECT_DOUBLE_EQ(dram_ber_trcd(-5.5), 0.040);
  EXPECT_DOUBLE_EQ(dram_ber_trcd(-6.0), 0.050);
  EXPECT_EQ(dram_ber_vdd(0.0), 0.0);
  EXPECT_EQ(dram_ber_vdd(0.1), 0.0);
  double prev = 0.0;
  for (double d = 0.0; d >= -0.35; d -= 0.005) {
    EXPECT_GE(dram_ber_vdd(d), prev);
    prev = dram_ber_vdd(d);
  }
  prev = 0.0;
  for (double d = 0.0; d >= -6.0; d -= 0.05) {
    EXPECT_GE(dram_ber_trcd(d), prev);
    prev = dram_ber_trcd(d);
  }
  EXPECT_THROW(dram_ber_vdd(-0.5), Error);
  EXPECT_THROW(dram_ber_trcd(-7), Error);
}

TEST(SramOperatingPoint, AnchorsOf004Fig1AndExponentialRise) {
  EXPECT_EQ(sram_ber(1.0), 0.0);
  EXPECT_EQ(sram_ber(1.1), 0.0);
  EXPECT_NEAR(sram_ber(0.84), 0.01, 1e-12);  // p = 1% at ~30% energy saving (004 §1)
  EXPECT_NEAR(sram_energy_rel(0.84), 0.7056, 1e-12);
  EXPECT_NEAR(sram_ber(0.98), 1e-6, 1e-15);
  // Exponential: equal voltage steps multiply p by the same factor.
  EXPECT_NEAR(sram_ber(0.85) / sram_ber(0.90), sram_ber(0.90) / sram_ber(0.95), 1e-9);
  double prev = 0.0;
  for (double v = 1.0; v >= 0.80; v -= 0.001) {
    EXPECT_GE(sram_ber(v), prev);
    prev = sram_ber(v);
  }
  EXPECT_THROW(sram_ber(0.7), Error);
}

}  // namespace
}  // namespace memlapse
