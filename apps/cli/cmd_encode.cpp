// memlapse encode / decode: placeholder until the formats issue lands.
#include <CLI/CLI.hpp>

#include "commands.h"
#include "memlapse/core/error.h"

namespace memlapse::cli {

void add_encode_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("encode", "encode float32 data into a memory image (not yet built)");
  cmd->callback([&ctx] { ctx.action = []() -> int { throw Error("encode: not built yet"); }; });
}

void add_decode_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("decode", "decode a memory image back to float32 (not yet built)");
  cmd->callback([&ctx] { ctx.action = []() -> int { throw Error("decode: not built yet"); }; });
}

}  // namespace memlapse::cli
