#include "memlapse/faults/uniform_ext.h"

#include <algorithm>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/faults/layout.h"
#include "memlapse/core/rng.h"
#include "memlapse/faults/nested.h"
#include "memlapse/faults/operating_points.h"
#include "memlapse/faults/uniform.h"

namespace memlapse {

namespace {

std::string fmt(double x) { return format_double(x); }

// Stream of set s (0: 0->1, 1: 1->0, 2: stuck-at-0, 3: stuck-at-1) of tensor t; disjoint from
// the plain model's stream t.
std::uint64_t ext_stream(std::uint32_t t, std::uint64_t s) { return (0xE5ULL << 56) | (s << 40) | t; }

}  // namespace

UniformExtended::UniformExtended(UniformExtSpec spec) : spec_(std::move(spec)) {
  auto prob = [](double x, const char* key) {
    if (!(x >= 0.0 && x <= 1.0)) throw Error(std::string("fault model uniform: ") + key + " = " + fmt(x) + " is outside [0, 1]");
  };
  prob(spec_.ber, "ber");
  prob(spec_.ber_01, "ber_01");
  prob(spec_.ber_10, "ber_10");
  prob(spec_.stuck_at_0, "stuck_at_0");
  prob(spec_.stuck_at_1, "stuck_at_1");
  for (int b : spec_.protected_bits) {
    if (b < 0 || b > 63) throw Error("fault model uniform: protected_bits entry " + std::to_string(b) + " is outside 0..63");
  }
  std::sort(spec_.protected_bits.begin(), spec_.protected_bits.end());
  spec_.protected_bits.erase(std::unique(spec_.protected_bits.begin(), spec_.protected_bits.end()),
                             spec_.protected_bits.end());
}

FaultList UniformExtended::sample(const PartitionView& image, std::uint64_t seed, std::uint64_t chip) const {
  FaultList out;
  std::vector<std::uint64_t> hits;
  struct Hit { std::uint64_t j; int set; };
  std::vector<Hit> all;
  const double rates[4] = {spec_.ber_01, spec_.ber_10, spec_.stuck_at_0, spec_.stuck_at_1};
  for (std::uint32_t t = 0; t < image.tensor_count(); ++t) {
    const auto m = static_cast<std::uint64_t>(image.word_bits(t));
    std::uint64_t protect_mask = 0;
    for (int b : spec_.protected_bits) protect_mask |= 1ULL << b;
    all.clear();
    for (int s = 0; s < 4; ++s) {
      hits.clear();
      append_nested_hits(image.rng(seed, chip, ext_stream(t, static_cast<std::uint64_t>(s))), image.value_bits(t),
                         rates[s], hits);
      for (std::uint64_t j : hits) all.push_back(Hit{j, s});
    }
    // Stuck-at sets (2, 3) take precedence over flips at the same bit: order (j, set descending
    // among stuck-ats first).
    auto rank = [](int s) { return s == 2 ? 0 : s == 3 ? 1 : 2; };
    std::sort(all.begin(), all.end(), [&](const Hit& a, const Hit& b) {
      return a.j != b.j ? a.j < b.j : rank(a.set) < rank(b.set);
    });
    std::uint64_t last = ~0ULL;
    for (const Hit& h : all) {
      if (h.j == last) continue;
      const std::uint64_t e = h.j / m;
      const auto bit = static_cast<std::uint8_t>(h.j - e * m);
      if (bit < 64 && ((protect_mask >> bit) & 1)) continue;
      if (h.set <= 1) {
        const bool stored = image.get_bit(t, e, bit);
        if (stored != (h.set == 1)) continue;  // 0->1 needs a stored 0, 1->0 a stored 1
      }
      last = h.j;
      const BitFault::Kind kind = h.set == 2 ? BitFault::kStuckAt0 : h.set == 3 ? BitFault::kStuckAt1 : BitFault::kFlip;
      out.push_back(BitFault{image.region(t), e, bit, kind});
    }
  }
  return out;
}

std::map<std::string, std::string> UniformExtended::params() const {
  std::string prot;
  for (std::size_t i = 0; i < spec_.protected_bits.size(); ++i) {
    if (i) prot += ',';
    prot += std::to_string(spec_.protected_bits[i]);
  }
  return {{"ber", fmt(spec_.ber)},           {"ber_01", fmt(spec_.ber_01)},         {"ber_10", fmt(spec_.ber_10)},
          {"stuck_at_0", fmt(spec_.stuck_at_0)}, {"stuck_at_1", fmt(spec_.stuck_at_1)}, {"protected_bits", prot}};
}

SramLowVoltage::SramLowVoltage(double v) : voltage_(v), ber_(sram_ber(v)) {}

FaultList SramLowVoltage::sample(const PartitionView& image, std::uint64_t seed, std::uint64_t chip) const {
  return UniformBitErrors(ber_).sample(image, seed, chip);
}

std::map<std::string, std::string> SramLowVoltage::params() const {
  return {{"voltage", fmt(voltage_)}, {"ber", fmt(ber_)}, {"energy_rel", fmt(sram_energy_rel(voltage_))}};
}

Implementation<std::unique_ptr<FaultModel>> uniform_implementation() {
  const auto rate = [](const char* name, const char* doc) {
    return ParamSpec{name, ParamType::kDouble, "", "1/bit", doc}.in(0, 1).optional_();
  };
  return {{"uniform",
           "004 §3 random bit errors: each stored value bit flips independently, nested in the rate; "
           "optional 0->1 / 1->0 rates, stuck-at cells, protected bits",
           ParamSchema{ParamSpec{"ber", ParamType::kDouble, "", "1/bit", "probability that a stored bit is flipped (004 §3)"}
                           .in(0, 1)
                           .required_()
                           .as(ParamRole::kRate),
                       rate("ber_01", "0->1 flip rate of cells storing 0 (default: ber)"),
                       rate("ber_10", "1->0 flip rate of cells storing 1 (default: ber)"),
                       rate("stuck_at_0", "fraction of cells stuck at 0 (default: 0)"),
                       rate("stuck_at_1", "fraction of cells stuck at 1 (default: 0)"),
                       ParamSpec{"protected_bits", ParamType::kIntList, "", "", "bit positions that never fail (e.g. 7 = sign of 8-bit)"}
                           .in(0, 63)
                           .optional_()},
           {"any"}},
          [](const ParamValues& v) -> std::unique_ptr<FaultModel> {
            const double ber = v.get_double("ber");
            const bool extended = v.has("ber_01") || v.has("ber_10") || v.has("stuck_at_0") || v.has("stuck_at_1") ||
                                  v.has("protected_bits");
            if (!extended) return std::make_unique<UniformBitErrors>(ber);
            UniformExtSpec s;
            s.ber = ber;
            s.ber_01 = v.has("ber_01") ? v.get_double("ber_01") : ber;
            s.ber_10 = v.has("ber_10") ? v.get_double("ber_10") : ber;
            s.stuck_at_0 = v.has("stuck_at_0") ? v.get_double("stuck_at_0") : 0.0;
            s.stuck_at_1 = v.has("stuck_at_1") ? v.get_double("stuck_at_1") : 0.0;
            if (v.has("protected_bits")) {
              for (long long b : v.get_int_list("protected_bits")) s.protected_bits.push_back(static_cast<int>(b));
            }
            return std::make_unique<UniformExtended>(std::move(s));
          }};
}

Implementation<std::unique_ptr<FaultModel>> sram_implementation() {
  return {{"sram", "004 Fig. 1 low-voltage SRAM: uniform persistent bit errors at the rate the normalised voltage implies",
           ParamSchema{ParamSpec{"voltage", ParamType::kDouble, "", "V/Vmin", "supply voltage normalised to Vmin (>= 1 is error-free)"}
                           .at_least(0.80)
                           .required_()
                           .as(ParamRole::kOperatingPoint)},
           {"sram"}},
          [](const ParamValues& v) -> std::unique_ptr<FaultModel> { return std::make_unique<SramLowVoltage>(v.get_double("voltage")); }};
}

}  // namespace memlapse
