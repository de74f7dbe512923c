// memlapse describe <layer>: prints a layer's registry with each parameter schema.
#include <CLI/CLI.hpp>
#include <ostream>

#include "commands.h"
#include "memlapse/core/error.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/formats/format.h"
#ifdef MEMLAPSE_WITH_TORCH
#include "adapters/torch/api.h"
#endif

namespace memlapse::cli {

void add_describe_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("describe", "print the registered implementations of a layer and their parameters");
  auto layer = std::make_shared<std::string>();
  cmd->add_option("layer", *layer, "formats | faults | models")->required();
  cmd->callback([&ctx, layer] {
    ctx.action = [&ctx, layer] {
      if (*layer == "formats") {
        ctx.out << describe_entries("formats", format_registry());
      } else if (*layer == "faults") {
        ctx.out << describe_entries("faults", fault_registry());
#ifdef MEMLAPSE_WITH_TORCH
      } else if (*layer == "models") {
        ctx.out << describe_entries("models", torch_adapter::zoo_registry());
#endif
      } else {
        throw Error("describe: unknown layer '" + *layer + "'; expected formats, faults or models");
      }
      return 0;
    };
  });
}

}  // namespace memlapse::cli
