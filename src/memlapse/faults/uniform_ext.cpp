#include "memlapse/faults/uniform_ext.h"

#include <algorithm>
#include <sstream>

#include "memlapse/core/error.h"
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

FaultList UniformExtended::sample(const MemoryImage& image, std::uint64_t seed, std::uint64_t chip) const {
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
      append_nested_hits(CounterRng(seed, chip, ext_stream(t, static_cast<std::uint64_t>(s))), image.value_bits(t),
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
      out.push_back(BitFault{t, e, bit, kind});
    }
  }
  return out;
}

std::map<std::string, std::string> UniformExtended::params() const {
  std::string prot;
  for (std::size_t i = 0; i < spec_.protected_bits.size(); ++i) {
    prot += (i ? "," : "") + std::to_string(spec_.protected_bits[i]);
  }
  return {{"ber", fmt(spec_.ber)},           {"ber_01", fmt(spec_.ber_01)},         {"ber_10", fmt(spec_.ber_10)},
          {"stuck_at_0", fmt(spec_.stuck_at_0)}, {"stuck_at_1", fmt(spec_.stuck_at_1)}, {"protected_bits", prot}};
}

SramLowVoltage::SramLowVoltage(double v) : voltage_(v), ber_(sram_ber(v)) {}

FaultList SramLowVoltage::sample(const MemoryImage& image, std::uint64_t seed, std::uint64_t chip) const {
  return UniformBitErrors(ber_).sample(image, seed, chip);
}

std::map<std::string, std::string> SramLowVoltage::params() const {
  return {{"voltage", fmt(voltage_)}, {"ber", fmt(ber_)}, {"energy_rel", fmt(sram_energy_rel(voltage_))}};
}

RegistryEntry uniform_registry_entry() {
  return {"uniform",
          "004 §3 random bit errors: each stored value bit flips independently, nested in the rate; "
          "optional 0->1 / 1->0 rates, stuck-at cells, protected bits",
          ParamSchema{{"ber", ParamType::kDouble, "", "1/bit", "probability that a stored bit is flipped (004 §3)"},
                      {"ber_01", ParamType::kDouble, "-1", "1/bit", "0->1 flip rate of cells storing 0 (-1: = ber)"},
                      {"ber_10", ParamType::kDouble, "-1", "1/bit", "1->0 flip rate of cells storing 1 (-1: = ber)"},
                      {"stuck_at_0", ParamType::kDouble, "0", "1/bit", "fraction of cells stuck at 0"},
                      {"stuck_at_1", ParamType::kDouble, "0", "1/bit", "fraction of cells stuck at 1"},
                      {"protected_bits", ParamType::kString, "", "",
                       "comma-separated bit positions that never fail (e.g. 7 = sign of 8-bit)"}}};
}

RegistryEntry sram_registry_entry() {
  return {"sram",
          "004 Fig. 1 low-voltage SRAM: uniform persistent bit errors at the rate the normalised voltage implies",
          ParamSchema{{"voltage", ParamType::kDouble, "", "V/Vmin",
                       "supply voltage normalised to Vmin (>= 0.80; >= 1 is error-free)"}}};
}

std::unique_ptr<FaultModel> make_uniform_model(const ParamValues& v, const std::map<std::string, std::string>& given) {
  const bool extended = given.count("ber_01") || given.count("ber_10") || given.count("stuck_at_0") ||
                        given.count("stuck_at_1") || given.count("protected_bits");
  const double ber = v.get_double("ber");
  if (!extended) return std::make_unique<UniformBitErrors>(ber);
  UniformExtSpec s;
  s.ber = ber;
  s.ber_01 = v.get_double("ber_01") < 0 ? ber : v.get_double("ber_01");
  s.ber_10 = v.get_double("ber_10") < 0 ? ber : v.get_double("ber_10");
  s.stuck_at_0 = v.get_double("stuck_at_0");
  s.stuck_at_1 = v.get_double("stuck_at_1");
  std::stringstream ss(v.get_string("protected_bits"));
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    try {
      std::size_t pos = 0;
      const int b = std::stoi(item, &pos);
      if (pos != item.size()) throw std::invalid_argument(item);
      s.protected_bits.push_back(b);
    } catch (const std::exception&) {
      throw Error("fault model uniform: protected_bits item '" + item + "' is not an integer bit position");
    }
  }
  return std::make_unique<UniformExtended>(std::move(s));
}

std::unique_ptr<FaultModel> make_sram_model(const ParamValues& v) {
  return std::make_unique<SramLowVoltage>(v.get_double("voltage"));
}

}  // namespace memlapse
