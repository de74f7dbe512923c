#pragma once
// The memlapse command line as a library: main.cpp is one call to run_cli(), tests call it too.
// Each command lives in its own cmd_*.cpp and is added in commands.cpp (one explicit place).
// Example:
//   std::ostringstream out, err;
//   int rc = memlapse::cli::run_cli({"memlapse", "describe", "formats"}, out, err);
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI { class App; }

namespace memlapse::cli {

// Exit codes: 0 ok, 1 user error (bad input, named in the message), 2 usage error, 3 internal bug,
// 130 interrupted.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// A command adds its subcommand to `app`; the callback it installs sets `action`, run after parsing.
struct CommandContext {
  std::ostream& out;
  std::ostream& err;
  std::function<int()> action;  // set by the chosen subcommand's callback
  std::vector<std::string> args;  // the command line, recorded beside results
};

using CommandAdder = void (*)(CLI::App& app, CommandContext& ctx);

// The list of commands (commands.cpp).
const std::vector<CommandAdder>& all_commands();

}  // namespace memlapse::cli
