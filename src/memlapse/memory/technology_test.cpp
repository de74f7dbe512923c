// Technology table: node range, scaling directions, leakage vs temperature.
#include "memlapse/memory/technology.h"

#include <gtest/gtest.h>

#include "memlapse/core/error.h"
#include "memlapse/memory/circuits.h"

namespace memlapse::memory {

TEST(Technology, SupportsThePaperNodes) {
  for (int n : {16, 22, 28, 32, 40, 45}) EXPECT_EQ(technology_for_node(n).node_nm, n);
}

TEST(Technology, UnsupportedNodeIsAnErrorNamingTheValue) {
  try {
    technology_for_node(7);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("7 nm"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("16"), std::string::npos);
  }
}

TEST(Technology, LeakageGrowsWithTemperature) {
  const auto& t = technology_for_node(22);
  EXPECT_LT(t.leakage_mw(1.0, 300), t.leakage_mw(1.0, 350));
  EXPECT_NEAR(t.leak_scale(335) / t.leak_scale(300), 2.0, 0.1);  // ~2x per 35 K (Roy et al. 2003)
}

TEST(Technology, WiresGetMoreResistiveAndGatesFasterWithScaling) {
  const auto& a = technology_for_node(45);
  const auto& b = technology_for_node(16);
  EXPECT_GT(b.local.r_ohm_per_um, 5.0 * a.local.r_ohm_per_um);
  EXPECT_LT(b.tau_ns(), a.tau_ns());
}

TEST(Circuits, HorowitzReducesToElmoreForAStep) {
  EXPECT_NEAR(horowitz_ns(1.0, 0.0), 0.693, 1e-3);  // ln 2 (Horowitz 1983)
  EXPECT_GT(horowitz_ns(1.0, 1.0), horowitz_ns(1.0, 0.0));
}

TEST(Circuits, DriverDelayGrowsLogarithmicallyWithLoad) {
  const auto& t = technology_for_node(32);
  const double d1 = driver_chain(t, 1, 10).delay_ns, d2 = driver_chain(t, 1, 1000).delay_ns;
  EXPECT_GT(d2, d1);
  EXPECT_LT(d2, 10 * d1);  // 100x load, far less than 100x delay
}

TEST(Circuits, RepeatedWireDelayIsLinearInLength) {
  const auto& t = technology_for_node(16);
  const double d1 = repeated_wire(t, t.semi_global, 1000).delay_ns;
  EXPECT_NEAR(repeated_wire(t, t.semi_global, 2000).delay_ns / d1, 2.0, 1e-9);
}

// NVSim Wire.cpp, RepeatedNone: delay 2.3 r c L^2 / 2, energy c L Vdd^2.
TEST(Circuits, UnrepeatedWireDelayIsQuadraticAndEnergyLinearInLength) {
  const auto& t = technology_for_node(16);
  const Block a = unrepeated_wire(t, t.global, 1000), b = unrepeated_wire(t, t.global, 2000);
  EXPECT_NEAR(b.delay_ns / a.delay_ns, 4.0, 1e-9);
  EXPECT_NEAR(b.energy_pj / a.energy_pj, 2.0, 1e-9);
  EXPECT_NEAR(a.delay_ns, 1.15 * t.global.r_ohm_per_um * t.global.c_ff_per_um * 1e6 * 1e-6, 1e-12);
  EXPECT_EQ(a.leak_width_um, 0.0);
}

// NVSim SenseAmp.cpp (HSPICE, per current-mode amplifier): 0.15 pJ and 150 nW below 31 nm,
// 0.1256 pJ / 125.4 nW from 31 nm, 0.1026 pJ / 4.41 nW from 44 nm.
TEST(Circuits, IvConverterFollowsNvsimSenseAmpTable) {
  for (int n : {16, 22, 28}) {
    const IvConverter iv = current_sense_iv_converter(technology_for_node(n));
    EXPECT_DOUBLE_EQ(iv.energy_pj, 0.15) << n;
    EXPECT_DOUBLE_EQ(iv.leakage_nw, 150.0) << n;
  }
  for (int n : {32, 40}) EXPECT_DOUBLE_EQ(current_sense_iv_converter(technology_for_node(n)).energy_pj, 0.1256) << n;
  EXPECT_DOUBLE_EQ(current_sense_iv_converter(technology_for_node(45)).energy_pj, 0.1026);
  EXPECT_DOUBLE_EQ(current_sense_iv_converter(technology_for_node(45)).leakage_nw, 4.41);
}

}  // namespace memlapse::memory
