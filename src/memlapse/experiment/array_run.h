#pragma once
// The [array] section of an experiment (and `memlapse array`): the memory array model (memory/)
// for one design, a sweep over technologies x capacities (CSV + one SVG per figure, 003 Fig. 9's
// shape), or iso-area capacities. Torch-free and fast (no network involved).
// Example:
//   ArraySection a;  a.techs = {"stt"};  a.capacities_bytes = {3 << 20};  a.cache = true;
//   std::cout << run_array(a, /*json=*/true, "");
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlapse/experiment/spec.h"
#include "memlapse/memory/array.h"

namespace memlapse {

// Contract: the array spec of technology `tech` at capacity `bytes` (Error naming the key for a
// bad node, cell override or cache geometry).
memory::ArraySpec array_spec_of(const ArraySection& a, const std::string& tech, double bytes);
// Contract: one design: its figures as text (or JSON); several: the sweep CSV, also written with
// SVG plots to out_dir when given; iso_area_mm2: one capacity per technology.
std::string run_array(const ArraySection& a, bool json, const std::string& out_dir);
// Contract: one JSON object per (technology, capacity): its figures and organization, for the
// results store and the report.
std::vector<nlohmann::json> array_design_rows(const ArraySection& a);

}  // namespace memlapse
