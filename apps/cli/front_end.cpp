#include "front_end.h"

#include <CLI/CLI.hpp>

#include "spec_flags.h"

namespace memlapse::cli {

void FrontEnd::add(CLI::App* cmd, bool with_resume) {
  cmd->add_option("--set", sets, "override any experiment key, PATH=VALUE (e.g. sweep.chips=5); repeatable");
  cmd->add_flag("--print-spec", print_spec, "print the experiment file this command stands for, and exit");
  if (with_resume) cmd->add_flag("--resume", resume, "continue the run in the output directory: finished trials are kept, never recomputed");
}

int FrontEnd::finish(ConfigDoc& doc, CommandContext& ctx, RunResult* result) const {
  for (const auto& s : sets) doc.set(s);
  if (print_spec) {
    read_experiment_checked(doc);  // the printed file is one memlapse accepts
    ctx.out << "# " << doc.source() << "\n" << doc.toml_text();
    return 0;
  }
  RunOptions o;
  o.resume = resume;
  o.command_line = join_args(ctx.args);
  RunResult r = run_experiment(doc, o, ctx.out, ctx.err);
  const bool interrupted = r.interrupted;
  if (result != nullptr) *result = std::move(r);
  return interrupted ? 130 : 0;
}

}  // namespace memlapse::cli
