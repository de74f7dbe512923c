#include "memlapse/image/image_io.h"

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "memlapse/core/error.h"
#include "memlapse/core/file.h"

namespace memlapse {

namespace {
std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open for reading");
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
// Whole or not at all (a full disk never leaves a truncated image).
void write_bytes(const std::string& path, const void* data, std::size_t n) {
  write_text_file(path, std::string(static_cast<const char*>(data), n));
}
}  // namespace

std::vector<float> read_f32_file(const std::string& path) {
  const auto b = read_bytes(path);
  if (b.size() % 4 != 0) {
    throw Error(path + ": " + std::to_string(b.size()) + " bytes is not a multiple of 4; expected raw little-endian float32 values");
  }
  std::vector<float> v(b.size() / 4);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::uint32_t u = static_cast<std::uint32_t>(b[4 * i]) | (static_cast<std::uint32_t>(b[4 * i + 1]) << 8) |
                            (static_cast<std::uint32_t>(b[4 * i + 2]) << 16) | (static_cast<std::uint32_t>(b[4 * i + 3]) << 24);
    v[i] = std::bit_cast<float>(u);
  }
  return v;
}

void write_f32_file(const std::string& path, std::span<const float> values) {
  std::vector<std::uint8_t> b(values.size() * 4);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto u = std::bit_cast<std::uint32_t>(values[i]);
    for (int k = 0; k < 4; ++k) b[4 * i + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(u >> (8 * k));
  }
  write_bytes(path, b.data(), b.size());
}

nlohmann::json image_sidecar(const MemoryImage& image) {
  const Format& f = image.format();
  nlohmann::json j;
  j["memlapse_image"] = kImageSidecarVersion;
  j["format"] = {{"name", f.name()}, {"params", f.params()}, {"value_bits", f.value_bits()},
                 {"layout", f.dense_layout() ? "dense" : "byte"}};
  // The file holds the partitions one after the other.
  nlohmann::json parts = nlohmann::json::array();
  std::uint64_t offset = 0;
  for (std::uint32_t p = 0; p < image.partition_count(); ++p) {
    parts.push_back({{"index", p}, {"file_offset", offset}, {"bytes", image.bytes(p).size()}});
    offset += image.bytes(p).size();
  }
  j["bytes"] = offset;
  j["partitions"] = parts;
  nlohmann::json regions = nlohmann::json::array();
  for (std::uint32_t t = 0; t < image.tensor_count(); ++t) {
    const TensorSlot& s = image.tensor(t);
    nlohmann::json p = {{"scale", s.params.scale}, {"offset", s.params.offset}};
    if (s.params.channel_elements > 0) {
      p["channel_elements"] = s.params.channel_elements;
      p["channel_scale"] = s.params.channel_scale;
      p["channel_offset"] = s.params.channel_offset;
    }
    p["lo"] = s.params.lo;
    p["hi"] = s.params.hi;
    p["max_exponent"] = s.params.max_exponent;
    regions.push_back({{"name", s.name}, {"tensor", s.tensor}, {"structure", to_string(s.structure)}, {"shape", s.shape},
                       {"count", s.count}, {"partition", s.partition}, {"byte_offset", s.byte_offset}, {"word_bits", s.word_bits},
                       {"stride_bits", s.stride_bits}, {"bits_per_cell", s.bits_per_cell}, {"params", p}});
  }
  j["regions"] = regions;
  if (dynamic_cast<const PipelineFormat*>(&f) != nullptr) {
    // Pipeline formats: what decoding needs besides the bits (docs/formats.md "Pipeline").
    nlohmann::json tensors = nlohmann::json::array();
    for (std::uint32_t t = 0; t < image.parameter_count(); ++t) {
      const PipelineMeta& m = *image.pipeline_meta(t);
      nlohmann::json protects = nlohmann::json::array();
      for (const auto& r : m.regions) protects.push_back(r.protects);
      tensors.push_back({{"first_region", image.regions_of(t).first}, {"region_count", image.regions_of(t).second},
                         {"scales_region", image.scales_region(t)}, {"shape", m.shape}, {"elements", m.n}, {"rows", m.rows},
                         {"cols", m.cols}, {"stored", m.stored}, {"scale", m.scale}, {"tensor_exponent", m.tensor_exponent},
                         {"protects", protects}});
    }
    j["tensors"] = tensors;
  }
  return j;
}

