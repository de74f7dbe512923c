// memlapse fault: placeholder until the fault-model issue lands.
#include <CLI/CLI.hpp>

#include "commands.h"
#include "memlapse/core/error.h"

namespace memlapse::cli {

void add_fault_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("fault", "fault-model tools (not yet built)");
  cmd->callback([&ctx] { ctx.action = []() -> int { throw Error("fault: not built yet"); }; });
}

}  // namespace memlapse::cli
