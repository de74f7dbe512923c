// Cell library values. F^2 areas are held constant across nodes (the usual NVSim/CACTI practice);
// 003 = DeepNVM++ (Inci et al.), 001 = MaxNVM (Pentecost et al., MICRO 2019), 002 = CAMEL.
#include "memlapse/memory/cell.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "memlapse/core/error.h"

namespace memlapse::memory {
namespace {

// 16 nm foundry 6T SRAM bitcell, 0.07 um^2 (Wu et al., "A 16nm FinFET CMOS technology...",
// IEDM 2013) = 273 F^2 at F = 16 nm. 003 Table I normalises MRAM areas to this foundry cell.
constexpr double kSramF2 = 273.0;

Cell sram() {
  Cell c;
  c.tech = "sram";
  c.area_f2 = kSramF2;
  c.aspect_ratio = 0.45;
  c.access_width_f = 4.5;  // one fin: 2*H_fin + W_fin ~ 72 nm = 4.5 F at 16 nm
  c.sense = SenseMode::kVoltage;
  c.sense_swing_v = 0.08;  // NVSim default voltage-sense margin (Dong et al. TCAD 2012, Sec. IV)
  c.set_latency_ns = c.reset_latency_ns = 0.0;  // flip time folded into the bitline drive
  c.cell_leak_width_f = 13.5;  // three off fins per cell (pull-up/down + access), 3 x 4.5 F
  c.sources = {{"area_f2", "Wu et al. IEDM 2013 (16FF 0.07 um^2 cell); 003 Table I reference cell"},
               {"sense_swing_v", "NVSim (Dong et al. TCAD 2012) voltage sense amplifier"},
               {"cell_leak_width_f", "fin arithmetic: 3 leaking fins x 72 nm at 16 nm"}};
  return c;
}

Cell edram3t() {
  Cell c;
  c.tech = "edram3t";
  c.area_f2 = 0.5 * kSramF2;  // 002 Sec. VI: 51,714 vs 103,428 um^2 per Mbit at 16 nm
  c.aspect_ratio = 0.7;
  c.access_width_f = 4.5;
  c.separate_read_path = true;  // write WL/BL and read WL/BL are separate (002 Fig. 14)
  c.sense = SenseMode::kVoltage;
  c.sense_swing_v = 0.10;       // single-ended read bitline
  c.retention_us = 3.35;        // 002 Fig. 18: 3.35 us at 100 C, 30 us at -30 C
  c.retention_temp_k = 373.15;
  c.retention_halving_k = 130.0 * std::log(2.0) / std::log(30.0 / 3.35);  // ~41 K
  c.sources = {{"area_f2", "002 (CAMEL) Sec. VI: eDRAM 1 Mbit = 0.5 x SRAM at 16 nm"},
               {"retention_us", "002 Fig. 18: 3.35 us at 373 K ... 30 us at 243 K (exponential fit)"}};
  return c;
}

Cell dram() {
  Cell c;
  c.tech = "dram";
  c.area_f2 = 6.0;  // 6F^2 1T1C (Keeth et al., DRAM Circuit Design, 2nd ed., 2008, ch. 1)
  c.aspect_ratio = 1.5;
  c.access_width_f = 1.0;
  c.sense = SenseMode::kVoltage;
  c.sense_swing_v = 0.08;
  c.storage_cap_ff = 20.0;      // ~20 fF per cell (Keeth et al.; ITRS DRAM tables)
  c.destructive_read = true;
  c.retention_us = 64000.0;     // JEDEC 64 ms refresh window at 85 C; halves per 10 K above it
  c.retention_temp_k = 358.15;
  c.retention_halving_k = 10.0;
  c.sources = {{"area_f2", "Keeth et al. DRAM Circuit Design 2008: 6F^2 cell"},
               {"retention_us", "JEDEC JESD79-4 (DDR4): 64 ms at <= 85 C, 2x refresh above"}};
  return c;
}

Cell mram(bool sot) {
  Cell c;
  c.tech = sot ? "sot" : "stt";
  c.area_f2 = (sot ? 0.29 : 0.34) * kSramF2;  // 003 Table I, normalised to the foundry cell
  c.aspect_ratio = 1.0;
  c.access_width_f = sot ? 4.5 : 18.0;        // 003 Table I fin counts: SOT 1 read fin, STT 4
  c.separate_read_path = sot;
  // A 2T-1MTJ SOT cell with its own write wordline would gate the 3-fin write device there
  // (003 Table I fin counts): `--cell write_access_width_f=13.5`. Off by default: NVSim, which 003
  // ran, has one wordline per row, and the second driver column makes SOT's periphery as heavy as
  // STT's (docs/array_model.md, "Separate write wordline").
  c.sense = SenseMode::kCurrent;
  c.sense_latency_ns = 0.650;                  // 003 Table I
  c.sense_energy_pj = sot ? 0.020 : 0.076;     // 003 Table I
  c.read_voltage_v = 0.1;
  c.read_current_ua = sot ? 8.0 : 25.0;        // TMR ~100 % pMTJ with 1 / 4 fin access device
  c.set_latency_ns = sot ? 0.313 : 8.400;      // 003 Table I
  c.reset_latency_ns = sot ? 0.243 : 7.780;
  c.set_energy_pj = sot ? 0.08 : 1.1;
  c.reset_energy_pj = sot ? 0.08 : 2.2;
  c.non_volatile = true;
  c.sources = {{"area_f2", "003 Table I (0.34 / 0.29 x foundry SRAM cell)"},
               {"sense_latency_ns", "003 Table I"}, {"sense_energy_pj", "003 Table I"},
               {"set_latency_ns", "003 Table I"}, {"reset_latency_ns", "003 Table I"},
               {"set_energy_pj", "003 Table I"}, {"reset_energy_pj", "003 Table I"},
               {"access_width_f", "003 Table I fin counts"},
               {"write_access_width_f", "0: one wordline as in NVSim/003; 13.5 F = 003 Table I's 3 write fins on a separate write wordline"},
               {"read_current_ua", "estimate: 0.1 V over R_P ~3 kohm / R_AP ~6 kohm plus access device"}};
  return c;
}

Cell rram() {
  Cell c;
  c.tech = "rram";
  c.max_bits_per_cell = 3;
  c.area_f2 = 53.0;             // 001 Table 1, [42] 40 nm 1T1R (001's SLC RRAM baseline)
  c.aspect_ratio = 1.0;
  c.access_width_f = 4.0;
  c.sense = SenseMode::kCurrent;
  c.sense_latency_ns = 1.0;     // current SA resolution; macro read 6.8-10 ns (001 Table 1)
  c.sense_energy_pj = 0.05;
  c.read_voltage_v = 0.2;
  c.read_current_ua = 18.0;     // 0.2 V over 10 kohm / 100 kohm
  c.set_latency_ns = 100.0;     // single pulse; MLC program-and-verify 160-640 ns (001 Sec. 5, [68])
  c.reset_latency_ns = 100.0;
  c.set_energy_pj = 7.5;        // ~50 uA x 1.5 V x 100 ns
  c.reset_energy_pj = 7.5;
  c.non_volatile = true;
  c.sources = {{"area_f2", "001 Table 1 ([42], 53 F^2)"},
               {"set_latency_ns", "001 Sec. 5: MLC-RRAM 160-640 ns [68]; SLC single pulse estimate"},
               {"sense_latency_ns", "001 Table 1: macro read 6.8 ns (28 nm) / 10 ns (40 nm)"}};
  return c;
}

Cell ctt() {
  Cell c;
  c.tech = "ctt";
  c.max_bits_per_cell = 3;      // 001 Sec. 2.2: MLC3 measured on a 16 nm test chip
  c.area_f2 = 20.0;             // one logic NMOS in a NOR array with shared contacts (001 Sec. 2.1)
  c.aspect_ratio = 1.0;
  c.access_width_f = 4.5;
  c.sense = SenseMode::kCurrent;
  c.sense_latency_ns = 0.8;
  c.sense_energy_pj = 0.03;
  c.read_voltage_v = 0.1;
  c.read_current_ua = 10.0;     // 001 Fig. 2b: level currents spread over ~10 uA at 0.8 V WL
  c.set_latency_ns = 1.0e6;     // SLC: order of ms (001 Sec. 5, [35]); MLC: 100 ms (001 Sec. 2.2)
  c.reset_latency_ns = 1.0e6;
  c.set_energy_pj = 1000.0;     // estimate: hot-carrier injection ~1.5 V x 10 uA x ~70 us effective
  c.reset_energy_pj = 1000.0;
  c.non_volatile = true;
  c.sources = {{"area_f2", "estimate: NOR-ROM-like logic transistor (001 Sec. 2.1), NOR flash ~10 F^2 x 2 for logic rules"},
               {"set_latency_ns", "001 Sec. 5 ('order of ms') and Sec. 2.2 ('100 ms or more' for MLC)"},
               {"max_bits_per_cell", "001 Sec. 2.2 (MLC3 test chip)"}};
  return c;
}

Cell pcm() {
  Cell c;
  c.tech = "pcm";
  c.max_bits_per_cell = 2;      // 001 Table 1 [13]: MLC-PCM
  c.area_f2 = 25.0;             // 001 Table 1 [13], CMOS access
  c.aspect_ratio = 1.0;
  c.access_width_f = 6.0;
  c.sense = SenseMode::kCurrent;
  c.sense_latency_ns = 1.5;
  c.sense_energy_pj = 0.05;
  c.read_voltage_v = 0.2;
  c.read_current_ua = 19.0;     // 0.2 V over 10 kohm / 1 Mohm
  c.set_latency_ns = 150.0;     // 001 Table 1 [12]: 150 ns
  c.reset_latency_ns = 50.0;
  c.set_energy_pj = 13.5;       // Lee et al., ISCA 2009 (Architecting PCM as scalable DRAM alternative)
  c.reset_energy_pj = 19.2;
  c.non_volatile = true;
  c.sources = {{"area_f2", "001 Table 1 [13] 25 F^2"}, {"set_latency_ns", "001 Table 1 [12]"},
               {"set_energy_pj", "Lee et al. ISCA 2009"}};
  return c;
}

struct Field {
  const char* name;
  double Cell::*member;
  const char* unit;
  const char* doc;
};

const std::vector<Field>& fields() {
  static const std::vector<Field> kFields = {
      {"area_f2", &Cell::area_f2, "F^2", "cell area"},
      {"aspect_ratio", &Cell::aspect_ratio, "", "cell height / width"},
      {"access_width_f", &Cell::access_width_f, "F", "read-path access device width"},
      {"write_access_width_f", &Cell::write_access_width_f, "F", "write device on a separate write wordline (0: none)"},
      {"sense_swing_v", &Cell::sense_swing_v, "V", "voltage sensing: bitline differential"},
      {"sense_latency_ns", &Cell::sense_latency_ns, "ns", "current sensing: intrinsic sense time"},
      {"sense_energy_pj", &Cell::sense_energy_pj, "pJ", "current sensing: energy per sensed cell"},
      {"read_current_ua", &Cell::read_current_ua, "uA", "current sensing: on/off current window"},
      {"read_voltage_v", &Cell::read_voltage_v, "V", "current sensing: bitline clamp"},
      {"set_latency_ns", &Cell::set_latency_ns, "ns", "set pulse (SLC)"},
      {"reset_latency_ns", &Cell::reset_latency_ns, "ns", "reset pulse (SLC)"},
      {"set_energy_pj", &Cell::set_energy_pj, "pJ", "set energy per switched cell"},
      {"reset_energy_pj", &Cell::reset_energy_pj, "pJ", "reset energy per switched cell"},
      {"cell_leak_width_f", &Cell::cell_leak_width_f, "F", "leaking width per cell"},
      {"retention_us", &Cell::retention_us, "us", "retention at retention_temp_k (0 = none)"},
      {"storage_cap_ff", &Cell::storage_cap_ff, "fF", "1T1C storage capacitor"},
  };
  return kFields;
}

struct Builtin {
  Cell cell;
  const char* description;
};

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> kBuiltins = {
      {sram(), "6T SRAM, 16 nm foundry cell (voltage sensing)"},
      {edram3t(), "3T gain-cell eDRAM (002), refresh from retention vs temperature"},
      {dram(), "1T1C DRAM, 6F^2, destructive read, 64 ms refresh"},
      {mram(false), "STT-MRAM 1T1MTJ (003 Table I), current sensing"},
      {mram(true), "SOT-MRAM, separate read/write paths (003 Table I)"},
      {rram(), "RRAM 1T1R SLC/MLC (001 Table 1), parallel MLC sensing"},
      {ctt(), "charge-trap transistor, MLC up to 3 bits (001 Sec. 2)"},
      {pcm(), "PCM 1T1R SLC/MLC2 (001 Table 1)"},
  };
  return kBuiltins;
}

std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace
namespace {
ParamSchema schema_for(const Cell& c);
}  // namespace

double Cell::write_current_ua(const Technology& t) const {
  double i = 0;
  if (set_latency_ns > 0) i = std::max(i, set_energy_pj / (t.vdd_v * set_latency_ns) * 1e3);
  if (reset_latency_ns > 0) i = std::max(i, reset_energy_pj / (t.vdd_v * reset_latency_ns) * 1e3);
  return i;
}

double Cell::write_latency_ns() const {
  const double pulse = std::max(set_latency_ns, reset_latency_ns);
  if (bits_per_cell <= 1) return pulse;
  // MLC program-and-verify: 001 Sec. 5 quotes 160-640 ns for 2-3 bit RRAM against ~100 ns pulses,
  // i.e. ~2^(b-1) pulse+verify rounds; CTT MLC takes 100 ms (001 Sec. 2.2) = 100 x the SLC pulse.
  if (tech == "ctt") return 100.0 * pulse;
  return pulse * std::pow(2.0, bits_per_cell - 1) * 1.6;
}

double Cell::write_energy_per_cell_pj() const {
  // Random data: half the cells change state, half of those set and half reset; cells that keep
  // their value are not pulsed (data-comparison write, Zhou et al., ISLPED 2009 "early write
  // termination"). MLC iterations scale the energy like the latency.
  const double e = 0.5 * 0.5 * (set_energy_pj + reset_energy_pj);
  const double slc_pulse = std::max(set_latency_ns, reset_latency_ns);
  return slc_pulse > 0 ? e * write_latency_ns() / slc_pulse : e;
}

double Cell::worst_case_write_energy_per_cell_pj() const {
  const double e = std::max(set_energy_pj, reset_energy_pj);
  const double slc_pulse = std::max(set_latency_ns, reset_latency_ns);
  return slc_pulse > 0 ? e * write_latency_ns() / slc_pulse : e;
}

double Cell::retention_at_us(double temperature_k) const {
  if (retention_us <= 0) return 0;
  return retention_us * std::pow(2.0, (retention_temp_k - temperature_k) / retention_halving_k);
}

void Cell::validate() const {
  auto need = [&](bool ok, const std::string& key, double v, const std::string& expected) {
    if (!ok) throw Error("cell " + tech + "." + key + ": " + fmt(v) + " is invalid; expected " + expected);
  };
  need(bits_per_cell >= 1 && bits_per_cell <= max_bits_per_cell, "bits_per_cell", bits_per_cell,
       "1.." + std::to_string(max_bits_per_cell) + " for " + tech);
  need(area_f2 >= 4.0 && area_f2 <= 2000.0, "area_f2", area_f2, "4..2000 F^2 (4 F^2 is the crosspoint limit)");
  need(aspect_ratio >= 0.1 && aspect_ratio <= 10.0, "aspect_ratio", aspect_ratio, "0.1..10");
  need(access_width_f > 0 && access_width_f <= 100, "access_width_f", access_width_f, "0 < w <= 100 F");
  need(write_access_width_f >= 0 && write_access_width_f <= 100, "write_access_width_f", write_access_width_f,
       "0 (no separate write wordline) .. 100 F");
  if (sense == SenseMode::kVoltage) {
    need(sense_swing_v > 0 && sense_swing_v < 0.5, "sense_swing_v", sense_swing_v, "0 < swing < 0.5 V");
  } else {
    need(sense_latency_ns > 0, "sense_latency_ns", sense_latency_ns, "> 0 ns for a current-sensed cell");
    need(sense_energy_pj >= 0, "sense_energy_pj", sense_energy_pj, ">= 0 pJ");
    need(read_current_ua > 0, "read_current_ua", read_current_ua, "> 0 uA");
    need(read_voltage_v > 0 && read_voltage_v < 1.0, "read_voltage_v", read_voltage_v, "0 < V < 1 V");
    need(set_latency_ns > 0, "set_latency_ns", set_latency_ns, "> 0 ns for a non-volatile cell");
    need(reset_latency_ns > 0, "reset_latency_ns", reset_latency_ns, "> 0 ns for a non-volatile cell");
  }
  need(set_energy_pj >= 0, "set_energy_pj", set_energy_pj, ">= 0 pJ");
  need(reset_energy_pj >= 0, "reset_energy_pj", reset_energy_pj, ">= 0 pJ");
  need(cell_leak_width_f >= 0, "cell_leak_width_f", cell_leak_width_f, ">= 0 F");
  need(retention_us >= 0, "retention_us", retention_us, ">= 0 us");
  if (destructive_read) need(storage_cap_ff > 0, "storage_cap_ff", storage_cap_ff, "> 0 fF for 1T1C");
  if (non_volatile && retention_us > 0)
    throw Error("cell " + tech + ": retention_us is set but the cell is non-volatile; expected 0");
}

namespace {
ParamSchema schema_for(const Cell& c) {
  auto spec = [&c](const char* name) -> ParamSpec {
    for (const auto& f : fields()) {
      if (std::string(f.name) != name) continue;
      std::string doc = f.doc;
      auto src = c.sources.find(f.name);
      if (src != c.sources.end()) doc += " [" + src->second + "]";
      return {f.name, ParamType::kDouble, fmt(c.*(f.member)), f.unit, doc};
    }
    throw InternalError(std::string("cell field missing: ") + name);
  };
  // Written out (ParamSchema takes an initializer list); fields() is the one list of names.
  return ParamSchema{ParamSpec{"bits_per_cell", ParamType::kInt, "1", "bit", "bits per cell"}.in(1, c.max_bits_per_cell),
                     spec("area_f2"), spec("aspect_ratio"), spec("access_width_f"), spec("write_access_width_f"),
                     spec("sense_swing_v"),
                     spec("sense_latency_ns"), spec("sense_energy_pj"), spec("read_current_ua"),
                     spec("read_voltage_v"), spec("set_latency_ns"), spec("reset_latency_ns"),
                     spec("set_energy_pj"), spec("reset_energy_pj"), spec("cell_leak_width_f"),
                     spec("retention_us"), spec("storage_cap_ff")};
}

}  // namespace

const Registry<Cell>& array_technology_registry() {
  static const Registry<Cell> kRegistry = [] {
    std::vector<Implementation<Cell>> v;
    for (std::size_t i = 0; i < builtins().size(); ++i) {
      const auto& b = builtins()[i];
      v.push_back({{b.cell.tech, b.description, schema_for(b.cell), {}}, [i](const ParamValues& values) {
                     Cell c = builtins()[i].cell;
                     c.bits_per_cell = static_cast<int>(values.get_int("bits_per_cell"));
                     for (const auto& f : fields()) c.*(f.member) = values.get_double(f.name);
                     c.validate();
                     return c;
                   }});
    }
    return Registry<Cell>("array technology", std::move(v));
  }();
  return kRegistry;
}

Cell make_cell(const std::string& name, const std::map<std::string, std::string>& overrides) {
  return array_technology_registry().make(name, overrides);
}

}  // namespace memlapse::memory
