#pragma once
// Fitting 000's DRAM error models to a measured error map and choosing the most likely one
// (000 §4 "Model Selection": maximum-likelihood parameters of each model, then the model most
// likely to have produced the errors, Error Model 0 when the others are not clearly better).
//
// Data: R x C cells, each storing bit s, read N times; k = how many reads returned the wrong bit.
// Likelihood of one cell under a weak-cell model (weak with probability P, then each read fails
// independently with probability F):  k > 0: P * Binom(k; N, F);  k = 0: 1 - P + P (1-F)^N.
// Models differ in how P and F are shared: model0 one (P, F); model1 one (P_B, F_B) per column;
// model2 one (P_W, F_W) per row; model3 one P, F_V1 for cells storing 1 and F_V0 for cells storing 0.
// MLE by EM on sufficient statistics (per group: cells without errors, cells with errors, total
// errors); E-step: posterior weak probability of an error-free cell P a / (1 - P + P a), a = (1-F)^N;
// M-step: P = expected weak cells / cells, F = errors / (N * expected weak cells).
// Selection criterion (model0 is nested in models 1-3, so EDEN's "favour model0 unless another is
// clearly more likely" is a likelihood-ratio test): for k = 1..3, 2 (lnL_k - lnL_0) against a
// chi-square with df = (free parameters of k) - 2 (2C-2, 2R-2, 1), converted to a z-score by the
// Wilson-Hilferty approximation; a model is clearly better when z > 3.719 (one-sided p < 1e-4);
// the clearly-better model with the largest z wins, else model0. (BIC, also reported, was tried
// first: its 2C ln(RC) penalty rejects real bitline concentration, e.g. 10% of 128 bitlines with
// 40x the weak-cell density.)
// Example:
//   ErrorMap m = load_error_map("chipA/");         // Error naming the file on bad input
//   FitResult r = fit_dram_models(m);               // r.selected == "model1", ...
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace memlapse {

struct ErrorMap {
  std::uint64_t rows = 0, cols = 0, reads = 0;
  std::vector<std::uint8_t> stored;   // rows*cols, 0 or 1, row-major
  std::vector<std::uint16_t> errors;  // rows*cols, <= reads
};

struct ModelFit {
  std::string name;  // model0..model3
  double log_likelihood = 0.0;
  double bic = 0.0;     // -2 lnL + k ln(cells), reported only
  double lrt_z = 0.0;   // models 1-3: likelihood-ratio z-score against model0
  std::size_t free_params = 0;
  std::map<std::string, std::vector<double>> params;  // P, F | P_B, F_B | P_W, F_W | P, F_V1, F_V0
};

struct FitResult {
  std::string selected;
  std::vector<ModelFit> models;  // model0..model3 in order
};

inline constexpr double kSelectZ = 3.719;  // one-sided normal quantile at p = 1e-4

// Contract: reads DIR/map.json {"rows","cols","reads"}, DIR/stored.u8, DIR/errors.u16 (LE);
// throws Error naming the file and what is wrong (missing, bad JSON, wrong size, value out of range).
ErrorMap load_error_map(const std::string& dir);
// Contract: validates sizes and ranges; Error naming `what` otherwise.
void validate_error_map(const ErrorMap& m, const std::string& what);
// Contract: MLE of every model and the selection above; deterministic.
FitResult fit_dram_models(const ErrorMap& m);
// Contract: the JSON `memlapse fault fit` prints.
std::string fit_result_json(const FitResult& r);

}  // namespace memlapse
