// memlapse train: trains a zoo model on an MNIST-format dataset and writes a checkpoint; a front
// end of `memlapse run` (its [model], [data] and [train] sections; --print-spec shows them).
#include <CLI/CLI.hpp>

#include "commands.h"
#include "front_end.h"
#include "memlapse/core/error.h"
#include "memlapse/experiment/train_spec.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/formats/format.h"
#include "spec_flags.h"

namespace memlapse::cli {

void add_train_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("train", "train a zoo model (SGD, momentum, weight decay; checkpoints + resume; a front end of run)");
  struct Flags {
    SchemaFlags schema;
    std::string arch = "simplenet", out, quant, randbet_fault;
    std::vector<std::string> arch_opts, quant_opts, randbet_opts, curricular_opts;
    int bits = 0;
  };
  auto f = std::make_shared<Flags>();
  auto fe = std::make_shared<FrontEnd>();
  cmd->add_option("--model,--arch", f->arch, "zoo architecture (model.source; describe models)")->capture_default_str();
  cmd->add_option("--arch-opt", f->arch_opts, "architecture parameter key=value (model.arch), e.g. width=0.5 norm=bn");
  f->schema.add(cmd, data_schema(), "data", {"synthetic"});
  f->schema.add(cmd, train_schema(), "train", {"out", "resume"});
  cmd->add_option("--out", f->out, "checkpoint directory (train.out)")->required();
  cmd->add_option("--quant", f->quant, "quantization-aware training in this format (train.quant.name; describe formats)");
  cmd->add_option("--bits", f->bits, "bits of the --quant format (train.quant.bits)");
  cmd->add_option("--quant-opt", f->quant_opts, "--quant format parameter key=value");
  cmd->add_option("--randbet-fault", f->randbet_fault, "fault model of RANDBET/PATTBET, whose rate is --randbet (train.randbet_fault.model)");
  cmd->add_option("--randbet-fault-opt", f->randbet_opts, "RANDBET fault-model parameter key=value");
  cmd->add_option("--curricular-fault-opt", f->curricular_opts, "curricular fault-model parameter key=value");
  fe->add(cmd);
  cmd->callback([&ctx, f, fe] {
    ctx.action = [&ctx, f, fe] {
      ConfigDoc doc(toml::table{}, "memlapse train");
      doc.set_node("experiment.out", toml::value<std::string>(f->out), "--out " + f->out);
      doc.set_node("model.source", toml::value<std::string>(f->arch), "--model " + f->arch);
      set_kv(doc, "model.arch", f->arch_opts, "--arch-opt", nullptr);
      doc.set_node("train.out", toml::value<std::string>(f->out), "--out " + f->out);
      doc.set_node("train.resume", toml::value<bool>(fe->resume), "--resume");
      f->schema.apply(doc);
      if (!f->quant.empty()) {
        doc.set_node("train.quant.name", toml::value<std::string>(f->quant), "--quant " + f->quant);
        const ParamSchema* s = format_registry().contains(f->quant) ? &format_registry().find(f->quant).entry.schema : nullptr;
        set_kv(doc, "train.quant", f->quant_opts, "--quant-opt", s);
        if (f->bits != 0) {
          if (parse_kv(f->quant_opts, "--quant-opt").count("bits")) throw Error("train: bits given by both --bits and --quant-opt");
          doc.set_node("train.quant.bits", toml::value<std::int64_t>(f->bits), "--bits");
        }
      } else if (f->bits != 0 || !f->quant_opts.empty()) {
        throw Error("train: --quant-opt/--bits given without --quant");
      }
      if (!f->randbet_fault.empty() || !f->randbet_opts.empty()) {
        const std::string m = f->randbet_fault.empty() ? "uniform" : f->randbet_fault;
        doc.set_node("train.randbet_fault.model", toml::value<std::string>(m), "--randbet-fault " + m);
        const ParamSchema* s = fault_registry().contains(m) ? &fault_registry().find(m).entry.schema : nullptr;
        set_kv(doc, "train.randbet_fault", f->randbet_opts, "--randbet-fault-opt", s);
      }
      if (!f->curricular_opts.empty()) set_kv(doc, "train.curricular_fault", f->curricular_opts, "--curricular-fault-opt", nullptr);
      RunResult r;
      const int rc = fe->finish(doc, ctx, &r);
      return rc;
    };
  });
}

}  // namespace memlapse::cli
