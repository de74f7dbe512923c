#pragma once
// Operating points: the knob a designer turns -> the bit error rate the memory shows.
//
// SRAM vs supply voltage normalised to Vmin (004 Fig. 1, App. A: 32 14nm SRAM arrays of
// 512x64 bits; errors rise exponentially below Vmin, none at or above it). The copy of 004 we
// have carries Fig. 1 only as an image, so the curve is ANCHORED to what the text states rather
// than digitised point by point:
//   * p = 0 for V/Vmin >= 1 (Vmin is "the lowest measured voltage with no bit errors", App. A);
//   * p = 1% where the normalised energy is ~0.70 ("p = 1% allow[s] to reduce SRAM energy by
//     roughly 30%", §1), with energy ~ (V/Vmin)^2 ("dynamic power varies quadratically with
//     voltage", §1): V/Vmin = 0.84;
//   * p = 1e-6 at V/Vmin = 0.98 (below 1e-6 the 32 x 32768 profiled bits show ~no errors);
//   * exponential in between and below (straight line in log10 p): 4 decades per 0.14 V/Vmin.
//   Table (V/Vmin, p): (1.00, 0) (0.98, 1e-6) (0.95, 7.2e-6) (0.90, 1.9e-4) (0.84, 1e-2)
//   (0.80, 1.39e-1, end of the stated range). Between 0.98 and 1.00 p falls linearly to 0.
//   Energy per access relative to Vmin: (V/Vmin)^2.
//
// Approximate DRAM, 000 Table 3 (vendor-A DDR module, nominal VDD = 1.35 V, tRCD = 12.5 ns).
// Each row pairs a DNN's maximum tolerable BER with the largest VDD (or tRCD) reduction whose
// BER stays below it, so BER(delta) <= that BER; where several rows share a delta the smallest
// BER bounds it. Points (delta, BER):
//   VDD : (0 V, 0) (-0.10 V, 0.5%) (-0.25 V, 1.0%) (-0.30 V, 3.0%) (-0.35 V, 5.0%)
//   tRCD: (0 ns, 0) (-1.0 ns, 0.5%) (-2.0 ns, 1.5%) (-4.5 ns, 3.0%) (-5.0 ns, 3.5%)
//         (-5.5 ns, 4.0%) (-6.0 ns, 5.0%)
// interpolated piecewise-linearly in BER (monotone by construction). Deltas above 0 (beyond
// nominal) give 0; deltas beyond the last point are Errors (no data).
// Example:
//   double p = sram_ber(0.85);            // ~6e-3
//   double q = dram_ber_vdd(-0.25);       // 0.01
#include <string>

namespace memlapse {

// Contract: 004 Fig. 1 (anchored, see above); v_norm in [0.80, inf), else Error naming the value.
double sram_ber(double v_norm);
// Contract: energy per SRAM access relative to the access at Vmin (004 App. A), (V/Vmin)^2.
double sram_energy_rel(double v_norm);
// Contract: 000 Table 3; delta in [-0.35, inf) V, else Error.
double dram_ber_vdd(double vdd_delta_v);
// Contract: 000 Table 3; delta in [-6.0, inf) ns, else Error.
double dram_ber_trcd(double trcd_delta_ns);

inline constexpr double kDramNominalVdd = 1.35;    // V, 000 §6.5
inline constexpr double kDramNominalTrcd = 12.5;   // ns, 000 §6.5

}  // namespace memlapse
