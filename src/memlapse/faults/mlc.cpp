#include "memlapse/faults/mlc.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/faults/layout.h"
#include "memlapse/core/rng.h"
#include "memlapse/faults/nested.h"

namespace memlapse {

namespace {

constexpr std::uint64_t kCellStream = 0x3C1C000000000000ULL;
constexpr std::uint64_t kThinStream = 0x3C1D000000000000ULL;
constexpr std::uint64_t kDestStream = 0x3C1E000000000000ULL;

std::string fmt(double x) { return format_double(x); }

// Phi(x) with full relative precision in the lower tail.
double phi_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

int gray_encode(int l) { return l ^ (l >> 1); }
int gray_decode(int g) {
  int l = 0;
  for (; g; g >>= 1) l ^= g;
  return l;
}

}  // namespace

std::vector<double> mlc_level_means(const MlcParams& p) {
  const int n = 1 << p.bits_per_cell;
  const double gap0_units = (p.sigma_unprog + p.sigma) / (2.0 * p.sigma);  // gap_0 / d
  const double d = 1.0 / (gap0_units + (n - 2));
  std::vector<double> mu(static_cast<std::size_t>(n));
  mu[0] = 0.0;
  for (int i = 1; i < n; ++i) mu[static_cast<std::size_t>(i)] = gap0_units * d + (i - 1) * d;
  return mu;
}

std::vector<double> mlc_thresholds(const MlcParams& p) {
  const std::vector<double> mu = mlc_level_means(p);
  std::vector<double> t;
  for (std::size_t i = 0; i + 1 < mu.size(); ++i) {
    const double si = i == 0 ? p.sigma_unprog : p.sigma, sj = p.sigma;
    t.push_back(mu[i] + (mu[i + 1] - mu[i]) * si / (si + sj));
  }
  return t;
}

std::vector<std::vector<double>> mlc_transition_matrix(const MlcParams& p) {
  const std::vector<double> mu = mlc_level_means(p), t = mlc_thresholds(p);
  const std::size_t n = mu.size();
  std::vector<std::vector<double>> M(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) {
    const double s = i == 0 ? p.sigma_unprog : p.sigma, m = mu[i] + p.sa_offset;
    double off_diag = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      // Tail form avoids 1 - 1 cancellation: below i, Phi(upper) - Phi(lower); above, Q terms.
      double v;
      if (j < i) {
        const double hi = (t[j] - m) / s;
        const double lo = j == 0 ? -INFINITY : (t[j - 1] - m) / s;
        v = phi_cdf(hi) - (j == 0 ? 0.0 : phi_cdf(lo));
      } else {
        const double lo = (t[j - 1] - m) / s;
        const double hi = j + 1 == n ? INFINITY : (t[j] - m) / s;
        v = phi_cdf(-lo) - (j + 1 == n ? 0.0 : phi_cdf(-hi));
      }
      if ((j > i ? j - i : i - j) >= 2) v = std::max(v, p.non_adjacent);
      M[i][j] = std::max(v, 0.0);
      off_diag += M[i][j];
    }
    M[i][i] = 1.0 - off_diag;
  }
  return M;
}

MlcParams mlc_builtin(MlcTechnology tech, int bits) {
  MlcParams p;
  p.bits_per_cell = bits;
  if (tech == MlcTechnology::kCtt) {
    p.sigma = 0.0212;
    p.sigma_unprog = 1.5 * p.sigma;
    p.sa_offset = 0.002;
  } else {
    p.sigma = 0.0168;
    p.sigma_unprog = p.sigma;
    p.sa_offset = 0.0015;
  }
  return p;
}

