#pragma once
// DNN data to memory partitions, 000 §3.4 Algorithm 1 (torch-free). Each data type has a size
// and the highest rate it tolerates (fine-grained characterization, search.h); each partition a
// capacity and its characterization: the settings it can run at, from nominal to most
// aggressive, each with its parameter (VDD reduction, tRCD reduction, voltage, bits per cell,
// refresh interval...) and the bit error rate it shows there. For every data type the algorithm
// looks at the partitions with room for it, takes in each the most aggressive setting whose rate
// the type tolerates (line 6, get_voltage_latency), and assigns it to the partition with the
// largest parameter reduction (lines 7-10); the partition's free space shrinks (line 11).
// Two details Algorithm 1 leaves open, fixed here and in docs/characterization.md:
//  * order (sort_DNN_data): ascending tolerable rate, as sorting the (target_BER, DNN_data) pairs
//    of line 2 gives (ties: input order); the least tolerant data choose first;
//  * one setting per partition: a partition runs at one operating point, so it is locked at the
//    setting of the first type it receives (the least tolerant it will hold); a later, more
//    tolerant type may join it, or open an unused partition at its own best setting. A partition with a single setting (000 Fig. 12: four partitions at fixed VDD)
//    is simply that setting. The coarse mapping (one module, one setting for all data) is the
//    case of one partition.
// A type no partition can hold (no tolerable setting with room) is an Error naming it: give a
// nominal partition (rate 0) with enough capacity.
// Example:
//   MappingResult m = map_to_partitions({{"conv1.weight", 1728, 0.004}, ...},
//                                       {{"p1", 0, {{-0.10, 0.005}}, /*nominal vdd_delta*/ 0.0}, ...});
#include <cstdint>
#include <string>
#include <vector>

namespace memlapse {

struct MapDataType {
  std::string name;
  std::uint64_t bytes = 0;
  double tolerable_rate = 0;
};

struct MapSetting {
  double param = 0;  // e.g. vdd_delta in V
  double rate = 0;   // the partition's bit error rate at it
};

struct MapPartition {
  std::string name;
  double capacity_bytes = 0;          // 0: unbounded
  std::vector<MapSetting> settings;   // from the least to the most aggressive
  double nominal_param = 0;           // the parameter at nominal: reduction = |param - nominal_param|
};

struct MappingResult {
  std::vector<int> partition_of;      // per data type (input order)
  std::vector<int> setting_of;        // per partition: index into its settings, -1 when unused
  std::vector<std::uint64_t> used_bytes;
  std::vector<std::size_t> order;     // the order the types were assigned in
};

// Contract: Algorithm 1 as above; Error for an empty or unordered partition characterization or a
// type no partition can hold.
MappingResult map_to_partitions(const std::vector<MapDataType>& data, const std::vector<MapPartition>& partitions);

}  // namespace memlapse
