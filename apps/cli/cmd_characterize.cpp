// memlapse characterize: the highest error rate (or operating parameter) a network tolerates at a
// target accuracy (000 §3.3 coarse / fine), and the mapping onto a memory system (000 §3.4), as
// flags. It builds the experiment document `memlapse run` reads (--print-spec shows it): the
// experiment file EXPERIMENT if given, else one partition "main" holding every weight with fault
// model --fault, and a [characterize] section from the flags (describe experiment).
#include <CLI/CLI.hpp>

#include <filesystem>

#include "commands.h"
#include "front_end.h"
#include "memlapse/core/error.h"
#include "memlapse/experiment/spec.h"
#include "spec_flags.h"

namespace memlapse::cli {
namespace {

struct CharacterizeFlags {
  SchemaFlags schema;
  ModelFormatFlags model_format;
  std::string file, out, fault = "uniform", placement;
  std::vector<std::string> fault_opts;
  CLI::Option* fault_opt = nullptr;
};

ConfigDoc build_doc(const CharacterizeFlags& f) {
  ConfigDoc doc = f.file.empty() ? ConfigDoc(toml::table{}, "memlapse characterize") : ConfigDoc::load(f.file);
  if (!f.out.empty()) doc.set_node("experiment.out", toml::value<std::string>(f.out), "--out " + f.out);
  else if (doc.find("experiment.out") == nullptr) {
    if (f.file.empty()) throw Error("--out is required without an experiment file");
    doc.set_node("experiment.out", toml::value<std::string>("runs/" + std::filesystem::path(f.file).stem().string()), f.file);
  }
  f.schema.apply(doc);
  f.model_format.apply(doc);
  if (!f.placement.empty()) {
    const ConfigDoc pl = ConfigDoc::load(f.placement);
    for (const char* key : {"partition", "placement"}) {
      if (const toml::node* n = pl.root().get(key)) doc.set_node(key, *n, f.placement);
    }
  } else if (doc.find("partition") == nullptr || f.fault_opt->count() > 0) {
    doc.set_node("partition", toml::array{toml::table{{"name", "main"}, {"fault", toml::table{{"model", f.fault}}}}}, "--fault " + f.fault);
  }
  if (!f.fault_opts.empty()) {
    if (doc.find("partition.main") == nullptr) throw Error("--fault-opt applies to partition 'main', which this experiment does not define");
    set_kv(doc, "partition.main.fault", f.fault_opts, "--fault-opt", nullptr);
  }
  if (doc.find("characterize") == nullptr) doc.set_node("characterize", toml::table{}, "memlapse characterize");
  if (doc.find("sweep") != nullptr) throw Error(doc.where("sweep") + ": an experiment with a [sweep] is run with `memlapse run`; characterize needs one without");
  return doc;
}

}  // namespace

void add_characterize_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("characterize",
                                 "the highest error rate / operating point a network tolerates at a target accuracy (coarse, per data type) "
                                 "and its mapping onto memory partitions, decided with sequential statistics (a front end of run)");
  auto f = std::make_shared<CharacterizeFlags>();
  auto fe = std::make_shared<FrontEnd>();
  cmd->add_option("EXPERIMENT", f->file, "experiment file to start from (its [characterize] section, model, format, partitions)");
  f->schema.add(cmd, model_schema(), "model", {}, {});
  f->schema.add(cmd, data_schema(), "data", {"validation"});
  f->schema.add(cmd, characterize_schema(), "characterize", {}, {{"fault", "--type-fault"}});
  f->model_format.add(cmd);
  f->fault_opt = cmd->add_option("--fault", f->fault, "fault model of partition main, whose rate or operating point is searched")->capture_default_str();
  cmd->add_option("--fault-opt", f->fault_opts, "fault-model parameter key=value of partition main");
  cmd->add_option("--placement", f->placement, "memory system and placement file ([[partition]] + [placement])");
  cmd->add_option("--out", f->out, "output directory (experiment.out)");
  fe->add(cmd);
  cmd->callback([&ctx, f, fe] {
    ctx.action = [&ctx, f, fe] {
      ConfigDoc doc = build_doc(*f);
      return fe->finish(doc, ctx);
    };
  });
}

}  // namespace memlapse::cli
