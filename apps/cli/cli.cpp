#include "cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "memlapse/core/error.h"
#include "memlapse/version.h"

namespace memlapse::cli {

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"memlapse: deep neural networks on memory that makes mistakes", "memlapse"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(kVersion) + " (" + kGitRevision + ")");
  CommandContext ctx{out, err, {}, args};
  for (auto add : all_commands()) add(app, ctx);
  std::vector<std::string> rev(args.rbegin(), args.rend());
  if (!rev.empty()) rev.pop_back();  // program name
  try {
    app.parse(rev);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "memlapse: " << e.what() << "\n";
    // Help for a subcommand is raised through the subcommand.
    return e.get_exit_code() == 0 ? 0 : 2;
  }
  if (!ctx.action) {
    err << "memlapse: no command given\n";
    return 2;
  }
  try {
    return ctx.action();
  } catch (const Error& e) {
    err << "memlapse: error: " << e.what() << "\n";
    return 1;
  } catch (const InternalError& e) {
    err << "memlapse: " << e.what() << " (please report this)\n";
    return 3;
  } catch (const std::exception& e) {
    err << "memlapse: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace memlapse::cli
