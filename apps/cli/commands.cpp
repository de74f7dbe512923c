// The one explicit list of memlapse commands. Every command exists in every build: those that
// evaluate or train load the LibTorch plugin when they run (experiment/backend.h), so the others
// start without it.
#include "cli.h"
#include "commands.h"

namespace memlapse::cli {

const std::vector<CommandAdder>& all_commands() {
  static const std::vector<CommandAdder> kCommands = {
      add_describe_command, add_run_command,    add_sweep_command, add_characterize_command,  add_train_command,  add_quickstart_command, add_results_command,
      add_report_command,   add_array_command,  add_encode_command, add_decode_command, add_fault_command,
  };
  return kCommands;
}

}  // namespace memlapse::cli
