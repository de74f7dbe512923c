// memlapse describe <layer>: a layer's registry with each implementation's parameter schema, or
// the keys of an experiment file. All of it comes from the schemas that validate the input.
#include <CLI/CLI.hpp>
#include <ostream>

#include "commands.h"
#include "memlapse/core/error.h"
#include "memlapse/experiment/spec.h"
#include "memlapse/experiment/zoo.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/formats/format.h"
#include "memlapse/memory/cell.h"

namespace memlapse::cli {

void add_describe_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("describe", "print the registered implementations of a layer and their parameters");
  auto layer = std::make_shared<std::string>();
  const ParamSpec layers = ParamSpec{"layer", ParamType::kString, "", "", "what to describe"}
                               .one_of({"formats", "faults", "models", "technologies", "experiment"})
                               .required_();
  cmd->add_option("layer", *layer, "formats | faults | models | technologies | experiment")->required();
  cmd->callback([&ctx, layer, layers] {
    ctx.action = [&ctx, layer, layers] {
      const ParamValues v = ParamSchema{layers}.resolve({{"layer", *layer}}, "describe");
      switch (v.get_choice("layer")) {
        case 0: ctx.out << describe_entries("formats", format_registry().entries()); break;
        case 1: ctx.out << describe_entries("faults", fault_registry().entries()); break;
        case 2: ctx.out << describe_entries("models", zoo_architectures()); break;
        case 3: ctx.out << describe_entries("array technologies", memory::array_technology_registry().entries()); break;
        default: ctx.out << describe_experiment_file(); break;
      }
      return 0;
    };
  });
}

}  // namespace memlapse::cli
