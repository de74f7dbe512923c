#include "memlapse/faults/profiled.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/core/rng.h"
#include "memlapse/faults/layout.h"
#include "memlapse/faults/nested.h"

namespace memlapse {

namespace {

constexpr std::uint64_t kFailStream = 0x9F0F000000000001ULL;
constexpr std::uint64_t kThinStream = 0x9F0F000000000002ULL;

std::string fmt(double x) { return format_double(x); }

std::vector<float> read_f32(const std::string& path, std::uint64_t n) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("fault model profiled: cannot open " + path);
  const std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (raw.size() != n * 4) {
    throw Error("fault model profiled: " + path + " holds " + std::to_string(raw.size()) + " bytes, expected rows*cols*4 = " +
                std::to_string(n * 4));
  }
  std::vector<float> out(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint32_t u = 0;
    for (int b = 0; b < 4; ++b) u |= static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i * 4 + b])) << (8 * b);
    std::memcpy(&out[i], &u, 4);
    if (!(out[i] >= 0.0f && out[i] <= 1.0f)) {
      throw Error("fault model profiled: " + path + " entry " + std::to_string(i) + " = " + fmt(out[i]) + " is outside [0, 1]");
    }
  }
  return out;
}

}  // namespace

ErrorProfile load_error_profile(const std::string& dir) {
  const std::string jpath = dir + "/profile.json";
  std::ifstream in(jpath);
  if (!in) throw Error("fault model profiled: cannot open " + jpath);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw Error("fault model profiled: " + jpath + " is not valid JSON: " + e.what());
  }
  ErrorProfile p;
  for (const char* key : {"rows", "cols"}) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer() || j[key].get<long long>() <= 0) {
      throw Error("fault model profiled: " + jpath + ": \"" + key + "\" must be a positive integer");
    }
  }
  p.rows = j["rows"].get<std::uint64_t>();
  p.cols = j["cols"].get<std::uint64_t>();
  if (p.rows > (1ULL << 30) / p.cols) throw Error("fault model profiled: " + jpath + ": rows * cols is too large");
  p.flip01 = read_f32(dir + "/flip01.f32", p.rows * p.cols);
  p.flip10 = read_f32(dir + "/flip10.f32", p.rows * p.cols);
  return p;
}

ProfiledErrors::ProfiledErrors(ErrorProfile profile, std::string source)
    : prof_(std::move(profile)), source_(std::move(source)) {
  const std::uint64_t n = prof_.rows * prof_.cols;
  if (n == 0 || prof_.flip01.size() != n || prof_.flip10.size() != n) {
    throw Error("fault model profiled: the profile's arrays do not hold rows*cols entries");
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!(prof_.flip01[i] >= 0 && prof_.flip01[i] <= 1 && prof_.flip10[i] >= 0 && prof_.flip10[i] <= 1)) {
      throw Error("fault model profiled: probability at cell " + std::to_string(i) + " is outside [0, 1]");
    }
    p_max_ = std::max({p_max_, static_cast<double>(prof_.flip01[i]), static_cast<double>(prof_.flip10[i])});
    mean01_ += prof_.flip01[i];
    mean10_ += prof_.flip10[i];
  }
  mean01_ /= static_cast<double>(n);
  mean10_ /= static_cast<double>(n);
}

FaultList ProfiledErrors::sample(const PartitionView& image, std::uint64_t seed, std::uint64_t chip) const {
  FaultList out;
  const ImageBits ib(image);
  std::vector<std::uint64_t> hits;
  append_nested_hits(image.rng(seed, chip, kFailStream), ib.total_bits(), p_max_, hits);
  const CounterRng thin = image.rng(seed, chip, kThinStream);
  const std::uint64_t offset_bits = image.layout().offset_bits;
  ImageBits::Cursor cur(ib);
  for (std::uint64_t q : hits) {
    BitFault f;
    if (!cur.locate(q, f)) continue;
    const std::uint64_t m = q + offset_bits;
    const std::uint64_t cell = ((m / prof_.cols) % prof_.rows) * prof_.cols + m % prof_.cols;
    const bool stored = image.image().get_bit(f.tensor, f.element, f.bit);
    const double p = stored ? prof_.flip10[cell] : prof_.flip01[cell];
    if (p < p_max_ && thin.uniform(q) * p_max_ > p) continue;
    f.kind = BitFault::kFlip;
    out.push_back(f);
  }
  sort_unique(out);
  return out;
}

std::map<std::string, std::string> ProfiledErrors::params() const {
  return {{"map", source_},
          {"rows", std::to_string(prof_.rows)},
          {"cols", std::to_string(prof_.cols)},
          {"mean_flip01", fmt(mean01_)},
          {"mean_flip10", fmt(mean10_)},
          {"ber", fmt(0.5 * (mean01_ + mean10_))}};
}

Implementation<std::unique_ptr<FaultModel>> profiled_implementation() {
  RegistryEntry e{"profiled",
                  "004 App. C.1 profiled error map: per-bit 0->1 / 1->0 flip probabilities tiled over the partition "
                  "(its layout's offset_bits places the partition on the map)",
                  ParamSchema{ParamSpec{"map", ParamType::kString, "", "", "directory with profile.json, flip01.f32, flip10.f32"}.required_()},
                  {"any"}};
  return {e, [](const ParamValues& v) -> std::unique_ptr<FaultModel> {
            const std::string& dir = v.get_string("map");
            return std::make_unique<ProfiledErrors>(load_error_profile(dir), dir);
          }};
}

}  // namespace memlapse