void write_image_files(const std::string& path, const MemoryImage& image) {
  std::vector<std::uint8_t> all;
  for (std::uint32_t p = 0; p < image.partition_count(); ++p) all.insert(all.end(), image.bytes(p).begin(), image.bytes(p).end());
  write_bytes(path, all.data(), all.size());
  const std::string side = image_sidecar(image).dump(2) + "\n";
  write_bytes(path + ".json", side.data(), side.size());
}

namespace {

// A region of a sidecar, checked against the file: where its bits start (absolute bit position
// in the file) and how they are laid out.
struct FileRegion {
  std::string name;
  Structure structure = Structure::kValues;
  std::uint64_t tensor = 0, count = 0, start_bit = 0;
  int word_bits = 0, stride_bits = 0, bits_per_cell = 1;
  nlohmann::json params;
};

std::uint64_t get_u64(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& v = j.at(key);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    throw Error(where + ": '" + key + "' = " + v.dump() + " is not a non-negative integer");
  }
  return v.get<std::uint64_t>();
}

int get_int_in(const nlohmann::json& j, const char* key, int lo, int hi, const std::string& where) {
  const auto& v = j.at(key);
  if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi) {
    throw Error(where + ": '" + key + "' = " + v.dump() + " is not an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return static_cast<int>(v.get<std::int64_t>());
}

std::vector<FileRegion> read_regions(std::span<const std::uint8_t> bytes, const nlohmann::json& j, const std::string& where) {
  const int version = j.contains("memlapse_image") && j["memlapse_image"].is_number_integer() ? j["memlapse_image"].get<int>() : 0;
  if (version != 1 && version != kImageSidecarVersion) {
    throw Error(where + ": memlapse_image = " + (j.contains("memlapse_image") ? j["memlapse_image"].dump() : std::string("(missing)")) +
                "; this build reads sidecar versions 1 and " + std::to_string(kImageSidecarVersion));
  }
  if (get_u64(j, "bytes", where) != bytes.size()) {
    throw Error(where + ": the sidecar says " + j.at("bytes").dump() + " image bytes but the image has " + std::to_string(bytes.size()));
  }
  std::vector<std::uint64_t> part_offset{0}, part_bytes{bytes.size()};
  if (version >= 2) {
    part_offset.clear();
    part_bytes.clear();
    std::uint64_t expect = 0;
    for (const auto& pj : j.at("partitions")) {
      const std::uint64_t off = get_u64(pj, "file_offset", where), n = get_u64(pj, "bytes", where);
      if (get_u64(pj, "index", where) != part_offset.size() || off != expect || n > bytes.size() - off) {
        throw Error(where + ": partition entry " + pj.dump() + " does not match the file layout");
      }
      part_offset.push_back(off);
      part_bytes.push_back(n);
      expect = off + n;
    }
    if (expect != bytes.size()) throw Error(where + ": the partitions do not cover the image bytes");
  }
  std::vector<FileRegion> out;
  std::vector<std::vector<std::pair<std::uint64_t, std::uint64_t>>> used(part_offset.size());
  for (const auto& rj : j.at("regions")) {
    FileRegion r;
    r.name = rj.at("name").get<std::string>();
    const std::string at = where + ": region '" + r.name + "'";
    r.structure = structure_from_string(rj.at("structure").get<std::string>());
    r.tensor = get_u64(rj, "tensor", at);
    r.count = get_u64(rj, "count", at);
    r.word_bits = get_int_in(rj, "word_bits", 1, 64, at);
    r.stride_bits = get_int_in(rj, "stride_bits", r.word_bits, 64, at);
    r.bits_per_cell = get_int_in(rj, "bits_per_cell", 1, 4, at);
    r.params = rj.at("params");
    const std::uint64_t p = version >= 2 ? get_u64(rj, "partition", at) : 0;
    if (p >= part_offset.size()) throw Error(at + ": partition " + std::to_string(p) + " is not in the sidecar");
    const std::uint64_t off = get_u64(rj, "byte_offset", at);
    const auto stride = static_cast<std::uint64_t>(r.stride_bits);
    if (r.count > (std::numeric_limits<std::uint64_t>::max() - 7) / stride) throw Error(at + ": count is too large");
    const std::uint64_t nbytes = (r.count * stride + 7) / 8;
    if (off > part_bytes[p] || nbytes > part_bytes[p] - off) throw Error(at + " runs past the end of its partition");
    for (const auto& [b, e] : used[p]) {
      if (off < e && b < off + nbytes) throw Error(at + " overlaps another region");
    }
    used[p].emplace_back(off, off + nbytes);
    r.start_bit = (part_offset[p] + off) * 8;
    out.push_back(std::move(r));
  }
  return out;
}

// The words of a region as 64-bit values (any width up to 64).
std::vector<std::uint64_t> region_words(std::span<const std::uint8_t> bytes, const FileRegion& r) {
  std::vector<std::uint64_t> w(r.count, 0);
  for (std::uint64_t e = 0; e < r.count; ++e) {
    for (int b = 0; b < r.word_bits; ++b) {
      const std::uint64_t pos = r.start_bit + e * static_cast<std::uint64_t>(r.stride_bits) + static_cast<std::uint64_t>(b);
      if ((bytes[pos / 8] >> (pos % 8)) & 1u) w[e] |= std::uint64_t{1} << b;
    }
  }
  return w;
}

// The scales region of parameter tensor `tensor`, or null (version 1 sidecars have none).
const FileRegion* scales_of(const std::vector<FileRegion>& regions, std::uint64_t tensor) {
  for (const auto& r : regions) if (r.structure == Structure::kScales && r.tensor == tensor) return &r;
  return nullptr;
}

// Pipeline images: rebuild each tensor's metadata from the sidecar and decode with correction.
std::vector<float> decode_pipeline_image(std::span<const std::uint8_t> bytes, const nlohmann::json& j,
                                         const std::vector<FileRegion>& regions, const std::string& where) {
  const auto params = j.at("format").at("params").get<std::map<std::string, std::string>>();
  const auto format = make_format("pipeline", params);
  const auto& p = dynamic_cast<const PipelineFormat&>(*format);
  std::vector<float> out;
  std::uint64_t tensor = 0;
  for (const auto& tj : j.at("tensors")) {
    PipelineMeta m;
    m.shape = tj.at("shape").get<std::vector<std::int64_t>>();
    m.n = get_u64(tj, "elements", where);
    m.rows = get_u64(tj, "rows", where);
    m.cols = get_u64(tj, "cols", where);
    m.stored = get_u64(tj, "stored", where);
    m.scale = tj.at("scale").get<double>();
    m.tensor_exponent = tj.at("tensor_exponent").get<int>();
    const auto first = get_u64(tj, "first_region", where), count = get_u64(tj, "region_count", where);
    const auto protects = tj.at("protects").get<std::vector<int>>();
    if (first > regions.size() || count > regions.size() - first || protects.size() != count ||
        (m.cols != 0 && m.rows > std::numeric_limits<std::uint64_t>::max() / m.cols) || m.rows * m.cols != m.n ||
        m.n > bytes.size() * 64 + 64) {
      throw Error(where + ": pipeline tensor entry " + std::to_string(tensor) + " does not match the regions");
    }
    std::vector<std::vector<std::uint8_t>> copies;
    for (std::uint64_t r = first; r < first + count; ++r) {
      const FileRegion& fr = regions[r];
      RegionLayout L{fr.structure, fr.word_bits, fr.count, fr.bits_per_cell, protects[r - first]};
      if (protects[r - first] >= static_cast<int>(count)) throw Error(where + ": region '" + fr.name + "' protects a region outside its tensor");
      if (fr.start_bit % 8 != 0 || fr.stride_bits != fr.word_bits) throw Error(where + ": region '" + fr.name + "' is not a dense pipeline region");
      const std::uint64_t nbytes = (L.bit_count() + 7) / 8;
      copies.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(fr.start_bit / 8),
                          bytes.begin() + static_cast<std::ptrdiff_t>(fr.start_bit / 8 + nbytes));
      m.regions.push_back(L);
    }
    if (const FileRegion* sc = scales_of(regions, tensor)) p.set_meta_scale_words(region_words(bytes, *sc), m);
    std::vector<std::span<const std::uint8_t>> stored(copies.begin(), copies.end());
    const std::size_t base = out.size();
    out.resize(base + m.n);
    p.decode_tensor(m, stored, std::span<float>(out).subspan(base, m.n));
    ++tensor;
  }
  return out;
}

}  // namespace

