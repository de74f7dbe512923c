// memlapse quickstart: train (or reuse) the quickstart model, then the first bit-error campaign:
// p in {1e-5, 1e-4, 1e-3, 3e-3, 1e-2}, 8-bit fixed point, 10 chips, full test set. A front end of
// `memlapse run` (--print-spec shows the experiment file).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "commands.h"
#include "front_end.h"

namespace memlapse::cli {

namespace {
// The quickstart model: see README for why this one (accuracy within the 10-minute budget).
constexpr const char* kArch = "simplenet";
constexpr double kWidth = 0.25;
constexpr int kEpochs = 12;
}  // namespace

void add_quickstart_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("quickstart", "train the quickstart model (cached) and run an 8-bit bit-error sweep");
  auto dir = std::make_shared<std::string>("runs/quickstart");
  auto chips = std::make_shared<std::int64_t>(10);
  auto threads = std::make_shared<std::int64_t>(0);
  auto fe = std::make_shared<FrontEnd>();
  cmd->add_option("--out", *dir, "working directory (checkpoint in DIR/model, sweep in DIR/sweep)")->capture_default_str();
  cmd->add_option("--chips", *chips, "chips per rate")->capture_default_str();
  cmd->add_option("--threads", *threads, "LibTorch threads (0 = all cores)")->capture_default_str();
  fe->add(cmd, false);
  cmd->callback([&ctx, dir, chips, threads, fe] {
    ctx.action = [&ctx, dir, chips, threads, fe] {
      // Plain GN scale (no 004 App. E reparameterisation: no clipping here).
      toml::table spec{
          {"experiment", toml::table{{"name", "quickstart"}, {"out", *dir + "/sweep"},
                                     {"description", "004 §3 uniform random bit errors in 8-bit weights of SimpleNet (width 0.25)"}}},
          {"model", toml::table{{"source", kArch}, {"threads", *threads},
                                {"arch", toml::table{{"width", kWidth}, {"norm", "gn"}, {"reparam", false}}}}},
          {"train", toml::table{{"epochs", kEpochs}, {"out", *dir + "/model"}, {"threads", *threads}, {"resume", true}}},
          {"format", toml::table{{"name", "fixed"}, {"bits", 8}}},
          {"partition", toml::array{toml::table{{"name", "main"}, {"fault", toml::table{{"model", "uniform"}}}}}},
          {"sweep", toml::table{{"chips", *chips},
                                {"seed", 1},
                                {"axis", toml::array{toml::table{{"key", "partition.main.fault.ber"},
                                                                 {"values", toml::array{1e-5, 1e-4, 1e-3, 3e-3, 1e-2}}}}}}},
      };
      ConfigDoc doc(std::move(spec), "memlapse quickstart");
      if (!fe->print_spec) {
        ctx.out << "quickstart 1/2: training " << kArch << " (width " << kWidth << ", GroupNorm) on Fashion-MNIST for " << kEpochs
                << " epochs -> " << *dir << "/model (reused if already trained)\n"
                << "quickstart 2/2: uniform random bit errors (004 §3) in the 8-bit weights, " << *chips << " chips per rate -> "
                << *dir << "/sweep\n"
                << std::flush;
      }
      FrontEnd run = *fe;
      run.resume = true;  // reuses a finished checkpoint and finished chips
      RunResult r;
      const int rc = run.finish(doc, ctx, &r);
      if (!fe->print_spec) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "time per chip: %.2f ms injection + %.0f ms inference\n", r.mean_inject_ms, r.mean_infer_ms);
        ctx.out << buf;
      }
      return rc;
    };
  });
}

}  // namespace memlapse::cli
