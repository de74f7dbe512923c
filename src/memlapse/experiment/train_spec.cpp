#include "memlapse/experiment/train_spec.h"

#include "memlapse/core/error.h"
#include "memlapse/experiment/zoo.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/formats/format.h"

namespace memlapse {
namespace {

ParamSpec right_open(ParamSpec s) {
  s.max_open = true;
  return s;
}

}  // namespace

const ParamSchema& model_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"source", ParamType::kString, "", "", "zoo name (describe models) | checkpoint directory | TorchScript .pt file"}
          .optional_()
          .with_flag("--model"),
      ParamSpec{"input_shape", ParamType::kIntList, "", "", "C,H,W of the model's input (TorchScript models with synthetic data)"}
          .at_least(1)
          .optional_(),
      ParamSpec{"bn_batch_stats", ParamType::kString, "checkpoint", "", "evaluate BatchNorm with batch statistics (004 App. G.1)"}
          .one_of({"checkpoint", "on", "off"}),
      ParamSpec{"batch_size", ParamType::kInt, "1000", "", "evaluation batch (results do not depend on it)"}.in(1, 1 << 20),
      ParamSpec{"threads", ParamType::kInt, "0", "", "LibTorch threads, 0 = all cores (results do not depend on it)"}.in(0, 4096),
  };
  return kSchema;
}

const ParamSchema& data_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"dir", ParamType::kString, kFashionMnistDir, "", "MNIST-format directory ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz])"}
          .with_flag("--data"),
      ParamSpec{"limit", ParamType::kInt, "0", "", "use only the first N examples of the split (0 = all)"}.at_least(0),
      ParamSpec{"synthetic", ParamType::kInt, "0", "", "evaluate on N seeded synthetic inputs instead (no labels: mismatch only)"}.at_least(0),
      ParamSpec{"validation", ParamType::kInt, "0", "", "training: hold out the last N training examples for validation"}.at_least(0),
  };
  return kSchema;
}

const ParamSchema& train_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"epochs", ParamType::kInt, "10", "", "training epochs"}.in(1, 100000),
      ParamSpec{"batch_size", ParamType::kInt, "128", "", "training batch"}.in(1, 1 << 20),
      ParamSpec{"lr", ParamType::kDouble, "0.05", "", "initial learning rate"}.open_above(0, 100),
      right_open(ParamSpec{"momentum", ParamType::kDouble, "0.9", "", "SGD momentum"}.in(0, 1)),
      ParamSpec{"weight_decay", ParamType::kDouble, "5e-4", "", "L2 weight decay"}.in(0, 1),
      ParamSpec{"schedule", ParamType::kString, "cosine", "", "learning-rate schedule"}.one_of({"cosine", "step"}),
      ParamSpec{"step_epochs", ParamType::kInt, "10", "", "step schedule: epochs between decays"}.at_least(1),
      ParamSpec{"step_gamma", ParamType::kDouble, "0.1", "", "step schedule: decay factor"}.open_above(0, 1),
      ParamSpec{"seed", ParamType::kInt, "1", "", "initialization, shuffling and training-fault seed"}.at_least(0),
      ParamSpec{"threads", ParamType::kInt, "0", "", "LibTorch threads (0 = all cores)"}.in(0, 4096),
      ParamSpec{"out", ParamType::kString, "", "", "checkpoint directory (default: EXPERIMENT_OUT/model)"}.optional_(),
      ParamSpec{"resume", ParamType::kBool, "true", "", "continue, or reuse when finished, the checkpoint in out; false refuses an existing one"},
      ParamSpec{"stop_after", ParamType::kInt, "0", "", "stop after N epochs of this run (continue later; 0 = no limit)"}.at_least(0),
      ParamSpec{"init", ParamType::kString, "", "", "start from this checkpoint's weights and architecture (retraining, 000 §3.2)"},
      ParamSpec{"eval_limit", ParamType::kInt, "0", "", "test examples for per-epoch evaluation (0 = all)"}.at_least(0),
      ParamSpec{"clip", ParamType::kDouble, "0", "", "weight clipping w_max: parameters clamped to [-w_max, w_max] after every step (004 §4.2)"}.at_least(0),
      ParamSpec{"randbet", ParamType::kDouble, "0", "1/bit", "RANDBET bit error rate p (004 Alg. 1)"}.in(0, 1),
      ParamSpec{"pattbet", ParamType::kDouble, "0", "1/bit", "PATTBET: one fixed bit error pattern at rate p (004 §5.3)"}.in(0, 1),
      ParamSpec{"randbet_threshold", ParamType::kDouble, "1.75", "", "inject once the clean loss is below this (004 §4.3)"}.above(0),
      ParamSpec{"randbet_variant", ParamType::kString, "plain", "", "004 App. G.4"}.one_of({"plain", "curricular", "alternating"}),
      ParamSpec{"curricular", ParamType::kString, "", "", "EDEN curricular retraining MODEL:RATE, e.g. dram-model0:0.04 (000 §3.2)"},
      ParamSpec{"curricular_every", ParamType::kInt, "2", "", "epochs per step of the curricular error rate"}.at_least(1),
      ParamSpec{"curricular_steps", ParamType::kInt, "4", "", "steps from 0 to the curricular RATE (0 = RATE from the first epoch)"}.at_least(0),
      ParamSpec{"correct", ParamType::kString, "none", "", "implausible values (outside the fault-free range) read as 0 (000 §3.2)"}
          .one_of({"none", "zero"}),
      ParamSpec{"act_faults", ParamType::kStringList, "", "", "activation faults TYPE:MODULES:FORMAT:MODEL:RATE, one per item"}.one_per_line(),
      right_open(ParamSpec{"label_smoothing", ParamType::kDouble, "0", "", "label smoothing epsilon (004 Table 2)"}.in(0, 1)),
      ParamSpec{"bn_batch_stats", ParamType::kBool, "false", "", "evaluate BatchNorm with batch statistics (004 App. G.1)"},
  };
  return kSchema;
}