MlcLevelFaults::MlcLevelFaults(std::string name, MlcParams p) : name_(std::move(name)), p_(p) {
  const std::string owner = "fault model " + name_;
  if (p_.bits_per_cell < 1 || p_.bits_per_cell > 4) {
    throw Error(owner + ": bits_per_cell = " + std::to_string(p_.bits_per_cell) + " is outside 1..4");
  }
  if (!(p_.sigma > 0) || !(p_.sigma_unprog > 0)) throw Error(owner + ": sigma and sigma_unprog must be > 0");
  if (!(std::fabs(p_.sa_offset) < 0.5)) throw Error(owner + ": sa_offset = " + fmt(p_.sa_offset) + " is outside (-0.5, 0.5)");
  if (!(p_.non_adjacent >= 0 && p_.non_adjacent < 1e-3)) {
    throw Error(owner + ": non_adjacent = " + fmt(p_.non_adjacent) + " is outside [0, 1e-3)");
  }
  for (int b = 1; b <= 4; ++b) {
    MlcParams q = p_;
    q.bits_per_cell = b;
    Table& tb = tables_[static_cast<std::size_t>(b)];
    tb.bits = b;
    tb.M = mlc_transition_matrix(q);
    tb.p_max = 0.0;
    for (std::size_t i = 0; i < tb.M.size(); ++i) {
      tb.p_fail.push_back(1.0 - tb.M[i][i]);
      tb.p_max = std::max(tb.p_max, tb.p_fail.back());
    }
  }
}

const MlcLevelFaults::Table& MlcLevelFaults::table_for(int bits) const {
  return tables_.at(static_cast<std::size_t>(bits));
}

double MlcLevelFaults::mean_cell_fault_rate() const {
  const Table& tb = table_for(p_.bits_per_cell);
  double s = 0.0;
  for (double x : tb.p_fail) s += x;
  return s / static_cast<double>(tb.p_fail.size());
}

FaultList MlcLevelFaults::sample_pass(const PartitionView& image, std::uint64_t seed, std::uint64_t chip,
                                      std::uint64_t pass) const {
  FaultList out;
  std::vector<std::uint64_t> hits;
  // An image whose encoding set cell packing (some region > 1 bit/cell) is taken as it is: its
  // 1-bit regions are SLC. A plain image (every region 1 bit/cell) is packed with the model's
  // own bits_per_cell.
  bool image_packed = false;
  for (std::uint32_t t = 0; t < image.tensor_count(); ++t) image_packed |= image.bits_per_cell(t) > 1;
  for (std::uint32_t t = 0; t < image.tensor_count(); ++t) {
    const int bpc = image_packed ? image.bits_per_cell(t) : p_.bits_per_cell;
    if (bpc > 4) throw Error("fault model " + name_ + ": tensor " + std::to_string(t) + " has " + std::to_string(bpc) + " bits per cell; at most 4 are modelled");
    const int wb = image.word_bits(t);
    if (image_packed && wb % bpc != 0) {
      throw Error("fault model " + name_ + ": tensor " + image.tensor(t).name + " has " + std::to_string(wb) +
                  "-bit words, not a multiple of bits_per_cell = " + std::to_string(bpc));
    }
    // Cells hold consecutive bits of the region's bit stream g = word * word_bits + bit; with a
    // plain image and bits_per_cell not dividing the word (e.g. 3 bits/cell, 8-bit words) a cell
    // spans two words, as dense MLC packing stores it; a last partial cell reads missing bits as 0.
    const Table& tb = table_for(bpc);
    const auto wbu = static_cast<std::uint64_t>(wb);
    const std::uint64_t n_bits = image.tensor(t).count * wbu;
    const std::uint64_t n_cells = (n_bits + static_cast<std::uint64_t>(bpc) - 1) / static_cast<std::uint64_t>(bpc);
    const CounterRng cell_rng = image.rng(seed, chip, kCellStream | t).substream(pass);
    const CounterRng thin = image.rng(seed, chip, kThinStream | t).substream(pass);
    const CounterRng dest = image.rng(seed, chip, kDestStream | t).substream(pass);
    hits.clear();
    append_nested_hits(cell_rng, n_cells, tb.p_max, hits);
    for (const std::uint64_t c : hits) {
      const std::uint64_t g0 = c * static_cast<std::uint64_t>(bpc);
      const int width = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(bpc), n_bits - g0));
      int v = 0;
      for (int k = 0; k < width; ++k) {
        const std::uint64_t g = g0 + static_cast<std::uint64_t>(k);
        v |= static_cast<int>(image.get_bit(t, g / wbu, static_cast<int>(g % wbu))) << k;
      }
      const int level = p_.gray ? gray_decode(v) : v;
      const double pf = tb.p_fail[static_cast<std::size_t>(level)];
      if (pf < tb.p_max && thin.uniform(c) * tb.p_max > pf) continue;
      // Destination: inverse CDF over the off-diagonal entries of the row.
      double u = dest.uniform(c) * pf;
      const auto& row = tb.M[static_cast<std::size_t>(level)];
      int to = -1;
      for (std::size_t j = 0; j < row.size(); ++j) {
        if (static_cast<int>(j) == level) continue;
        to = static_cast<int>(j);
        if (u <= row[j]) break;
        u -= row[j];
      }
      const int nv = p_.gray ? gray_encode(to) : to;
      const int diff = nv ^ v;
      for (int k = 0; k < width; ++k) {
        if (((diff >> k) & 1) == 0) continue;
        const std::uint64_t g = g0 + static_cast<std::uint64_t>(k);
        out.push_back(BitFault{image.region(t), g / wbu, static_cast<std::uint8_t>(g % wbu), BitFault::kFlip});
      }
    }
  }
  return out;
}

