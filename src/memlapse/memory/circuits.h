#pragma once
// Peripheral circuit models shared by every array: Horowitz gate delay, logical-effort buffer
// chains, repeated wires, row decoders. Each returns delay, energy, area and leaking width so the
// array model only adds them up.
// Example:
//   const Technology& t = technology_for_node(22);
//   Block wl = driver_chain(t, /*c_in_ff=*/1.0, /*c_load_ff=*/80.0);   // wordline driver
//   double t_ns = wl.delay_ns;
#include "memlapse/memory/technology.h"

namespace memlapse::memory {

// Figures of one peripheral block for one access.
struct Block {
  double delay_ns = 0;
  double energy_pj = 0;      // per activation
  double area_um2 = 0;
  double leak_width_um = 0;  // total transistor width that leaks
  double r_out_ohm = 0;      // output resistance of the last stage
};

// Contract: Horowitz (1983) step/ramp delay of an RC stage with time constant tf_ns driven by an
// input ramp ramp_ns, switching threshold 0.5; equals 0.69*tf for a step input.
double horowitz_ns(double tf_ns, double ramp_ns);

// Contract: a chain of inverters from input capacitance c_in_ff to c_load_ff (both > 0), at least
// one stage, with stage effort ~stage_effort: 4 is the delay optimum (Sutherland-Sproull-Harris
// logical effort, 1999); larger efforts trade delay for area and energy (NVSim's buffer design
// targets latency-first / trade-off / area-first, Dong et al. TCAD 2012 Sec. V).
Block driver_chain(const Technology& t, double c_in_ff, double c_load_ff, double stage_effort = 4.0);

// Contract: an optimally repeated wire of length_um on layer `w` (Bakoglu & Meindl, IEEE TED 1985):
// delay, energy per transition and the repeaters' area and leaking width.
Block repeated_wire(const Technology& t, const Wire& w, double length_um);

// Contract: an unrepeated wire of length_um on layer `w`, driven at one end (NVSim's default global
// wire, "RepeatedNone", Wire.cpp): delay 2.3 r c L^2 / 2 (distributed line to the 90 % point),
// energy c L Vdd^2 per transition, no repeater area or leakage (routed on an upper metal layer).
Block unrepeated_wire(const Technology& t, const Wire& w, double length_um);

// The current-to-voltage converter in front of a current-mode sense amplifier's latch (the clamp,
// load and reference branch that turn the cell current into the latch's input differential).
// Its area is not taken from NVSim: NVSim's IV_CONVERTER_AREA (50,000 F^2, 12.8 um^2 at 16 nm,
// ~100 minimum transistors) is a placeholder marked "TO-DO" in its constant.h; the array model
// counts a current amplifier as 24 transistors instead.
struct IvConverter {
  double energy_pj;   // per sensing operation
  double leakage_nw;  // static, per amplifier
};
// Contract: NVSim's HSPICE-characterised I-V converter at node t (SenseAmp.cpp, Dong et al. TCAD
// 2012): energy 0.103 / 0.126 / 0.15 pJ and leakage 4.4 / 125 / 150 nW at >=44 / >=31 / <31 nm.
IvConverter current_sense_iv_converter(const Technology& t);

// Contract: one row's wordline driver chain, from the row NAND's output into c_wl_ff (the driver
// only, no wordline RC): the extra per-row cost of a second wordline (SOT, 3T eDRAM write wordline).
Block wordline_driver(const Technology& t, double c_wl_ff, double stage_effort = 4.0);

// Contract: the row decoder of a subarray with `rows` rows (power of two >= 2): a 2-/3-bit
// predecoder driving the row NANDs along `height_um`, then a wordline driver chain into a
// distributed wordline of c_wl_ff / r_wl_ohm (driver stage effort `stage_effort`). Area and leakage
// count every row's driver.
Block row_decoder(const Technology& t, int rows, double height_um, double c_wl_ff, double r_wl_ohm,
                  double stage_effort = 4.0);

}  // namespace memlapse::memory
