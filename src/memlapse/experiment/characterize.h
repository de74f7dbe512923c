#pragma once
// The error-tolerance characterization of an experiment ([characterize], 000 §3.3-3.4): the
// highest rate or operating parameter the network tolerates at a target accuracy (coarse), the
// highest rate each data type tolerates (fine: EDEN's sweep, one partition per type), and the
// mapping of the types onto a memory system with Algorithm 1, verified by a campaign on the
// placed network (map). Every "does it meet the target?" is one decision (stats/sequential.h):
// chips drawn one at a time, each with its own faults (seed, chip, partition, cell) and a random
// block of examples (seed, chip), until the test martingales decide; or the fixed-count rule.
// Every decision is committed to DIR/results.db when it finishes: a rerun with --resume reuses
// them (same spec and model fingerprint required), so an interrupted search loses at most the
// decision in flight.
// Outputs: DIR/characterize.json (every decision and the answers), the printed tables,
// fine: DIR/fine.csv and DIR/fine.svg (000 Fig. 11's shape), map: DIR/mapping.toml (a placement
// file `memlapse sweep --placement` and [placement] read).
// Example:
//   ConfigDoc doc = ConfigDoc::load("configs/000_characterize.toml");
//   CharacterizeResult r = run_characterization(doc, read_experiment(doc), RunOptions{}, std::cout, std::cerr);
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "memlapse/config/config.h"
#include "memlapse/experiment/runner.h"
#include "memlapse/experiment/spec.h"

namespace memlapse {

// Contract: runs spec.characterize into spec.out as described above.
CharacterizeResult run_characterization(const ConfigDoc& doc, const ExperimentSpec& spec, const RunOptions& opts, std::ostream& out,
                                        std::ostream& progress);

// Contract: the largest VDD (tRCD) reduction of 000 Table 3 (vendor A) whose bit error rate is at
// most `ber` (0 when none).
double table3_vdd_delta_for(double ber);
double table3_trcd_delta_for(double ber);

// Contract: the bit error rate a fault model's resolved parameters imply: "ber", else
// "cell_fault_rate", else "loss_probability"; Error naming the model otherwise.
double rate_of_params(const std::string& model, const std::map<std::string, std::string>& params);

}  // namespace memlapse