std::map<std::string, std::string> MlcLevelFaults::params() const {
  return {{"bits_per_cell", std::to_string(p_.bits_per_cell)},
          {"mapping", p_.gray ? "gray" : "binary"},
          {"sigma", fmt(p_.sigma)},
          {"sigma_unprog", fmt(p_.sigma_unprog)},
          {"sa_offset", fmt(p_.sa_offset)},
          {"non_adjacent", fmt(p_.non_adjacent)},
          {"cell_fault_rate", fmt(mean_cell_fault_rate())}};
}

Implementation<std::unique_ptr<FaultModel>> mlc_implementation(MlcTechnology tech) {
  const bool ctt = tech == MlcTechnology::kCtt;
  const MlcParams d = mlc_builtin(tech, 2);
  const std::string name = ctt ? "mlc-ctt" : "mlc-rram";
  RegistryEntry e{name,
                  ctt ? "001 §2.2-2.3 MLC charge-trap transistor: Gaussian levels, SA offset, adjacent-level misreads"
                      : "001 §2.3 MLC RRAM: Gaussian levels, SA offset, adjacent-level misreads",
                  ParamSchema{ParamSpec{"bits_per_cell", ParamType::kInt, "2", "bit",
                                        "bits per cell, used when the image sets no cell packing (else the image's per-structure value)"}
                                  .in(1, 4)
                                  .as(ParamRole::kOperatingPoint),
                              ParamSpec{"mapping", ParamType::kString, "gray", "", "physical level order of the cell's bits"}.one_of({"gray", "binary"}),
                              ParamSpec{"sigma", ParamType::kDouble, fmt(d.sigma), "read window", "std of programmed levels"}.above(0),
                              ParamSpec{"sigma_unprog", ParamType::kDouble, fmt(d.sigma_unprog), "read window", "std of the unprogrammed level 0"}.above(0),
                              ParamSpec{"sa_offset", ParamType::kDouble, fmt(d.sa_offset), "read window", "sense-amplifier input-referred offset (001 §4.1)"}
                                  .in(-0.5, 0.5),
                              ParamSpec{"non_adjacent", ParamType::kDouble, "1.5e-10", "1/read", "floor of each non-adjacent transition (001 §2.3 footnote)"}
                                  .in(0, 0.01)},
                  {ctt ? "ctt" : "rram"}};
  return {e, [tech, name](const ParamValues& v) -> std::unique_ptr<FaultModel> {
            MlcParams p = mlc_builtin(tech, static_cast<int>(v.get_int("bits_per_cell")));
            p.sigma = v.get_double("sigma");
            p.sigma_unprog = v.get_double("sigma_unprog");
            p.sa_offset = v.get_double("sa_offset");
            p.non_adjacent = v.get_double("non_adjacent");
            p.gray = v.get_choice("mapping") == 0;
            return std::make_unique<MlcLevelFaults>(name, p);
          }};
}

}  // namespace memlapse
