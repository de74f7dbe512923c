#pragma once
// Memory systems and placements (torch-free). A memory system is a list of named partitions, each
// a memory of its own: a technology (an array technology of memory/cell.h, or "generic"), a
// physical layout (rows, bitlines, banks: faults/physical_layout.h), a capacity and a fault model
// at an operating point (voltage, tRCD, bits per cell, retention...). A placement maps every
// stored data structure of every tensor (values, indices, bitmask, row counters, parity,
// exponents, codebook, scales) to a partition. Partition i's faults are keyed by i
// (faults/partition.h), so the order of [[partition]] tables matters; a partition named
// "reliable" (no faults) is appended when the file has none, and holds the scales by default.
// Experiment-file form (docs/experiments.md):
//   [[partition]]
//   name = "sram"                       # partition.sram...
//   technology = "sram"
//   capacity = "64KB"                   # 0 = unbounded
//   fault = {model = "sram", voltage = 1.0}
//   layout = {row_bits = 8192, banks = 8}
//   [placement]
//   default = "dram"                    # everything no rule names (default: the first partition)
//   scales = "reliable"                 # quantization scales and offsets, BFP tensor exponents
//   [[placement.rule]]                  # later rules override earlier ones
//   tensors = ["0.*", "38.*"]           # glob patterns (* and ?) over tensor names
//   structures = ["values"]             # default: every structure but the scales
//   partition = "sram"
// Example:
//   MemorySystem mem = read_memory_system(doc);
//   PlacementSpec spec = read_placement(doc, mem);
//   ResolvedPlacement r = resolve_placement(image, mem, spec);   // Error: capacity exceeded, ...
//   image.place(r.partition_of_region);
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "memlapse/config/config.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/physical_layout.h"
#include "memlapse/formats/structure.h"
#include "memlapse/image/memory_image.h"

namespace memlapse {

inline constexpr const char* kReliablePartition = "reliable";

struct PartitionSpec {
  std::string name;
  std::string technology = "generic";
  PhysicalLayout layout;
  std::map<std::string, std::string> layout_params;  // resolved (every key)
  double capacity_bytes = 0;                         // 0: unbounded
  std::string fault_model = "none";
  std::map<std::string, std::string> fault_params;   // as given: optional keys keep their meaning
  std::string where;                                 // file:line of the partition's table
  // Contract: the partition's fault model at its operating point (Error naming the partition).
  std::unique_ptr<FaultModel> make_fault_model() const;
};

struct MemorySystem {
  std::vector<PartitionSpec> partitions;
  // Contract: the index of partition `name`; Error naming `where`, the name and the partitions.
  std::uint32_t index_of(const std::string& name, const std::string& where) const;
  const PartitionSpec* find(const std::string& name) const;
};

struct PlacementRule {
  std::vector<std::string> tensors{"*"};
  std::vector<Structure> structures;  // empty: every structure but the scales
  std::string partition;
  std::string where;                  // file:line, for messages
};

struct PlacementSpec {
  std::string default_partition;  // empty: the first partition
  std::string scales_partition = kReliablePartition;
  std::vector<PlacementRule> rules;
};

// The schemas of the [[partition]], [placement] and [[placement.rule]] tables (describe, CLI).
const ParamSchema& partition_schema();
const ParamSchema& placement_schema();
const ParamSchema& placement_rule_schema();
// Contract: the technology names a partition accepts (array technologies and "generic").
const std::vector<std::string>& partition_technologies();

// Contract: the [[partition]] tables of `doc` (plus the implicit "reliable"), each checked: unique
// names, a known technology the fault model describes, the fault model's parameters, the layout.
// Errors name file:line and key.
MemorySystem read_memory_system(const ConfigDoc& doc);
// Contract: the [placement] table (and the rules of placement.file, if given), every partition
// name checked against `mem`.
PlacementSpec read_placement(const ConfigDoc& doc, const MemorySystem& mem);

struct ResolvedPlacement {
  std::vector<std::uint32_t> partition_of_region;  // per image region
  std::vector<std::uint64_t> bytes;                // per partition
};
// Contract: the partition of every region of `image` under `spec` (default, scales, rules in
// order); Error naming the partition when its capacity is exceeded, or the rule that matches no
// tensor (a typo in a pattern must not pass silently).
ResolvedPlacement resolve_placement(const MemoryImage& image, const MemorySystem& mem, const PlacementSpec& spec);
// Contract: the placement as a file memlapse reads back (TOML): the partitions and one rule per
// region, so the same image is placed the same way.
std::string placement_file_text(const MemoryImage& image, const MemorySystem& mem, const ResolvedPlacement& r);
// Contract: true when `name` matches the glob `pattern` (* any run, ? any one character).
bool glob_match(const std::string& pattern, const std::string& name);

}  // namespace memlapse
