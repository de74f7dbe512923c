#pragma once
// The cell library: one typed, unit-carrying parameter set per memory technology (sram, edram3t,
// dram, stt, sot, rram, ctt, pcm), each value with its source, registered in one explicit table
// whose parameter schema also validates user overrides.
// Example:
//   Cell c = make_cell("ctt", {{"bits_per_cell", "3"}});   // MLC3 CTT; throws Error on bad keys
//   double a_um2 = c.area_um2(technology_for_node(16));
#include <map>
#include <string>
#include <vector>

#include "memlapse/core/registry.h"
#include "memlapse/memory/technology.h"

namespace memlapse::memory {

enum class SenseMode { kVoltage, kCurrent };

struct Cell {
  std::string tech;               // registry name
  int bits_per_cell = 1;
  int max_bits_per_cell = 1;      // MLC limit of the technology
  double area_f2 = 0;             // cell area in F^2 (constant across nodes)
  double aspect_ratio = 1;        // cell height (bitline direction) / width (wordline direction)
  double access_width_f = 0;      // width of the device on the read bitline, in F
  double write_access_width_f = 0;// separate write device on its own write wordline, in F (0: the
                                  // read device also writes, one wordline per row)
  bool separate_read_path = false;// SOT, 3T eDRAM: read bitline sees only the read device
  SenseMode sense = SenseMode::kVoltage;
  double sense_swing_v = 0;       // voltage sensing: bitline differential the SA needs
  double sense_latency_ns = 0;    // current sensing: intrinsic cell+SA time at a short bitline
  double sense_energy_pj = 0;     // current sensing: cell+SA energy per sensed cell
  double read_current_ua = 0;     // current sensing: full on/off current window at read bias
  double read_voltage_v = 0;      // current sensing: bitline clamp voltage
  double set_latency_ns = 0;      // write of a 1 (SLC); MLC adds program-and-verify (see cell.cpp)
  double reset_latency_ns = 0;
  double set_energy_pj = 0;       // per switched cell
  double reset_energy_pj = 0;
  double cell_leak_width_f = 0;   // off-transistor width per cell on a supply path (SRAM), in F
  double retention_us = 0;        // 0: static or non-volatile; else retention at retention_temp_k
  double retention_temp_k = 0;
  double retention_halving_k = 0; // retention halves every this many kelvin
  double storage_cap_ff = 0;      // 1T1C DRAM storage capacitor
  bool destructive_read = false;  // 1T1C: every sensed row is restored
  bool non_volatile = false;
  std::map<std::string, std::string> sources;  // parameter -> citation

  // Contract: cell area at technology t, um^2 (per cell, holding bits_per_cell bits).
  double area_um2(const Technology& t) const { return area_f2 * t.feature_um * t.feature_um; }
  // Contract: write current the driver must supply (max over set/reset), uA.
  double write_current_ua(const Technology& t) const;
  // Contract: write latency including MLC program-and-verify iterations, ns.
  double write_latency_ns() const;
  // Contract: mean energy per written cell, random data: half the cells switch (set or reset).
  double write_energy_per_cell_pj() const;
  // Contract: NVSim's per-cell write charge: max(set, reset) for every written cell, with the same
  // MLC iteration factor as write_energy_per_cell_pj.
  double worst_case_write_energy_per_cell_pj() const;
  // Contract: retention at temperature_k (0 when the cell needs no refresh), us.
  double retention_at_us(double temperature_k) const;
  // Contract: throws Error naming the parameter and the allowed range if the values are inconsistent.
  void validate() const;
};

// Contract: the registry of technologies with their parameter schemas (defaults = table values).
const Registry<Cell>& array_technology_registry();
// Contract: the cell for technology `name` with `overrides` (schema keys, text values) applied and
// validated; throws Error for an unknown technology (with a "did you mean") or bad value.
Cell make_cell(const std::string& name, const std::map<std::string, std::string>& overrides = {});

}  // namespace memlapse::memory