std::vector<float> decode_image(std::span<const std::uint8_t> bytes, const nlohmann::json& j, const std::string& where) {
  try {
    const std::vector<FileRegion> regions = read_regions(bytes, j, where);
    const auto& fj = j.at("format");
    if (j.contains("tensors")) return decode_pipeline_image(bytes, j, regions, where);
    // Fixed-point params list every key of the "fixed" schema (presets included); the float
    // formats are named by their first four characters (fp32, fp16, bf16).
    const std::string name = fj.at("params").contains("symmetric") ? "fixed" : fj.at("name").get<std::string>().substr(0, 4);
    std::map<std::string, std::string> params = fj.at("params").get<std::map<std::string, std::string>>();
    const auto format = make_format(name, params);
    std::vector<float> out;
    const auto w = static_cast<std::uint64_t>(format->value_bytes());
    for (const FileRegion& r : regions) {
      if (r.structure == Structure::kScales) continue;
      if (r.structure != Structure::kValues) {
        throw Error(where + ": region structure '" + std::string(to_string(r.structure)) + "' cannot be decoded by format " + name);
      }
      TensorParams p;
      const auto& pj = r.params;
      p.scale = pj.at("scale").get<double>();
      p.offset = pj.at("offset").get<double>();
      p.lo = pj.value("lo", 0.0);
      p.hi = pj.value("hi", 0.0);
      p.max_exponent = pj.value("max_exponent", 0);
      if (pj.contains("channel_elements")) {
        p.channel_elements = get_u64(pj, "channel_elements", where);
        p.channel_scale = pj.at("channel_scale").get<std::vector<double>>();
        p.channel_offset = pj.at("channel_offset").get<std::vector<double>>();
      }
      const auto m = static_cast<std::uint64_t>(r.word_bits);
      const auto stride = static_cast<std::uint64_t>(r.stride_bits);
      if (m != static_cast<std::uint64_t>(format->value_bits()) || (stride != m && stride != 8 * w)) {
        throw Error(where + ": region '" + r.name + "' word/stride bits do not match format " + format->name());
      }
      if (p.channel_elements > 0 &&
          (p.channel_scale.size() > r.count / p.channel_elements + 1 || p.channel_scale.size() * p.channel_elements != r.count ||
           p.channel_offset.size() != p.channel_scale.size())) {
        throw Error(where + ": region '" + r.name + "' channel parameters do not cover its values");
      }
      if (const FileRegion* sc = scales_of(regions, r.tensor)) {
        const std::vector<std::uint64_t> words = region_words(bytes, *sc);
        if (words.size() != format->scale_words(p).words.size()) {
          throw Error(where + ": region '" + sc->name + "' holds " + std::to_string(words.size()) + " scale words; format " +
                      format->name() + " needs " + std::to_string(format->scale_words(p).words.size()));
        }
        format->set_scale_words(words, p);
      }
      std::vector<std::uint8_t> aligned(r.count * w, 0);
      for (std::uint64_t e = 0; e < r.count; ++e) {
        for (std::uint64_t b = 0; b < m; ++b) {
          const std::uint64_t pos = r.start_bit + e * stride + b;
          if ((bytes[pos / 8] >> (pos % 8)) & 1u) aligned[e * w + b / 8] = static_cast<std::uint8_t>(aligned[e * w + b / 8] | (1u << (b % 8)));
        }
      }
      const std::size_t base = out.size();
      out.resize(base + r.count);
      format->decode(aligned, p, std::span<float>(out).subspan(base, r.count));
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": malformed sidecar (" + std::string(e.what()) + ")");
  }
}

std::vector<float> decode_image_files(const std::string& image_path, const std::string& sidecar_path) {
  const auto bytes = read_bytes(image_path);
  std::ifstream in(sidecar_path);
  if (!in) throw Error(sidecar_path + ": cannot open the sidecar for reading");
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) throw Error(sidecar_path + ": not valid JSON");
  return decode_image(bytes, j, sidecar_path);
}

}  // namespace memlapse
