// Peripheral circuits. Equations:
//  - Gate delay: Horowitz, "Timing models for MOS circuits", Stanford TR SEL83-003, 1983:
//    t = tf * sqrt(ln(vs)^2 + 2 a b (1 - vs)), a = t_ramp / tf, b = 0.5, vs = 0.5.
//  - Buffer sizing: logical effort (Sutherland, Sproull, Harris 1999), stage effort ~4.
//  - Distributed RC: Elmore delay 0.38 R C of a uniform line plus 0.69 R_drv C (Rabaey, Digital
//    Integrated Circuits, 2nd ed., ch. 4).
//  - Repeated wires: Bakoglu & Meindl, IEEE TED 32(5), 1985: optimum repeater size
//    h = sqrt(R0 c / (r C0)), spacing k = sqrt(2 R0 C0 / (r c)); delay per length ~ 2.5 sqrt(R0 C0 r c).
//  - Decoders: predecode + NAND + driver as in CACTI 6.0 (HPL-2009-85, Sec. 2.5) and NVSim (TCAD 2012).
#include "memlapse/memory/circuits.h"

#include <algorithm>
#include <cmath>

namespace memlapse::memory {
namespace {

// Input capacitance of an inverter with NMOS width wn (PMOS 2x), fF.
double inv_cin_ff(const Technology& t, double wn_um) { return 3.0 * wn_um * t.c_gate_ff_per_um; }

// Input capacitance of a row NAND input: stacked NMOS at 2x minimum width, 1.5x for the PMOS share.
double nand_cin_ff(const Technology& t) { return 2.0 * t.min_width_um() * t.c_gate_ff_per_um * 1.5; }

}  // namespace

double horowitz_ns(double tf_ns, double ramp_ns) {
  if (tf_ns <= 0) return 0;
  const double vs = 0.5, b = 0.5;
  const double a = ramp_ns / tf_ns;
  return tf_ns * std::sqrt(std::log(vs) * std::log(vs) + 2.0 * a * b * (1.0 - vs));
}

Block driver_chain(const Technology& t, double c_in_ff, double c_load_ff, double stage_effort) {
  Block b;
  const double wmin = t.min_width_um();
  c_in_ff = std::max(c_in_ff, inv_cin_ff(t, wmin));
  const double effort = std::max(c_load_ff / c_in_ff, 1.0);
  const int stages = std::max(1, static_cast<int>(std::lround(std::log(effort) / std::log(std::max(2.0, stage_effort)))));
  const double f = std::pow(effort, 1.0 / stages);
  double c = c_in_ff, ramp = 0;
  for (int i = 0; i < stages; ++i) {
    const double wn = c / (3.0 * t.c_gate_ff_per_um);
    const double r = t.r_on_n_ohm(wn);
    const double c_self = 3.0 * wn * t.c_drain_ff_per_um;
    const double c_next = (i + 1 == stages) ? c_load_ff : c * f;
    const double tf = r * (c_self + c_next) * 1e-6;  // ohm * fF = 1e-15 s = 1e-6 ns
    const double d = horowitz_ns(tf, ramp);
    b.delay_ns += d;
    ramp = d / (1.0 - 0.5);
    b.energy_pj += (c_self + c_next) * t.vdd_v * t.vdd_v * 1e-3;  // fF V^2 = 1e-3 pJ
    b.area_um2 += t.transistor_area_um2(wn) + t.transistor_area_um2(2.0 * wn);
    b.leak_width_um += wn;  // static state: NMOS (wn) or PMOS (2wn at half the leakage) off
    b.r_out_ohm = r;
    c = c_next;
  }
  return b;
}

Block repeated_wire(const Technology& t, const Wire& w, double length_um) {
  Block b;
  if (length_um <= 0) return b;
  const double wn = t.min_width_um();
  const double r0 = t.r_on_n_ohm(wn);
  const double c0 = inv_cin_ff(t, wn) * 1e-15;
  const double r = w.r_ohm_per_um, c = w.c_ff_per_um * 1e-15;
  const double h = std::sqrt(r0 * c / (r * c0));
  const double k_um = std::sqrt(2.0 * r0 * c0 / (r * c));
  const double n_rep = std::max(1.0, length_um / k_um);
  b.delay_ns = 2.5 * std::sqrt(r0 * c0 * r * c) * length_um * 1e9;
  const double c_total_ff = (c * length_um + n_rep * h * c0 * (1.0 + t.c_drain_ff_per_um / t.c_gate_ff_per_um)) * 1e15;
  b.energy_pj = c_total_ff * t.vdd_v * t.vdd_v * 1e-3;
  b.area_um2 = n_rep * (t.transistor_area_um2(h * wn) + t.transistor_area_um2(2.0 * h * wn));
  b.leak_width_um = n_rep * h * wn;
  b.r_out_ohm = r0 / h;
  return b;
}

Block unrepeated_wire(const Technology& t, const Wire& w, double length_um) {
  Block b;
  if (length_um <= 0) return b;
  const double rc_ns_per_um2 = w.r_ohm_per_um * w.c_ff_per_um * 1e-6;  // ohm fF = 1e-6 ns
  b.delay_ns = 2.3 * rc_ns_per_um2 * length_um * length_um / 2.0;
  b.energy_pj = w.c_ff_per_um * length_um * t.vdd_v * t.vdd_v * 1e-3;
  b.r_out_ohm = w.r_ohm_per_um * length_um;
  return b;
}

IvConverter current_sense_iv_converter(const Technology& t) {
  // Values by node exactly as NVSim's SenseAmp::CalculatePower (its 45 nm leakage, 4.41 nW, is
  // ~30x below its 65 and 32 nm neighbours; it is kept as published: ~1 mW per 10^5 amplifiers).
  IvConverter iv{};
  if (t.node_nm >= 44) iv.energy_pj = 0.1026, iv.leakage_nw = 4.41;
  else if (t.node_nm >= 31) iv.energy_pj = 0.1256, iv.leakage_nw = 125.4;
  else iv.energy_pj = 0.15, iv.leakage_nw = 150.0;
  return iv;
}

Block wordline_driver(const Technology& t, double c_wl_ff, double stage_effort) {
  return driver_chain(t, nand_cin_ff(t), c_wl_ff, stage_effort);
}

Block row_decoder(const Technology& t, int rows, double height_um, double c_wl_ff, double r_wl_ohm,
                  double stage_effort) {
  Block b;
  const int addr_bits = std::max(1, static_cast<int>(std::lround(std::log2(rows))));
  const double wmin = t.min_width_um();
  const double c_nand_in = nand_cin_ff(t);
  // Predecode: blocks of 3 (or 2) bits; each predecoded line fans out to rows/8 (or rows/4) NANDs
  // spread along the subarray height (semi-global wire, Elmore distributed RC).
  const int groups = (addr_bits + 2) / 3;
  const double fanout_rows = rows / std::pow(2.0, std::min(3, addr_bits));
  const double c_line = fanout_rows * c_nand_in + t.semi_global.c_ff_per_um * height_um;
  const double r_line = t.semi_global.r_ohm_per_um * height_um;
  Block pre = driver_chain(t, inv_cin_ff(t, wmin), c_line);
  pre.delay_ns += 0.38 * r_line * c_line * 1e-6 + horowitz_ns(t.tau_ns() * 2.0, 0);  // + NAND3 stage
  // Row gate + wordline driver into the distributed wordline.
  Block wl = wordline_driver(t, c_wl_ff, stage_effort);
  const double wl_rc_ns = 0.38 * r_wl_ohm * c_wl_ff * 1e-6;
  b.delay_ns = pre.delay_ns + wl.delay_ns + wl_rc_ns;
  b.energy_pj = groups * 2.0 * pre.energy_pj + wl.energy_pj;  // one line rises, one falls per group
  const int pre_lines = groups * 8;
  b.area_um2 = pre_lines * pre.area_um2 + rows * (wl.area_um2 + 2.0 * t.transistor_area_um2(2.0 * wmin));
  b.leak_width_um = pre_lines * pre.leak_width_um + rows * (wl.leak_width_um + wmin);
  b.r_out_ohm = wl.r_out_ohm;
  return b;
}

}  // namespace memlapse::memory
