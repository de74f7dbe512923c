// Array model equations (per subarray, then mats and bank). Sources:
//  - Organization bank/mat/subarray, H-tree, predecode: CACTI 6.0 tech report (HPL-2009-85, Sec. 2)
//    and NVSim (Dong et al., TCAD 31(7) 2012, Sec. III-IV).
//  - Voltage-sense bitline: t = C_bl dV / I_cell + 0.38 R_bl C_bl (Elmore), energy C_bl Vdd dV per
//    column on the open row (CACTI Sec. 2.6). 1T1C: charge sharing dV = Vdd/2 Cs/(Cs + C_bl), full
//    restore (Keeth et al. 2008, ch. 2).
//  - Current sensing (MRAM/RRAM/PCM/CTT): clamped bitline, t = t_sense + C_bl dV_cs / dI_level +
//    0.38 R C, dV_cs = 25 mV (003 Sec. III-A sense definition); MLC parallel sensing with 2^b - 1
//    amplifiers per sensed column and dI_level = dI / (2^b - 1) (001 Sec. 2.3).
//  - Refresh: every row read and rewritten once per retention period (002 Sec. I for 3T cells).
#include "memlapse/memory/array.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/memory/circuits.h"

namespace memlapse::memory {
namespace {

constexpr double kCurrentSenseSwingV = 0.025;  // 003 Sec. III-A

bool is_pow2(long long v) { return v > 0 && (v & (v - 1)) == 0; }

// Total routed H-tree wire length (um x wires) of a mats_r x mats_c grid of bank_w x bank_h um with
// `active_mats` mats delivering `data_bits` together; address/control bits `addr_bits` at the root.
double htree_wire_length_um(const Organization& o, double bank_w, double bank_h, double active_mats,
                            double data_bits, double addr_bits) {
  int lh = static_cast<int>(std::lround(std::log2(o.mats_c)));
  int lv = static_cast<int>(std::lround(std::log2(o.mats_r)));
  double seg_w = bank_w / 2, seg_h = bank_h / 2;  // trunk from the port to the centre, then halves
  double total = (data_bits + addr_bits) * seg_h;  // port (bottom edge) to the centre
  double segments = 1, act = std::max(1.0, active_mats);
  bool horizontal = true;
  while (lh > 0 || lv > 0) {
    if ((horizontal && lh == 0) || (!horizontal && lv == 0)) horizontal = !horizontal;
    const double len = horizontal ? (seg_w /= 2) : (seg_h /= 2);
    segments *= 2;
    if (act > 1) act /= 2, data_bits = std::max(1.0, data_bits / 2);
    else addr_bits = std::max(1.0, addr_bits - 1);
    total += segments * len * (data_bits + addr_bits);
    (horizontal ? lh : lv)--;
    horizontal = !horizontal;
  }
  return total;
}

// NVSim's cache write bookkeeping (WriteAccounting::kNvsim): SubArray::CalculatePower divides the
// subarray write energy by the associativity unless the cache is sequential; BankWithHtree divides
// the H-tree's in fast mode ("only 1/A wires are activated in fast mode cache write"). Both tag and
// data arrays are cache arrays there.
void apply_write_accounting(const ArraySpec& s, ArrayDuty& d) {
  if (!s.cache || s.write_accounting != WriteAccounting::kNvsim) return;
  d.worst_case_cell_write = true;
  if (s.mode != AccessMode::kSequential) d.write_array_divisor = s.assoc;
  if (s.mode == AccessMode::kFast) d.write_wire_divisor = s.assoc;
}

Evaluation fail(const std::string& why) {
  Evaluation e;
  e.ok = false;
  e.why = why;
  return e;
}

}  // namespace

const char* to_string(AccessMode m) {
  switch (m) {
    case AccessMode::kNormal: return "normal";
    case AccessMode::kFast: return "fast";
    case AccessMode::kSequential: return "sequential";
  }
  return "?";
}

const char* to_string(WriteAccounting w) { return w == WriteAccounting::kNvsim ? "nvsim" : "physical"; }

WriteAccounting parse_write_accounting(const std::string& name) {
  if (name == "physical") return WriteAccounting::kPhysical;
  if (name == "nvsim") return WriteAccounting::kNvsim;
  throw Error("write accounting: '" + name + "' is unknown; expected physical or nvsim");
}

std::string to_string(const Organization& o) {
  std::ostringstream s;
  s << o.mats_r << "x" << o.mats_c << " mats, " << o.subarrays_per_mat << " subarrays/mat, " << o.rows << "x"
    << o.cols << " subarray, mux " << o.mux << ", driver effort " << o.driver_effort
    << (o.htree_repeaters ? ", repeated H-tree" : "");
  return s.str();
}

ArraySpec ram_spec(const std::string& tech, int node_nm, double capacity_bytes, int word_bits) {
  ArraySpec s;
  s.cell = make_cell(tech);
  technology_for_node(node_nm);
  s.node_nm = node_nm;
  s.capacity_bytes = capacity_bytes;
  s.word_bits = word_bits;
  return s;
}

Evaluation evaluate_plain(const Technology& t, const Cell& c, double temperature_k, const ArrayDuty& d,
                          const Organization& o) {
  const int b = c.bits_per_cell;
  if (!is_pow2(o.rows) || !is_pow2(o.cols) || !is_pow2(o.mux) || o.mux > o.cols) return fail("rows/cols/mux");
  if (o.driver_effort < 2 || o.driver_effort > 32) return fail("driver effort outside 2..32");
  const double cells_per_sa = double(o.rows) * o.cols;
  const double n_sa = d.cells / cells_per_sa;
  if (n_sa < 1 || n_sa != std::floor(n_sa)) return fail("capacity is not a whole number of subarrays");
  const long long n_mat = static_cast<long long>(n_sa) / o.subarrays_per_mat;
  if (n_mat * o.subarrays_per_mat != static_cast<long long>(n_sa) || n_mat != 1LL * o.mats_r * o.mats_c)
    return fail("mat grid does not hold the subarrays");
  const int sensed_cols = o.cols / o.mux;
  // MLC: a word of read_bits needs ceil(read_bits / b) cells; subarrays deliver sensed_cols each.
  const double cells_needed = std::ceil(double(d.read_bits) / b);
  if (sensed_cols > cells_needed * 2 - 1) return fail("a subarray senses more than the word");
  const double active_r = std::ceil(cells_needed / sensed_cols);
  if (active_r > n_sa) return fail("read width exceeds the array");
  const double active_w = std::max(1.0, std::ceil(double(d.write_bits) / b) / sensed_cols);
  const double written_cols_per_sa = std::min<double>(sensed_cols, std::ceil(double(d.write_bits) / b));

  // Geometry.
  const double a_cell = c.area_um2(t);
  const double w_cell = std::sqrt(a_cell / c.aspect_ratio), h_cell = c.aspect_ratio * w_cell;
  const double acc_w_um = c.access_width_f * t.feature_um;
  const double wmin = t.min_width_um();
  const double vdd = t.vdd_v;
  const int levels = (1 << b) - 1;

  // Wordline: SRAM gates two access devices per cell.
  const double gates_per_cell = c.tech == "sram" ? 2.0 : 1.0;
  const double c_wl = o.cols * (gates_per_cell * acc_w_um * t.c_gate_ff_per_um + t.local.c_ff_per_um * w_cell);
  const double r_wl = t.local.r_ohm_per_um * o.cols * w_cell;
  const double h_cells = o.rows * h_cell, w_cells = o.cols * w_cell;
  const Block dec = row_decoder(t, o.rows, h_cells, c_wl, r_wl, o.driver_effort);
  // A separate write wordline (SOT 2T-1MTJ, 3T eDRAM) gates the write device of every cell in the
  // row and needs its own driver per row; the shared predecoder and row gate pick read or write
  // wordline. Writes see this decoder path; area and leakage count both drivers in every row.
  const bool split_wl = c.write_access_width_f > 0;
  const double wr_w_um = split_wl ? c.write_access_width_f * t.feature_um : acc_w_um;  // on the written bitline
  Block dec_w = dec;
  double wwl_area_um2 = 0, wwl_leak_um = 0;
  if (split_wl) {
    const double c_wwl = o.cols * (wr_w_um * t.c_gate_ff_per_um + t.local.c_ff_per_um * w_cell);
    dec_w = row_decoder(t, o.rows, h_cells, c_wwl, r_wl, o.driver_effort);
    const Block wwl = wordline_driver(t, c_wwl, o.driver_effort);
    wwl_area_um2 = o.rows * wwl.area_um2;
    wwl_leak_um = o.rows * wwl.leak_width_um;
  }

  // Column mux (pass gates) and bitline.
  const double w_pass = 4.0 * wmin;
  const double c_sa_in = 4.0 * wmin * t.c_gate_ff_per_um;
  const double c_bl = o.rows * (0.5 * acc_w_um * t.c_drain_ff_per_um + t.local.c_ff_per_um * h_cell) +
                      w_pass * t.c_drain_ff_per_um;
  const double r_bl = t.local.r_ohm_per_um * h_cells;
  const double t_bl_rc = 0.38 * r_bl * c_bl * 1e-6;
  // The bitline a write drives carries the write devices' drains (SOT's write path: 3 fins).
  const double c_wbl = split_wl ? c_bl + o.rows * 0.5 * (wr_w_um - acc_w_um) * t.c_drain_ff_per_um : c_bl;
  const double c_mux = o.mux * w_pass * t.c_drain_ff_per_um + c_sa_in * (c.sense == SenseMode::kCurrent ? levels : 1);
  const double t_mux = o.mux > 1 ? horowitz_ns(t.r_on_n_ohm(w_pass) * c_mux * 1e-6, 0) : 0.0;

  double t_sense = 0, e_read_sa = 0, e_write_sa = 0, e_sa = 0, sa_area = 0, sa_leak = 0, iv_leak_mw = 0;
  const double tau_scale = t.tau_ns() / technology_for_node(16).tau_ns();
  if (c.sense == SenseMode::kVoltage) {
    double dv = c.sense_swing_v;
    if (c.destructive_read) {
      const double share = 0.5 * vdd * c.storage_cap_ff / (c.storage_cap_ff + c_bl);
      if (share < c.sense_swing_v) return fail("1T1C bitline too long: charge-sharing signal below the sense margin");
      const double r_acc = t.r_on_n_ohm(acc_w_um);
      const double c_series = c.storage_cap_ff * c_bl / (c.storage_cap_ff + c_bl);
      t_sense = 2.3 * r_acc * c_series * 1e-6 + t_bl_rc;
      e_read_sa = o.cols * c_bl * vdd * 0.5 * vdd * 1e-3;  // every column restored to full swing
    } else {
      const double i_cell_ua = 0.5 * t.ion_n_ua_per_um * acc_w_um;  // access + pull-down stack
      t_sense = c_bl * dv / i_cell_ua * 1e-6 + t_bl_rc;          // fF V / uA = 1e-9 s
      e_read_sa = o.cols * c_bl * vdd * 2.0 * dv * 1e-3;         // open row: all columns swing ~2 dV
    }
    t_sense += 4.0 * t.tau_ns() * std::log(vdd / dv);             // latch regeneration
    e_sa = sensed_cols * 12.0 * wmin * t.c_gate_ff_per_um * vdd * vdd * 1e-3;
    sa_area = sensed_cols * 12.0 * t.transistor_area_um2(2.0 * wmin);
    sa_leak = sensed_cols * 6.0 * 2.0 * wmin;
    e_write_sa = (o.cols - written_cols_per_sa) * c_bl * vdd * 2.0 * dv * 1e-3;  // half-selected columns
  } else {
    const double di_level = c.read_current_ua / levels;
    t_sense = c.sense_latency_ns * tau_scale + c_bl * kCurrentSenseSwingV / di_level * 1e-6 + t_bl_rc;
    // Each sensed cell is compared against a reference cell (or reference column) biased the same
    // way, so the cell-level sense energy is paid twice (NVSim, Dong et al. TCAD 2012, Sec. III-D:
    // "x2 because of the reference cell"); the current comparator ends in the same regenerative
    // latch as a voltage sense amplifier, whose energy is added per sensed column below.
    e_read_sa = sensed_cols * (c_bl * c.read_voltage_v * vdd * 1e-3 + 2.0 * c.sense_energy_pj * levels);
    e_sa = sensed_cols * levels * 12.0 * wmin * t.c_gate_ff_per_um * vdd * vdd * 1e-3;
    sa_area = sensed_cols * levels * 24.0 * t.transistor_area_um2(2.0 * wmin);
    sa_leak = sensed_cols * levels * 12.0 * 2.0 * wmin;
    // Each amplifier's I-V converter (clamp, load and reference branch) conducts for the whole
    // sensing window: NVSim's HSPICE energy and leakage per current-mode amplifier (SenseAmp.cpp).
    // 003 Table I's sense energy is the bitcell's own (Sec. III-A), so both are paid.
    const IvConverter iv = current_sense_iv_converter(t);
    e_sa += sensed_cols * levels * iv.energy_pj;
    iv_leak_mw = n_sa * sensed_cols * levels * iv.leakage_nw * 1e-6;
  }

  // Write drivers: one per sensed column, sized for the bitline and the cell's write current.
  const double i_write_ua = c.write_current_ua(t);
  const double w_wd_n = std::max(4.0 * wmin, 1.5 * i_write_ua / t.ion_n_ua_per_um);
  const double c_wd_load = std::max(c_wbl, 3.0 * w_wd_n * t.c_gate_ff_per_um);
  const Block wd = driver_chain(t, 3.0 * wmin * t.c_gate_ff_per_um, c_wd_load, o.driver_effort);
  const double t_bl_drive = horowitz_ns(std::min(wd.r_out_ohm, t.r_on_n_ohm(w_wd_n)) * c_wbl * 1e-6, wd.delay_ns) + t_bl_rc;
  const double t_cell_write = c.sense == SenseMode::kVoltage ? 3.0 * t.tau_ns() : c.write_latency_ns();
  const double e_cell_pj = d.worst_case_cell_write ? c.worst_case_write_energy_per_cell_pj() : c.write_energy_per_cell_pj();
  const double e_write_cols = (written_cols_per_sa * (c_wbl * vdd * vdd * 1e-3 + wd.energy_pj) +
                               double(d.write_bits) / active_w * e_cell_pj / b) / d.write_array_divisor;

  // Subarray area: cells + decoder column + sense/mux/write/precharge strip.
  const double col_periph = sensed_cols * (wd.area_um2 + t.transistor_area_um2(w_pass) * o.mux) +
                            o.cols * 3.0 * t.transistor_area_um2(2.0 * wmin) + sa_area;
  const double sa_w = w_cells + (dec.area_um2 + wwl_area_um2) / h_cells;
  const double sa_h = h_cells + col_periph / w_cells;
  const double mat_w = sa_w * (o.subarrays_per_mat >= 2 ? 2 : 1);
  const double mat_h = sa_h * (o.subarrays_per_mat == 4 ? 2 : 1);
  const double bank_w = o.mats_c * mat_w, bank_h = o.mats_r * mat_h;

  // H-tree: from the bank port (bottom centre) to the farthest mat and back. NVSim's cache and RAM
  // configurations route it on the global layer without repeaters ("GlobalAggressive",
  // "RepeatedNone"; BankWithHtree.cpp, Wire.cpp): every level is its own segment, re-driven at its
  // branching node, with delay 2.3 r c L^2 / 2. The trunk runs half the bank height from the port
  // to the centre, then the horizontal and vertical branches halve level by level. Delay therefore
  // grows with the square of the bank side, i.e. linearly with capacity: a larger cell means a
  // longer, slower H-tree (003 Sec. IV-C: MRAM reads become faster than SRAM's past a few MB).
  const int levels_h = static_cast<int>(std::ceil(std::log2(double(o.mats_c)) - 1e-9));
  const int levels_v = static_cast<int>(std::ceil(std::log2(double(o.mats_r)) - 1e-9));
  const double l_htree = bank_w / 2 + bank_h;  // port to the farthest mat
  Block wire;
  if (o.htree_repeaters) {
    // CACTI 6.0's alternative: optimally repeated semi-global wires, delay ~ linear in length.
    wire = repeated_wire(t, t.semi_global, l_htree);
  } else {
    wire = unrepeated_wire(t, t.global, bank_h / 2);
    for (int i = 0; i < levels_h; ++i) wire.delay_ns += unrepeated_wire(t, t.global, bank_w / (4 << i)).delay_ns;
    for (int i = 0; i < levels_v; ++i) wire.delay_ns += unrepeated_wire(t, t.global, bank_h / (4 << i)).delay_ns;
    wire.energy_pj = unrepeated_wire(t, t.global, l_htree).energy_pj;
  }
  // Every branching node re-drives its branches (a 2-stage buffer, CACTI 6.0 Sec. 2.4): ~2 FO4
  // per level, FO4 ~ 5 tau (Harris & Sutherland 2003).
  wire.delay_ns += (levels_h + levels_v) * 2.0 * 5.0 * t.tau_ns();
  // Wiring, level by level as in NVSim's H-tree bank (Dong et al. TCAD 2012, Sec. IV-A; CACTI 6.0
  // Sec. 2.4): every segment carries the address bits still to decode plus the data bits of the
  // active mats below it. Data bits halve at a branching only while the active mats are split over
  // both branches; once one branch holds them all, every branch needs the full remaining width
  // (any mat may be the one addressed) and only the address shrinks by one bit. This is what makes
  // fine mat grids with a narrow access expensive in wiring area and leakage.
  const double htree_wire_um = htree_wire_length_um(o, bank_w, bank_h, active_r / o.subarrays_per_mat,
                                                    d.out_bits + d.in_bits, d.addr_bits + 8.0);
  const double wire_len_um = htree_wire_um;
  // Wires outside the mats are routed at CACTI 6.0's "outside-mat" pitch of 8F (HPL-2009-85,
  // Sec. 2.4 and its technology tables), not at the 4F pitch used inside a mat. Unrepeated wires
  // need no repeaters (NVSim counts neither area nor leakage for them); the branching-node drivers
  // are counted as one 4x-minimum inverter per wire and level on the path.
  const double wire_pitch_um = 8.0 * t.feature_um;
  double htree_area = wire_len_um * wire_pitch_um, htree_leak_w = 0;
  if (o.htree_repeaters) {
    const Block per_um = repeated_wire(t, t.semi_global, 1000.0);
    htree_area += per_um.area_um2 * wire_len_um / 1000.0;
    htree_leak_w = per_um.leak_width_um * wire_len_um / 1000.0;
  } else {
    const double node_drivers = (levels_h + levels_v + 1) * (d.out_bits + d.in_bits + d.addr_bits + 8.0);
    htree_area += node_drivers * (t.transistor_area_um2(4.0 * wmin) + t.transistor_area_um2(8.0 * wmin));
    htree_leak_w = node_drivers * 4.0 * wmin;
  }

  Evaluation e;
  e.ok = true;
  e.org = o;
  ArrayFigures& f = e.figures;
  f.width_um = bank_w;
  f.height_um = bank_h;
  f.area_mm2 = (bank_w * bank_h + htree_area) * 1e-6;
  f.area_efficiency = d.cells * a_cell * 1e-6 / f.area_mm2;
  f.read_latency_ns = wire.delay_ns + dec.delay_ns + t_sense + t_mux + wire.delay_ns;
  f.write_latency_ns = wire.delay_ns + std::max(dec_w.delay_ns, wd.delay_ns) + t_bl_drive + t_cell_write;
  // Unrepeated: each routed bit charges its wire once per access, c L Vdd^2 (NVSim BankWithHtree.cpp
  // counts every active H-tree wire at full swing). Repeated (CACTI): activity 0.5 per bit.
  const double e_wire = wire.energy_pj * (o.htree_repeaters ? 0.5 : 1.0);
  f.read_energy_nj = (active_r * (dec.energy_pj + e_read_sa + e_sa) + e_wire * (d.addr_bits + d.out_bits)) * 1e-3;
  f.write_energy_nj = (active_w * (dec_w.energy_pj + e_write_cols + e_write_sa) + e_wire * (d.addr_bits + d.in_bits) / d.write_wire_divisor) * 1e-3;

  double leak_w = n_sa * (dec.leak_width_um + wwl_leak_um + sa_leak + sensed_cols * wd.leak_width_um) + htree_leak_w;
  leak_w += d.cells * c.cell_leak_width_f * t.feature_um;
  const double ret_us = c.retention_at_us(temperature_k);
  if (ret_us > 0) {
    const double rows_total = n_sa * o.rows;
    const double e_row_pj = dec.energy_pj + e_read_sa + o.cols * c_bl * vdd * vdd * 1e-3;
    f.refresh_mw = rows_total * e_row_pj * 1e-12 / (ret_us * 1e-6) * 1e3;
  }
  f.leakage_mw = t.leakage_mw(leak_w, temperature_k) + iv_leak_mw + f.refresh_mw;
  e.data = f;
  return e;
}

int tag_bits(const ArraySpec& s) {
  const double sets = s.capacity_bytes / (double(s.line_bytes) * s.assoc);
  const int index_bits = static_cast<int>(std::ceil(std::log2(sets)));
  const int offset_bits = static_cast<int>(std::lround(std::log2(s.line_bytes)));
  return s.address_bits - index_bits - offset_bits + 2;  // + valid, dirty
}

ArrayDuty data_duty(const ArraySpec& s) {
  const double bits = s.capacity_bytes * 8.0;
  const int b = s.cell.bits_per_cell;
  if (!(s.capacity_bytes >= 64) || bits > 8.0 * 1024 * 1024 * 1024 * 8)
    throw Error("capacity: " + std::to_string(s.capacity_bytes) + " bytes is out of range 64 B .. 8 GB");
  if (std::fmod(bits, b) != 0)
    throw Error("capacity: not a whole number of " + std::to_string(b) + "-bit cells");
  ArrayDuty d;
  d.cells = bits / b;
  d.addr_bits = static_cast<int>(std::ceil(std::log2(s.capacity_bytes)));
  if (!s.cache) {
    if (s.word_bits < 8 || !is_pow2(s.word_bits) || s.word_bits > 8192)
      throw Error("word_bits: " + std::to_string(s.word_bits) + " is invalid; expected a power of two in 8..8192");
    if (std::fmod(bits, s.word_bits) != 0) throw Error("capacity: not a whole number of words");
    d.read_bits = d.write_bits = d.out_bits = d.in_bits = s.word_bits;
    return d;
  }
  if (!is_pow2(s.assoc) || s.assoc > 64) throw Error("assoc: " + std::to_string(s.assoc) + " is invalid; expected a power of two 1..64");
  if (!is_pow2(s.line_bytes) || s.line_bytes < 16 || s.line_bytes > 1024)
    throw Error("line_bytes: " + std::to_string(s.line_bytes) + " is invalid; expected a power of two 16..1024");
  if (!is_pow2(s.sector_bytes) || s.sector_bytes > s.line_bytes || s.sector_bytes < 4)
    throw Error("sector_bytes: " + std::to_string(s.sector_bytes) + " is invalid; expected a power of two 4..line_bytes");
  const double sets = s.capacity_bytes / (double(s.line_bytes) * s.assoc);
  if (sets < 1 || sets != std::floor(sets))
    throw Error("capacity: " + std::to_string(s.capacity_bytes) + " bytes is not a whole number of sets of " +
                std::to_string(s.assoc) + " x " + std::to_string(s.line_bytes) + " B lines");
  const int sector_bits = s.sector_bytes * 8;
  d.write_bits = d.in_bits = sector_bits;
  d.read_bits = s.mode == AccessMode::kSequential ? sector_bits : s.assoc * sector_bits;
  d.out_bits = s.mode == AccessMode::kFast ? s.assoc * sector_bits : sector_bits;
  apply_write_accounting(s, d);
  return d;
}

ArrayDuty tag_duty(const ArraySpec& s) {
  ArrayDuty d;
  if (!s.cache) return d;
  const int tb = tag_bits(s);
  const double entries = s.capacity_bytes / s.line_bytes;
  d.cells = entries * tb / s.cell.bits_per_cell;
  d.read_bits = d.out_bits = s.assoc * tb;  // all ways compared at the array edge
  d.write_bits = d.in_bits = tb;
  d.addr_bits = static_cast<int>(std::ceil(std::log2(entries / s.assoc)));
  apply_write_accounting(s, d);
  return d;
}

Evaluation combine(const ArraySpec& s, const Evaluation& data, const Evaluation& tag) {
  if (!s.cache) return data;
  Evaluation e = data;
  e.ok = data.ok && tag.ok;
  if (!e.ok) return e;
  e.data = data.figures;
  e.tag = tag.figures;
  e.tag_org = tag.org;
  const Technology& t = technology_for_node(s.node_nm);
  const ArrayFigures& dd = data.figures;
  const ArrayFigures& tt = tag.figures;
  // Comparator: XOR + log-depth AND tree over the tag bits; way multiplexer ~ 2 gate delays.
  const double t_cmp = 2.0 * t.tau_ns() * (2.0 + std::log2(double(tag_bits(s)))) * 1.5;
  const double t_waymux = 2.0 * 2.0 * t.tau_ns() * std::log2(double(s.assoc) + 1.0);
  ArrayFigures& f = e.figures;
  switch (s.mode) {
    case AccessMode::kNormal: f.read_latency_ns = std::max(tt.read_latency_ns + t_cmp, dd.read_latency_ns) + t_waymux; break;
    case AccessMode::kFast: f.read_latency_ns = std::max(tt.read_latency_ns + t_cmp, dd.read_latency_ns) + t_waymux; break;
    case AccessMode::kSequential: f.read_latency_ns = tt.read_latency_ns + t_cmp + dd.read_latency_ns; break;
  }
  f.write_latency_ns = std::max(tt.write_latency_ns, dd.write_latency_ns);  // a line fill: tag and data written together
  f.read_energy_nj = dd.read_energy_nj + tt.read_energy_nj;
  f.write_energy_nj = dd.write_energy_nj + tt.write_energy_nj;
  f.leakage_mw = dd.leakage_mw + tt.leakage_mw;
  f.refresh_mw = dd.refresh_mw + tt.refresh_mw;
  f.area_mm2 = dd.area_mm2 + tt.area_mm2;
  f.area_efficiency = (dd.area_efficiency * dd.area_mm2 + tt.area_efficiency * tt.area_mm2) / f.area_mm2;
  return e;
}

Evaluation evaluate(const ArraySpec& s, const Organization& o) {
  if (s.cache) throw Error("evaluate: cache specs need a tag organization; use the search");
  const Technology& t = technology_for_node(s.node_nm);
  return evaluate_plain(t, s.cell, s.temperature_k, data_duty(s), o);
}

}  // namespace memlapse::memory
