// memlapse fault: fault-model tools.
//   memlapse fault fit DIR                  fit 000's DRAM error models to an error map, print JSON
//   memlapse fault describe                 the fault-model registry (= memlapse describe faults)
//   memlapse fault params NAME [-o k=v ...] the resolved operating point and physical parameters
#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "memlapse/core/error.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/fit.h"
#include "spec_flags.h"

namespace memlapse::cli {

void add_fault_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("fault", "fault-model tools: fit an error map, list models, resolve parameters");
  cmd->require_subcommand(1);

  auto* fit = cmd->add_subcommand("fit", "fit 000's DRAM error models 0-3 to an error map directory; prints JSON");
  auto dir = std::make_shared<std::string>();
  fit->add_option("DIR", *dir, "directory with map.json, stored.u8, errors.u16")->required();
  fit->callback([&ctx, dir] {
    ctx.action = [&ctx, dir] {
      ctx.out << fit_result_json(fit_dram_models(load_error_map(*dir)));
      return 0;
    };
  });

  auto* describe = cmd->add_subcommand("describe", "print every fault model and its parameters");
  describe->callback([&ctx] {
    ctx.action = [&ctx] {
      ctx.out << describe_entries("faults", fault_registry().entries());
      return 0;
    };
  });

  auto* params = cmd->add_subcommand("params", "print a model's resolved parameters (operating point -> rates) as JSON");
  auto name = std::make_shared<std::string>();
  auto opts = std::make_shared<std::vector<std::string>>();
  params->add_option("NAME", *name, "fault model name")->required();
  params->add_option("-o,--fault-opt", *opts, "parameter key=value (repeatable)");
  params->callback([&ctx, name, opts] {
    ctx.action = [&ctx, name, opts] {
      const auto model = make_fault_model(*name, parse_kv(*opts, "--fault-opt"));
      nlohmann::json j;
      j["model"] = model->name();
      j["params"] = model->params();
      ctx.out << j.dump(2) << "\n";
      return 0;
    };
  });
}

}  // namespace memlapse::cli
