// memlapse train: trains a zoo model on an MNIST-format dataset and writes a checkpoint.
#include <CLI/CLI.hpp>
#include <iostream>

#include "adapters/torch/api.h"
#include "commands.h"
#include "options.h"

namespace memlapse::cli {

void add_train_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("train", "train a zoo model (SGD, momentum, weight decay; checkpoints + resume)");
  auto o = std::make_shared<torch_adapter::TrainOptions>();
  auto arch_opts = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--model,--arch", o->arch, "zoo architecture: lenet5 | simplenet | resnet")->capture_default_str();
  cmd->add_option("--arch-opt", *arch_opts, "architecture parameter key=value (e.g. width=0.5 norm=bn); see `memlapse describe models`");
  cmd->add_option("--data", o->data.dir, "MNIST-format directory")->capture_default_str();
  cmd->add_option("--limit", o->data.limit, "use only the first N training examples (0 = all)")->capture_default_str();
  cmd->add_option("--validation", o->data.validation, "hold out the last N training examples for validation")->capture_default_str();
  cmd->add_option("--eval-limit", o->eval_limit, "test examples for per-epoch evaluation (0 = all)")->capture_default_str();
  cmd->add_option("--epochs", o->epochs)->capture_default_str();
  cmd->add_option("--batch-size", o->batch_size)->capture_default_str();
  cmd->add_option("--lr", o->lr, "initial learning rate")->capture_default_str();
  cmd->add_option("--momentum", o->momentum)->capture_default_str();
  cmd->add_option("--weight-decay", o->weight_decay)->capture_default_str();
  cmd->add_option("--schedule", o->schedule, "cosine | step")->capture_default_str();
  cmd->add_option("--step-epochs", o->step_epochs, "step schedule: epochs between decays")->capture_default_str();
  cmd->add_option("--step-gamma", o->step_gamma, "step schedule: decay factor")->capture_default_str();
  cmd->add_option("--seed", o->seed)->capture_default_str();
  cmd->add_option("--threads", o->threads, "LibTorch threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--out", o->out, "checkpoint directory")->required();
  cmd->add_flag("--resume", o->resume, "continue the checkpoint in --out");
  cmd->add_option("--stop-after", o->stop_after, "stop after N epochs of this run (continue later with --resume)")->capture_default_str();
  cmd->callback([&ctx, o, arch_opts] {
    ctx.action = [&ctx, o, arch_opts] {
      o->arch_params = parse_kv(*arch_opts, "--arch-opt");
      auto r = torch_adapter::train(*o, ctx.err);
      ctx.out << "trained " << o->arch << " (" << r.parameters << " parameters): test accuracy "
              << 100 * r.test_accuracy << "% in " << r.train_seconds << " s (" << r.seconds_per_epoch
              << " s/epoch); checkpoint " << o->out << "\n";
      return 0;
    };
  });
}

}  // namespace memlapse::cli
