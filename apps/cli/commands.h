#pragma once
// Declarations of every command adder; see commands.cpp for the list.
#include "cli.h"

namespace memlapse::cli {
void add_describe_command(CLI::App& app, CommandContext& ctx);
void add_array_command(CLI::App& app, CommandContext& ctx);  // memory array models (memory/)
void add_encode_command(CLI::App& app, CommandContext& ctx);  // cmd_encode.cpp (formats issue)
void add_decode_command(CLI::App& app, CommandContext& ctx);  // cmd_encode.cpp (formats issue)
void add_fault_command(CLI::App& app, CommandContext& ctx);   // cmd_fault.cpp (fault-model issue)
#ifdef MEMLAPSE_WITH_TORCH
void add_train_command(CLI::App& app, CommandContext& ctx);
void add_sweep_command(CLI::App& app, CommandContext& ctx);
void add_quickstart_command(CLI::App& app, CommandContext& ctx);
#endif
}  // namespace memlapse::cli
