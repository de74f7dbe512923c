// Process-node table. Sources (cited from the published reports, values rounded):
//  - Vdd, drive and leakage: ITRS 2011/2013 PIDS tables for high-performance (HP) logic, the same
//    source CACTI 6.0 (Muralimanohar et al., HP Labs tech report HPL-2009-85) and NVSim (Dong et
//    al., IEEE TCAD 31(7), 2012) use; 22/16 nm are FinFET (per um of effective fin width).
//    The drive is the *effective* switching current (~0.5 x the ITRS Idsat, Na et al. IEDM 2002).
//  - Leakage: one technology-wide calibration. NVSim-class HP devices leak far more than a
//    foundry low-leakage SRAM; we scale the ITRS HP trend so that a 16 nm 3 MB SRAM cache at
//    350 K leaks ~6.4 W as in 003 (DeepNVM++) Table II. The same constants apply to every
//    memory technology and node (the periphery of MRAM caches leaks through them too).
//  - Wires: Cu with size-effect resistivity (ITRS 2013 interconnect tables; Steinhoegl et al.,
//    J. Appl. Phys. 2005): local width F, aspect ratio 2; semi-global width 2F, AR 2;
//    global at 8F pitch (width 4F), AR 2.34 as NVSim's "GlobalAggressive" layer (Wire.cpp, from
//    ITRS), which carries the bank H-tree. Capacitance ~0.2 fF/um at every node (ITRS interconnect).
#include "memlapse/memory/technology.h"

#include <cmath>

#include "memlapse/core/error.h"

namespace memlapse::memory {
namespace {

Wire make_wire(double rho_ohm_m, double width_m, double aspect, double c_ff_per_um) {
  const double area_m2 = width_m * width_m * aspect;
  return Wire{rho_ohm_m / area_m2 * 1e-6, c_ff_per_um};
}

Technology make(int node, double vdd, double ion_n, double ion_p, double ioff_n, double cg, double cd,
                double rho_local, double rho_global) {
  Technology t{};
  t.node_nm = node;
  t.feature_um = node * 1e-3;
  t.vdd_v = vdd;
  t.ion_n_ua_per_um = ion_n;
  t.ion_p_ua_per_um = ion_p;
  t.ioff_n_na_per_um_300k = ioff_n;
  t.c_gate_ff_per_um = cg;
  t.c_drain_ff_per_um = cd;
  const double f = node * 1e-9;
  t.local = make_wire(rho_local, f, 2.0, 0.20);
  t.semi_global = make_wire(rho_local, 2.0 * f, 2.0, 0.20);
  t.global = make_wire(rho_global, 4.0 * f, 2.34, 0.22);
  return t;
}

const std::vector<Technology>& table() {
  // node  Vdd   Ion_n  Ion_p  Ioff_n(nA/um,300K)  Cg   Cd   rho_local  rho_global (ohm m)
  static const std::vector<Technology> kTable = {
      make(45, 1.00, 550, 275, 225, 1.00, 0.80, 3.0e-8, 2.3e-8),
      make(40, 0.95, 575, 290, 247, 0.96, 0.76, 3.1e-8, 2.35e-8),
      make(32, 0.90, 625, 325, 285, 0.90, 0.70, 3.4e-8, 2.45e-8),
      make(28, 0.90, 650, 350, 300, 0.88, 0.68, 3.6e-8, 2.5e-8),
      make(22, 0.80, 750, 450, 330, 0.85, 0.60, 4.0e-8, 2.6e-8),
      make(16, 0.80, 850, 550, 360, 0.80, 0.55, 4.8e-8, 2.8e-8),
  };
  return kTable;
}

}  // namespace

double Technology::tau_ns() const {
  const double wn = min_width_um();
  const double c_in_ff = c_gate_ff_per_um * wn * 3.0;  // NMOS + 2x PMOS (CACTI's beta = 2)
  return r_on_n_ohm(wn) * c_in_ff * 1e-15 * 1e9;
}

double Technology::leak_scale(double temperature_k) const {
  // Subthreshold leakage grows exponentially with T (Roy et al., Proc. IEEE 91(2), 2003, Sec. II):
  // ~2x per 35 K for HP devices, i.e. exp((T - 300) / 50.5).
  return std::exp((temperature_k - 300.0) / 50.5);
}

double Technology::leakage_mw(double w_um, double temperature_k) const {
  const double i_na = w_um * ioff_n_na_per_um_300k * leak_scale(temperature_k);
  return i_na * 1e-9 * vdd_v * 1e3;
}

double Technology::transistor_area_um2(double w_um) const {
  // Folding into fingers no wider than 20F; each finger takes a contacted gate pitch plus local
  // routing of ~12F and 8F of diffusion/contact overhead across the width (CACTI 6.0 tech report,
  // Sec. 2.3, gate area with folding; a minimum transistor is then ~130 F^2, in line with
  // standard-cell densities, e.g. a 16 nm inverter cell ~0.08 um^2).
  const double max_fold = 20.0 * feature_um;
  const double fingers = std::ceil(w_um / max_fold);
  const double finger_w = w_um / fingers;
  return (finger_w + 8.0 * feature_um) * (fingers * 12.0 * feature_um);
}

const Technology& technology_for_node(int node_nm) {
  for (const auto& t : table())
    if (t.node_nm == node_nm) return t;
  std::string nodes;
  for (const auto& t : table()) nodes += (nodes.empty() ? "" : ", ") + std::to_string(t.node_nm);
  throw Error("node: " + std::to_string(node_nm) + " nm is not supported; expected one of " + nodes + " nm");
}

std::vector<int> supported_nodes() {
  std::vector<int> v;
  for (const auto& t : table()) v.push_back(t.node_nm);
  return v;
}

}  // namespace memlapse::memory
