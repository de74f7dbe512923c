#pragma once
// Memory images on disk: the raw image bytes plus a JSON sidecar that says how to read them
// (format, per-tensor scales/offsets/bounds, regions and layout; docs/formats.md). Another tool
// can check an image bit for bit from the sidecar alone; decode_image() is memlapse's reader.
// Example:
//   auto v = read_f32_file("w.f32");                        // Error unless size % 4 == 0
//   MemoryImage img(make_format("rquant", {}));  img.prepare(...);  img.add_tensor("w", {n}, v);
//   write_image_files("w.img", img);                         // w.img + w.img.json
//   std::vector<float> back = decode_image_files("w.img", "w.img.json");
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlapse/image/memory_image.h"

namespace memlapse {

// Sidecar version written: 2 adds partitions and the scales regions (version 1 is still read).
inline constexpr int kImageSidecarVersion = 2;

// Contract: the float32 values of a raw little-endian file; Error naming the file when it cannot
// be read or its size is not a multiple of 4.
std::vector<float> read_f32_file(const std::string& path);
// Contract: writes values as raw little-endian float32; Error naming the file on failure.
void write_f32_file(const std::string& path, std::span<const float> values);
// Contract: the sidecar describing every region of `image` (see docs/formats.md).
nlohmann::json image_sidecar(const MemoryImage& image);
// Contract: writes image.bytes() to `path` and the sidecar to `path + ".json"`.
void write_image_files(const std::string& path, const MemoryImage& image);
// Contract: every tensor of the image decoded, concatenated in region order. Error naming
// `where` when the sidecar is malformed or does not match the byte count.
std::vector<float> decode_image(std::span<const std::uint8_t> bytes, const nlohmann::json& sidecar, const std::string& where);
// Contract: decode_image() of the two files.
std::vector<float> decode_image_files(const std::string& image_path, const std::string& sidecar_path);

}  // namespace memlapse
