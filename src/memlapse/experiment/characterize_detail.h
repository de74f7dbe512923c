#pragma once
// Shared by characterize.cpp (one characterization) and characterize_boost.cpp (the boost loop).
#include <iosfwd>
#include <string>

#include "memlapse/config/config.h"
#include "memlapse/experiment/runner.h"
#include "memlapse/experiment/spec.h"

namespace memlapse {

// Contract: one characterization of spec.characterize (coarse, fine or map), no boost rounds.
CharacterizeResult characterize_once(const ConfigDoc& doc, const ExperimentSpec& spec, const RunOptions& opts, std::ostream& out,
                                     std::ostream& progress);
// Contract: "7.44%" for 0.0744; "0.0005623" (4 significant digits).
std::string pct(double x);
std::string num(double x);

}  // namespace memlapse
