// The one explicit list of memlapse commands.
#include "cli.h"
#include "commands.h"

namespace memlapse::cli {

const std::vector<CommandAdder>& all_commands() {
  static const std::vector<CommandAdder> kCommands = {
      add_describe_command,
      add_array_command,
      add_encode_command,
      add_decode_command,
      add_fault_command,
#ifdef MEMLAPSE_WITH_TORCH
      add_train_command,
      add_sweep_command,
      add_quickstart_command,
#endif
  };
  return kCommands;
}

}  // namespace memlapse::cli
