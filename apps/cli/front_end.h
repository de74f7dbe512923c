#pragma once
// What every experiment front end (`run`, `sweep`, `train`, `quickstart`) shares: --set overrides,
// --print-spec (the experiment file the command line stands for), --resume, and running the
// document through the one pipeline (experiment/runner.h).
// Example:
//   FrontEnd fe;  fe.add(cmd);
//   ... build doc from the command's flags ...
//   return fe.finish(doc, ctx);
#include <string>
#include <vector>

#include "cli.h"
#include "memlapse/config/config.h"
#include "memlapse/experiment/runner.h"

namespace memlapse::cli {

struct FrontEnd {
  std::vector<std::string> sets;
  bool print_spec = false, resume = false;
  // Contract: adds --set, --print-spec and (when with_resume) --resume to `cmd`.
  void add(CLI::App* cmd, bool with_resume = true);
  // Contract: applies --set, then prints the checked spec (--print-spec) or runs it; returns the
  // exit code (130 when interrupted). `result` receives the run's result when given.
  int finish(ConfigDoc& doc, CommandContext& ctx, RunResult* result = nullptr) const;
};

}  // namespace memlapse::cli
