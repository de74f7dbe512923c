#pragma once
// Process-node parameters for the array model: transistor drive, gate/drain capacitance, leakage
// and wire RC for 16..45 nm high-performance logic. One row per node, each value documented in
// technology.cpp with its source; everything the circuit models need is derived here.
// Example:
//   const Technology& t = technology_for_node(16);          // throws Error for 17 nm
//   double r = t.r_on_n_ohm(0.1);                           // 100 nm wide NMOS, ohm
//   double leak = t.leak_scale(350.0);                      // leakage relative to 300 K
#include <string>
#include <vector>

namespace memlapse::memory {

// One wire class (a metal layer at a given pitch).
struct Wire {
  double r_ohm_per_um;
  double c_ff_per_um;
};

struct Technology {
  int node_nm;
  double feature_um;           // F
  double vdd_v;
  double ion_n_ua_per_um;      // effective saturation drive current per um of NMOS width
  double ion_p_ua_per_um;
  double ioff_n_na_per_um_300k;// subthreshold leakage per um at 300 K (NMOS; PMOS taken as half)
  double c_gate_ff_per_um;     // gate + overlap capacitance per um of width
  double c_drain_ff_per_um;    // drain junction capacitance per um of width
  Wire local;                  // M1/M2 at cell pitch: wordlines and bitlines
  Wire semi_global;            // decoder and mat-level routing
  Wire global;                 // H-tree routing (unrepeated, NVSim's default global wire)

  double min_width_um() const { return 3.0 * feature_um; }  // minimum NMOS width (CACTI 6.0: 3F-ish)
  // Contract: effective switching resistance of an NMOS/PMOS of width w_um (> 0), ohm.
  double r_on_n_ohm(double w_um) const { return vdd_v / (ion_n_ua_per_um * 1e-6 * w_um); }
  double r_on_p_ohm(double w_um) const { return vdd_v / (ion_p_ua_per_um * 1e-6 * w_um); }
  // Contract: intrinsic delay R*C of a minimum inverter driving its own input capacitance, ns.
  double tau_ns() const;
  // Contract: factor multiplying 300 K leakage at temperature_k (> 0); rises ~2x per 35 K.
  double leak_scale(double temperature_k) const;
  // Contract: leakage power of `w_um` of NMOS-equivalent off width (PMOS counted at half), mW.
  double leakage_mw(double w_um, double temperature_k) const;
  // Contract: layout area of a transistor of width w_um, folded if wider than max_fold_um, um^2.
  double transistor_area_um2(double w_um) const;
};

// Contract: the built-in parameters for node_nm in {16, 22, 28, 32, 40, 45}; throws Error naming
// the value and the supported nodes otherwise.
const Technology& technology_for_node(int node_nm);
std::vector<int> supported_nodes();

}  // namespace memlapse::memory
