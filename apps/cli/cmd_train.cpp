// memlapse train: trains a zoo model on an MNIST-format dataset and writes a checkpoint.
#include <CLI/CLI.hpp>
#include <iostream>

#include "adapters/torch/api.h"
#include "memlapse/core/error.h"
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
  cmd->add_option("--init", o->init, "start from this checkpoint's weights and architecture (retraining, 000 §3.2)");
  cmd->add_option("--stop-after", o->stop_after, "stop after N epochs of this run (continue later with --resume)")->capture_default_str();
  // Fault-aware training (docs/training.md); every option is recorded in meta.json.
  auto kv = std::make_shared<std::map<std::string, std::vector<std::string>>>();
  auto bits = std::make_shared<int>(0);
  cmd->add_option("--quant", o->quant, "quantization-aware training in this format (e.g. rquant, normal, fixed; see `memlapse describe formats`)");
  cmd->add_option("--bits", *bits, "bits m of the --quant format (2..16)");
  cmd->add_option("--quant-opt", (*kv)["quant"], "--quant format parameter key=value");
  cmd->add_option("--clip", o->clip, "weight clipping w_max: parameters clamped to [-w_max, w_max] after every step (004 §4.2)");
  cmd->add_option("--randbet", o->randbet, "RANDBET bit error rate p (004 Alg. 1)");
  cmd->add_option("--pattbet", o->pattbet, "PATTBET: one fixed bit error pattern at rate p (004 §5.3)");
  cmd->add_option("--randbet-fault", o->randbet_fault, "fault model of RANDBET/PATTBET (p is its ber)")->capture_default_str();
  cmd->add_option("--randbet-fault-opt", (*kv)["randbet"], "RANDBET fault-model parameter key=value");
  cmd->add_option("--randbet-threshold", o->randbet_threshold, "inject once the clean loss is below this")->capture_default_str();
  cmd->add_option("--randbet-variant", o->randbet_variant, "plain | curricular | alternating (004 App. G.4)")->capture_default_str();
  cmd->add_option("--curricular", o->curricular, "EDEN curricular retraining MODEL:RATE, e.g. dram-model0:0.04 (000 §3.2)");
  cmd->add_option("--curricular-fault-opt", (*kv)["curricular"], "curricular fault-model parameter key=value");
  cmd->add_option("--curricular-every", o->curricular_every, "epochs per step of the curricular error rate")->capture_default_str();
  cmd->add_option("--curricular-steps", o->curricular_steps, "steps from 0 to the curricular RATE (0 = RATE from the first epoch: non-curricular)")->capture_default_str();
  cmd->add_option("--correct", o->correct, "zero | none: implausible values (outside the fault-free range) read as 0 (000 §3.2)")->capture_default_str();
  cmd->add_option("--act-faults", o->act_faults, "activation faults TYPE:MODULES:FORMAT:MODEL:RATE, e.g. ofm:conv:rquant,bits=8:uniform:1e-3 (repeatable)");
  cmd->add_option("--label-smoothing", o->label_smoothing, "label smoothing epsilon (004 Table 2)")->capture_default_str();
  cmd->add_flag("--bn-batch-stats", o->bn_batch_stats, "evaluate BatchNorm with batch statistics (004 App. G.1)");
  cmd->callback([&ctx, o, arch_opts, kv, bits] {
    ctx.action = [&ctx, o, arch_opts, kv, bits] {
      o->arch_params = parse_kv(*arch_opts, "--arch-opt");
      o->quant_params = parse_kv((*kv)["quant"], "--quant-opt");
      if (*bits != 0) {
        if (o->quant_params.count("bits") != 0) throw Error("train: bits given by both --bits and --quant-opt");
        o->quant_params["bits"] = std::to_string(*bits);
      }
      o->randbet_fault_params = parse_kv((*kv)["randbet"], "--randbet-fault-opt");
      o->curricular_fault_params = parse_kv((*kv)["curricular"], "--curricular-fault-opt");
      auto r = torch_adapter::train(*o, ctx.err);
      ctx.out << "trained " << o->arch << " (" << r.parameters << " parameters): test accuracy "
              << 100 * r.test_accuracy << "% in " << r.train_seconds << " s (" << r.seconds_per_epoch
              << " s/epoch); checkpoint " << o->out << "\n";
      return 0;
    };
  });
}

}  // namespace memlapse::cli
