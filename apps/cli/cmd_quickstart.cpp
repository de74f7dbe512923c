// memlapse quickstart: train (or reuse) the quickstart model, then the first bit-error campaign:
// p in {1e-5, 1e-4, 1e-3, 3e-3, 1e-2}, 8-bit NORMAL fixed point, 10 chips, full test set.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>

#include "adapters/torch/api.h"
#include "commands.h"
#include "options.h"

namespace memlapse::cli {

namespace {
// The quickstart model: see README for why this one (accuracy within the 10-minute budget).
constexpr const char* kArch = "simplenet";
constexpr const char* kWidth = "0.25";
constexpr int kEpochs = 12;
}  // namespace

void add_quickstart_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("quickstart", "train the quickstart model (cached) and run an 8-bit bit-error sweep");
  auto dir = std::make_shared<std::string>("runs/quickstart");
  auto chips = std::make_shared<std::uint64_t>(10);
  auto threads = std::make_shared<int>(0);
  cmd->add_option("--out", *dir, "working directory (checkpoint in DIR/model, sweep in DIR/sweep)")->capture_default_str();
  cmd->add_option("--chips", *chips, "chips per rate")->capture_default_str();
  cmd->add_option("--threads", *threads, "LibTorch threads (0 = all cores)")->capture_default_str();
  cmd->callback([&ctx, dir, chips, threads] {
    ctx.action = [&ctx, dir, chips, threads] {
      torch_adapter::TrainOptions t;
      t.arch = kArch;
      t.arch_params = {{"width", kWidth}, {"norm", "gn"}, {"reparam", "false"}};  // plain GN scale (no 004 App. E reparameterisation: no clipping here)
      t.epochs = kEpochs;
      t.out = *dir + "/model";
      t.threads = *threads;
      t.resume = true;  // reuses a finished checkpoint, continues an interrupted one
      ctx.out << "quickstart 1/2: training " << kArch << " (width " << kWidth << ", GroupNorm) on Fashion-MNIST for "
              << kEpochs << " epochs -> " << t.out << " (reused if already trained)\n" << std::flush;
      auto tr = torch_adapter::train(t, ctx.err);
      ctx.out << "  clean test accuracy " << 100 * tr.test_accuracy << "%, training time " << tr.train_seconds << " s\n";
      torch_adapter::SweepOptions s;
      s.model = t.out;
      s.format = "fixed";
      s.format_params = {{"bits", "8"}};
      s.rates = {1e-5, 1e-4, 1e-3, 3e-3, 1e-2};
      s.chips = *chips;
      s.seed = 1;
      s.threads = *threads;
      s.out = *dir + "/sweep";
      s.resume = true;
      s.command_line = join_args(0, ctx.args);
      ctx.out << "quickstart 2/2: uniform random bit errors (004 §3) in the 8-bit weights, " << s.chips
              << " chips per rate -> " << s.out << "\n" << std::flush;
      auto r = torch_adapter::sweep(s, ctx.out, ctx.err);
      ctx.out << "time per chip: " << r.mean_inject_ms << " ms injection + " << r.mean_infer_ms << " ms inference\n";
      return r.interrupted ? 130 : 0;
    };
  });
}

}  // namespace memlapse::cli