DatasetSpec read_dataset_spec(const ConfigDoc& doc) {
  const ParamValues v = TableReader::section(doc, "data").resolve(data_schema());
  DatasetSpec d;
  d.dir = v.get_string("dir");
  d.limit = static_cast<std::size_t>(v.get_int("limit"));
  d.validation = static_cast<std::size_t>(v.get_int("validation"));
  return d;
}

std::map<std::string, std::string> read_arch_params(const ConfigDoc& doc, const std::string& source) {
  const TableReader model = TableReader::section(doc, "model");
  const auto arch = model.table("arch");
  if (!is_zoo_name(source)) {
    if (arch && !arch->raw().empty()) model.fail("arch", "applies to zoo names, not to '" + source + "'");
    return {};
  }
  const RegistryEntry& e = find_registry_entry(zoo_architectures(), source, "model");
  static const toml::table kEmpty;
  const TableReader t = arch ? *arch : TableReader(doc, kEmpty, "model.arch", "model.arch");
  return t.resolve(e.schema).all();
}

TrainOptions read_train_options(const ConfigDoc& doc, const std::string& default_out) {
  const TableReader model = TableReader::section(doc, "model");
  const ParamValues mv = model.resolve(model_schema(), {"arch"});
  const TableReader train = TableReader::section(doc, "train");
  const ParamValues v = train.resolve(train_schema(), {"quant", "randbet_fault", "curricular_fault"});
  TrainOptions o;
  if (!mv.has("source")) model.fail("source", "missing: [train] needs the zoo architecture to train (model.source)");
  o.arch = mv.get_string("source");
  if (!is_zoo_name(o.arch)) {
    // find_registry_entry's message lists the architectures and suggests the closest.
    try {
      find_registry_entry(zoo_architectures(), o.arch, "model", "; [train] trains zoo architectures");
    } catch (const Error& e) {
      model.fail("source", e.what());
    }
  }
  o.arch_params = read_arch_params(doc, o.arch);
  o.data = read_dataset_spec(doc);
  o.epochs = static_cast<int>(v.get_int("epochs"));
  o.batch_size = static_cast<int>(v.get_int("batch_size"));
  o.lr = v.get_double("lr");
  o.momentum = v.get_double("momentum");
  o.weight_decay = v.get_double("weight_decay");
  o.schedule = v.get_string("schedule");
  o.step_epochs = static_cast<int>(v.get_int("step_epochs"));
  o.step_gamma = v.get_double("step_gamma");
  o.seed = static_cast<std::uint64_t>(v.get_int("seed"));
  o.threads = static_cast<int>(v.get_int("threads"));
  o.out = v.has("out") ? v.get_string("out") : default_out;
  o.resume = v.get_bool("resume");
  o.stop_after = static_cast<int>(v.get_int("stop_after"));
  o.init = v.get_string("init");
  o.eval_limit = static_cast<std::size_t>(v.get_int("eval_limit"));
  o.clip = v.get_double("clip");
  o.randbet = v.get_double("randbet");
  o.pattbet = v.get_double("pattbet");
  o.randbet_threshold = v.get_double("randbet_threshold");
  o.randbet_variant = v.get_string("randbet_variant");
  o.curricular = v.get_string("curricular");
  o.curricular_every = static_cast<int>(v.get_int("curricular_every"));
  o.curricular_steps = static_cast<int>(v.get_int("curricular_steps"));
  o.correct = v.get_string("correct");
  o.act_faults = v.get_string_list("act_faults");
  o.label_smoothing = v.get_double("label_smoothing");
  o.bn_batch_stats = v.get_bool("bn_batch_stats");
  if (auto q = train.table("quant")) {
    const auto [impl, values] = q->implementation(format_registry(), "name");
    o.quant = impl->entry.name;
    o.quant_params = q->texts(impl->entry.schema, {"name"});
  }
  if (auto f = train.table("randbet_fault")) {
    // The rate is train.randbet / train.pattbet: only the model and its other keys are given here.
    const toml::node* m = f->raw().get("model");
    if (m == nullptr || m->as_string() == nullptr) f->fail("model", "missing: the fault model of RANDBET/PATTBET");
    try {
      o.randbet_fault = fault_registry().find(m->as_string()->get()).entry.name;
    } catch (const Error& e) {
      f->fail("model", e.what());
    }
    o.randbet_fault_params = f->texts(fault_registry().find(o.randbet_fault).entry.schema, {"model"});
  }
  if (auto f = train.table("curricular_fault")) o.curricular_fault_params = f->texts(ParamSchema{}, {});
  if (o.out.empty()) train.fail("out", "missing: the checkpoint directory");
  return o;
}

}  // namespace memlapse
