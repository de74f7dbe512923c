// memlapse encode / decode: a raw little-endian float32 file <-> a memory image (raw bytes) plus
// its JSON sidecar (image/image_io.h, docs/formats.md).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <ostream>

#include "commands.h"
#include "memlapse/core/error.h"
#include "memlapse/image/image_io.h"
#include "memlapse/experiment/backend.h"
#include "spec_flags.h"

namespace memlapse::cli {
namespace {
// "10,100" -> {10, 100}: any rank, non-negative dimensions.
std::vector<std::int64_t> parse_any_shape(const std::string& text) {
  std::vector<std::int64_t> dims;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    std::size_t used = 0;
    long long d = -1;
    try { d = std::stoll(item, &used); } catch (const std::exception&) { used = 0; }
    if (item.empty() || used != item.size() || d < 0) {
      throw Error("--shape: '" + item + "' in '" + text + "' is not a non-negative integer; expected d0,d1,...");
    }
    dims.push_back(d);
    start = end + 1;
  }
  return dims;
}
}  // namespace

void add_encode_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("encode", "encode a raw little-endian float32 file into a memory image + JSON sidecar");
  struct Opts {
    std::string input, out, format = "fixed", shape, name = "tensor", model, tensor;
    std::vector<std::string> format_opts;
  };
  auto o = std::make_shared<Opts>();
  auto* in = cmd->add_option("--input", o->input, "raw little-endian float32 file");
  auto* model = cmd->add_option("--model", o->model, "checkpoint directory or TorchScript .pt file (with --tensor; loads LibTorch)");
  cmd->add_option("--tensor", o->tensor, "name of the model parameter to encode (with --model)");
  in->excludes(model);
  cmd->add_option("--format", o->format, "storage format (see `memlapse describe formats`)")->capture_default_str();
  cmd->add_option("--format-opt", o->format_opts, "format parameter key=value");
  cmd->add_option("--shape", o->shape, "tensor shape d0,d1,... (dimension 0 = output channels); default: flat");
  cmd->add_option("--name", o->name, "tensor name recorded in the sidecar")->capture_default_str();
  cmd->add_option("--out", o->out, "image file to write; the sidecar goes to OUT.json")->required();
  cmd->callback([&ctx, o] {
    ctx.action = [&ctx, o] {
      std::vector<float> values;
      std::vector<std::int64_t> shape;
      if (!o->model.empty()) {
        if (o->tensor.empty()) throw Error("encode: --model needs --tensor NAME (the parameter to encode)");
        values = model_backend().tensor(o->model, o->tensor, shape);
        if (o->name == "tensor") o->name = o->tensor;
      } else {
        if (o->input.empty()) throw Error("encode: give --input FILE (raw float32) or --model M --tensor NAME");
        values = read_f32_file(o->input);
        shape = {static_cast<std::int64_t>(values.size())};
      }
      if (!o->shape.empty()) shape = parse_any_shape(o->shape);
      MemoryImage image(make_format(o->format, parse_kv(o->format_opts, "--format-opt")));
      const std::vector<std::span<const float>> all = {values};
      image.prepare(all);  // a global range over one tensor is that tensor's range
      image.add_tensor(o->name, shape, values);
      write_image_files(o->out, image);
      ctx.out << "encoded " << values.size() << " values as " << image.format().name() << " into " << o->out << " ("
              << image.bytes().size() << " bytes) and " << o->out << ".json\n";
      if (image.tensor_count() > 1) {  // one region per data structure (scales included)
        for (std::uint32_t r = 0; r < image.tensor_count(); ++r) {
          const TensorSlot& s = image.tensor(r);
          ctx.out << "  region " << r << " " << s.name << ": " << s.count << " x " << s.word_bits << "-bit words, "
                  << s.bits_per_cell << " bit(s)/cell, partition " << s.partition << " byte " << s.byte_offset << "\n";
        }
      }
      return 0;
    };
  });
}

void add_decode_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("decode", "decode a memory image (with its JSON sidecar) back to raw float32");
  auto image = std::make_shared<std::string>(), sidecar = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  cmd->add_option("--image", *image, "memory image file")->required();
  cmd->add_option("--sidecar", *sidecar, "JSON sidecar (default: IMAGE.json)");
  cmd->add_option("--out", *out, "raw little-endian float32 file to write")->required();
  cmd->callback([&ctx, image, sidecar, out] {
    ctx.action = [&ctx, image, sidecar, out] {
      const auto v = decode_image_files(*image, sidecar->empty() ? *image + ".json" : *sidecar);
      write_f32_file(*out, v);
      ctx.out << "decoded " << v.size() << " values into " << *out << "\n";
      return 0;
    };
  });
}

}  // namespace memlapse::cli
