#pragma once
// Declarations of every command adder; see commands.cpp for the list.
#include "cli.h"

namespace memlapse::cli {
void add_describe_command(CLI::App& app, CommandContext& ctx);    // registries and experiment keys
void add_run_command(CLI::App& app, CommandContext& ctx);         // cmd_run.cpp: experiment files
void add_results_command(CLI::App& app, CommandContext& ctx);     // cmd_run.cpp: results-store exports
void add_report_command(CLI::App& app, CommandContext& ctx);      // cmd_run.cpp: HTML report
void add_sweep_command(CLI::App& app, CommandContext& ctx);       // front end of run
void add_characterize_command(CLI::App& app, CommandContext& ctx);  // front end of run
void add_train_command(CLI::App& app, CommandContext& ctx);       // front end of run
void add_quickstart_command(CLI::App& app, CommandContext& ctx);  // front end of run
void add_array_command(CLI::App& app, CommandContext& ctx);       // memory array models (memory/)
void add_encode_command(CLI::App& app, CommandContext& ctx);      // cmd_encode.cpp (formats issue)
void add_decode_command(CLI::App& app, CommandContext& ctx);      // cmd_encode.cpp (formats issue)
void add_fault_command(CLI::App& app, CommandContext& ctx);       // cmd_fault.cpp (fault-model issue)
}  // namespace memlapse::cli
