// memlapse sweep: a bit-error campaign over rates and chips on a model's stored weights.
#include <CLI/CLI.hpp>

#include <algorithm>

#include "adapters/torch/api.h"
#include "memlapse/core/error.h"
#include "commands.h"
#include "options.h"

namespace memlapse::cli {

void add_sweep_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("sweep", "evaluate a model under bit errors in its stored weights, over rates x chips");
  auto o = std::make_shared<torch_adapter::SweepOptions>();
  auto s = std::make_shared<std::map<std::string, std::vector<std::string>>>();
  auto ber = std::make_shared<std::string>();
  auto shape = std::make_shared<std::string>();
  auto bits = std::make_shared<int>(8);
  cmd->add_option("--model", o->model, "zoo name | checkpoint directory | TorchScript .pt file")->required();
  cmd->add_option("--arch-opt", (*s)["arch"], "architecture parameter key=value for a zoo name");
  cmd->add_option("--format", o->format, "storage format (see `memlapse describe formats`)")->capture_default_str();
  cmd->add_option("--bits", *bits, "fixed point width m (2..16)")->capture_default_str();
  cmd->add_option("--format-opt", (*s)["format"], "format parameter key=value");
  cmd->add_option("--fault", o->fault, "fault model (see `memlapse describe faults`)")->capture_default_str();
  cmd->add_option("--fault-opt", (*s)["fault"], "fault-model parameter key=value (other than ber)");
  cmd->add_option("--ber", *ber, "bit error rates, comma-separated, e.g. 1e-5,1e-4,1e-3");
  // Operating-point knobs: one value fixes the parameter, a comma list makes it the swept axis.
  auto knobs = std::make_shared<std::map<std::string, std::string>>();
  const std::vector<std::pair<std::string, std::string>> kKnobs = {
      {"voltage", "supply voltage normalised to Vmin (sram)"},
      {"vdd-delta", "DRAM supply voltage reduction in V (dram-model*)"},
      {"trcd-delta", "DRAM tRCD reduction in ns (dram-model*)"},
      {"bits-per-cell", "bits stored per MLC cell (mlc-*)"},
      {"lifetime-us", "data lifetime in microseconds (edram)"},
      {"temperature-c", "temperature in degrees Celsius (edram)"},
      {"refresh-us", "refresh interval in microseconds (edram)"}};
  for (const auto& [flag, doc] : kKnobs) cmd->add_option("--" + flag, (*knobs)[flag], doc + "; a comma list sweeps it");
  cmd->add_option("--sweep", (*s)["sweep"], "KEY=v1,v2,... sweep any fault-model parameter");
  cmd->add_option("--chips", o->chips, "simulated chips per rate")->capture_default_str();
  cmd->add_option("--seed", o->seed)->capture_default_str();
  cmd->add_option("--data", o->data.dir, "MNIST-format directory")->capture_default_str();
  cmd->add_option("--limit", o->data.limit, "use only the first N test examples (0 = all)")->capture_default_str();
  cmd->add_option("--input-shape", *shape, "C,H,W of the model's input (with --synthetic)");
  cmd->add_option("--synthetic", o->synthetic, "use N seeded synthetic inputs (no labels: mismatch only)")->capture_default_str();
  cmd->add_option("--batch-size", o->batch_size)->capture_default_str();
  cmd->add_option("--threads", o->threads, "LibTorch threads (0 = all cores); results do not depend on it")->capture_default_str();
  cmd->add_option("--out", o->out, "output directory")->required();
  cmd->add_flag("--resume", o->resume, "continue an interrupted sweep in --out without recomputing finished chips");
  // Fault-aware checkpoints and activation faults (docs/training.md).
  cmd->add_option("--correct", o->correct, "zero | none: implausible weights read as 0 (default: the checkpoint's, else none)");
  cmd->add_flag("--own-pattern", o->own_pattern, "PATTBET checkpoint: evaluate the one fault pattern it was trained on (004 §5.3)");
  cmd->add_option("--faults-in", o->faults_in, "weights | activations | both")->capture_default_str();
  cmd->add_option("--act-faults", o->act_faults, "activation sites TYPE:MODULES[:FORMAT], e.g. ofm:conv (default ofm:conv in --format)");
  auto bn = std::make_shared<std::string>();
  cmd->add_option("--bn-batch-stats", *bn, "on | off: BatchNorm evaluated with batch statistics (default: the checkpoint's)");
  auto* format_opt = cmd->get_option("--format");
  auto* bits_opt = cmd->get_option("--bits");
  cmd->callback([&ctx, o, s, ber, shape, bits, knobs, bn, format_opt, bits_opt] {
    ctx.action = [&ctx, o, s, ber, shape, bits, knobs, bn, format_opt, bits_opt] {
      o->format_given = format_opt->count() > 0 || bits_opt->count() > 0 || !(*s)["format"].empty();
      if (!bn->empty()) {
        if (*bn != "on" && *bn != "off") throw Error("sweep: --bn-batch-stats '" + *bn + "'; expected on or off");
        o->bn_batch_stats = *bn == "on" ? 1 : 0;
      }
      o->arch_params = parse_kv((*s)["arch"], "--arch-opt");
      o->format_params = parse_kv((*s)["format"], "--format-opt");
      if (o->format == "fixed" && o->format_params.count("bits") == 0) o->format_params["bits"] = std::to_string(*bits);
      o->fault_params = parse_kv((*s)["fault"], "--fault-opt");
      // Collect (key, values) from --ber, the knob flags and --sweep; exactly one may be a list.
      std::vector<std::pair<std::string, std::string>> given;
      if (!ber->empty()) given.emplace_back("ber", *ber);
      for (const auto& [flag, text] : *knobs) {
        if (text.empty()) continue;
        std::string key = flag;
        std::replace(key.begin(), key.end(), '-', '_');
        given.emplace_back(key, text);
      }
      for (const auto& item : (*s)["sweep"]) {
        auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) throw Error("--sweep: '" + item + "' is not of the form KEY=v1,v2,...");
        given.emplace_back(item.substr(0, eq), item.substr(eq + 1));
      }
      std::string axis;
      for (const auto& [key, text] : given) {
        if (text.find(',') == std::string::npos) continue;
        if (!axis.empty()) throw Error("sweep: only one parameter can take a list of values ('" + axis + "' and '" + key + "' both do)");
        axis = key;
      }
      if (axis.empty() && !given.empty()) axis = given.front().first;
      if (axis.empty()) throw Error("sweep: nothing to sweep: give --ber, an operating-point flag such as --voltage, or --sweep KEY=values");
      for (const auto& [key, text] : given) {
        if (key == axis) {
          o->sweep_key = key;
          o->rates = parse_doubles(text, key == "ber" ? "--ber" : "--" + key);
        } else {
          if (o->fault_params.count(key) != 0) throw Error("sweep: fault parameter '" + key + "' given twice");
          o->fault_params[key] = text;
        }
      }
      if (!shape->empty()) o->input_shape = parse_shape(*shape, "--input-shape");
      o->command_line = join_args(0, ctx.args);
      auto r = torch_adapter::sweep(*o, ctx.out, ctx.err);
      return r.interrupted ? 130 : 0;
    };
  });
}

}  // namespace memlapse::cli
