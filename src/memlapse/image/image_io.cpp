#include "memlapse/image/image_io.h"

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "memlapse/core/error.h"

namespace memlapse {

namespace {
std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open for reading");
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
void write_bytes(const std::string& path, const void* data, std::size_t n) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot open for writing");
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
  if (!out) throw Error(path + ": write failed");
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
  j["memlapse_image"] = 1;
  j["format"] = {{"name", f.name()}, {"params", f.params()}, {"value_bits", f.value_bits()},
                 {"layout", f.dense_layout() ? "dense" : "byte"}};
  j["bytes"] = image.bytes().size();
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
                       {"count", s.count}, {"byte_offset", s.byte_offset}, {"word_bits", s.word_bits},
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
                         {"shape", m.shape}, {"elements", m.n}, {"rows", m.rows}, {"cols", m.cols}, {"stored", m.stored},
                         {"scale", m.scale}, {"tensor_exponent", m.tensor_exponent}, {"protects", protects}});
    }
    j["tensors"] = tensors;
  }
  return j;
}

void write_image_files(const std::string& path, const MemoryImage& image) {
  write_bytes(path, image.bytes().data(), image.bytes().size());
  const std::string side = image_sidecar(image).dump(2) + "\n";
  write_bytes(path + ".json", side.data(), side.size());
}

namespace {

// Pipeline images: rebuild each tensor's metadata from the sidecar and decode with correction.
std::vector<float> decode_pipeline_image(std::span<const std::uint8_t> bytes, const nlohmann::json& j, const std::string& where) {
  const auto params = j.at("format").at("params").get<std::map<std::string, std::string>>();
  const auto format = make_format("pipeline", params);
  const auto& p = dynamic_cast<const PipelineFormat&>(*format);
  if (j.at("bytes").get<std::uint64_t>() != bytes.size()) {
    throw Error(where + ": the sidecar says " + std::to_string(j.at("bytes").get<std::uint64_t>()) +
                " image bytes but the image has " + std::to_string(bytes.size()));
  }
  const auto& regions = j.at("regions");
  std::vector<float> out;
  for (const auto& tj : j.at("tensors")) {
    PipelineMeta m;
    m.shape = tj.at("shape").get<std::vector<std::int64_t>>();
    m.n = tj.at("elements").get<std::uint64_t>();
    m.rows = tj.at("rows").get<std::uint64_t>();
    m.cols = tj.at("cols").get<std::uint64_t>();
    m.stored = tj.at("stored").get<std::uint64_t>();
    m.scale = tj.at("scale").get<double>();
    m.tensor_exponent = tj.at("tensor_exponent").get<int>();
    const auto first = tj.at("first_region").get<std::size_t>(), count = tj.at("region_count").get<std::size_t>();
    const auto protects = tj.at("protects").get<std::vector<int>>();
    if (first + count > regions.size() || protects.size() != count || m.rows * m.cols != m.n) {
      throw Error(where + ": pipeline tensor entry does not match the regions");
    }
    std::vector<std::span<const std::uint8_t>> stored;
    for (std::size_t r = first; r < first + count; ++r) {
      const auto& rj = regions[r];
      RegionLayout L{structure_from_string(rj.at("structure").get<std::string>()), rj.at("word_bits").get<int>(),
                     rj.at("count").get<std::uint64_t>(), rj.at("bits_per_cell").get<int>(), protects[r - first]};
      const auto off = rj.at("byte_offset").get<std::uint64_t>();
      const std::uint64_t nbytes = (L.bit_count() + 7) / 8;
      if (off + nbytes > bytes.size()) throw Error(where + ": region '" + rj.at("name").get<std::string>() + "' runs past the end of the image");
      stored.push_back(bytes.subspan(off, nbytes));
      m.regions.push_back(L);
    }
    const std::size_t base = out.size();
    out.resize(base + m.n);
    p.decode_tensor(m, stored, std::span<float>(out).subspan(base, m.n));
  }
  return out;
}

}  // namespace

std::vector<float> decode_image(std::span<const std::uint8_t> bytes, const nlohmann::json& j, const std::string& where) {
  try {
    const auto& fj = j.at("format");
    if (j.contains("tensors")) return decode_pipeline_image(bytes, j, where);
    // Fixed-point params list every key of the "fixed" schema (presets included); the float
    // formats are named by their first four characters (fp32, fp16, bf16).
    const std::string name = fj.at("params").contains("symmetric") ? "fixed" : fj.at("name").get<std::string>().substr(0, 4);
    std::map<std::string, std::string> params = fj.at("params").get<std::map<std::string, std::string>>();
    const auto format = make_format(name, params);
    if (j.at("bytes").get<std::uint64_t>() != bytes.size()) {
      throw Error(where + ": the sidecar says " + std::to_string(j.at("bytes").get<std::uint64_t>()) +
                  " image bytes but the image has " + std::to_string(bytes.size()));
    }
    std::vector<float> out;
    const auto w = static_cast<std::uint64_t>(format->value_bytes());
    for (const auto& r : j.at("regions")) {
      const std::string structure = r.at("structure").get<std::string>();
      if (structure != "values") throw Error(where + ": region structure '" + structure + "' cannot be decoded by format " + name);
      TensorParams p;
      const auto& pj = r.at("params");
      p.scale = pj.at("scale").get<double>();
      p.offset = pj.at("offset").get<double>();
      p.lo = pj.value("lo", 0.0);
      p.hi = pj.value("hi", 0.0);
      p.max_exponent = pj.value("max_exponent", 0);
      if (pj.contains("channel_elements")) {
        p.channel_elements = pj.at("channel_elements").get<std::uint64_t>();
        p.channel_scale = pj.at("channel_scale").get<std::vector<double>>();
        p.channel_offset = pj.at("channel_offset").get<std::vector<double>>();
      }
      const auto count = r.at("count").get<std::uint64_t>();
      const auto off = r.at("byte_offset").get<std::uint64_t>();
      const auto m = static_cast<std::uint64_t>(r.at("word_bits").get<int>());
      const auto stride = static_cast<std::uint64_t>(r.at("stride_bits").get<int>());
      if (m != static_cast<std::uint64_t>(format->value_bits()) || (stride != m && stride != 8 * w)) {
        throw Error(where + ": region '" + r.at("name").get<std::string>() + "' word/stride bits do not match format " + format->name());
      }
      if (p.channel_elements > 0 && (p.channel_scale.size() * p.channel_elements != count || p.channel_offset.size() != p.channel_scale.size())) {
        throw Error(where + ": region '" + r.at("name").get<std::string>() + "' channel parameters do not cover its values");
      }
      if (off * 8 + count * stride > bytes.size() * 8) {
        throw Error(where + ": region '" + r.at("name").get<std::string>() + "' runs past the end of the image");
      }
      std::vector<std::uint8_t> aligned(count * w, 0);
      for (std::uint64_t e = 0; e < count; ++e) {
        for (std::uint64_t b = 0; b < m; ++b) {
          const std::uint64_t pos = off * 8 + e * stride + b;
          if ((bytes[pos / 8] >> (pos % 8)) & 1u) aligned[e * w + b / 8] = static_cast<std::uint8_t>(aligned[e * w + b / 8] | (1u << (b % 8)));
        }
      }
      const std::size_t base = out.size();
      out.resize(base + count);
      format->decode(aligned, p, std::span<float>(out).subspan(base, count));
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
