#pragma once
// The experiment specification (STYLE.md habit 3): an experiment file (TOML) parsed once, strictly,
// into typed specs. Every CLI front end (`sweep`, `train`, `array`, `quickstart`) builds the same
// document, so `--print-spec` shows the file that reproduces it. Sections (docs/experiments.md,
// `memlapse describe experiment`):
//   [experiment]  name, description, out            [model]   source, arch, input_shape, ...
//   [data]        dir, limit, synthetic, validation [format]  name + the format's parameters
//   [[partition]] the memory system (placement.h)   [placement] which structure goes where
//   [activations] faults in IFMs/OFMs (000 §3.2)    [train]   train the model first (train_spec.h)
//   [sweep]       chips, seed, correct, [[sweep.axis]] (cartesian product; several keys = zipped)
//   [characterize] tolerable rate/parameter at a target accuracy; per data type; mapping
//   [array]       the memory array model (003)      [output]  report
// A sweep point is the document with one value of every axis applied (as `--set` would), parsed
// again: a point that does not make sense is an error before any work starts.
// Example:
//   ConfigDoc doc = ConfigDoc::load("configs/000_dram_models.toml");
//   doc.set("sweep.chips=2");
//   ExperimentSpec spec = read_experiment(doc);
//   for (const SweepPoint& p : expand_points(doc, *spec.sweep)) ... p.spec.memory ...
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlapse/config/config.h"
#include "memlapse/data/idx.h"
#include "memlapse/experiment/train_spec.h"
#include "memlapse/placement/placement.h"

namespace memlapse {

struct ModelSpec {
  std::string source;                              // zoo name | checkpoint directory | TorchScript file
  std::map<std::string, std::string> arch;         // zoo parameters (resolved)
  std::vector<std::int64_t> input_shape;           // C,H,W (TorchScript models with synthetic data)
  bool bn_batch_stats = false;                     // resolved from "checkpoint" | on | off
  int batch_size = 1000;
  int threads = 0;
};

struct ActivationSpec {
  std::vector<std::string> sites;  // "TYPE:MODULES[:FORMAT]" (000's IFMs/OFMs); empty: none
  std::string partition;           // whose fault model they see (default: placement.default)
  bool weights = true;             // false: only the activations are faulty
};

// One axis: values of one key, or rows of several keys that move together (zipped).
struct AxisSpec {
  std::vector<std::string> keys;
  toml::array rows;  // rows[i] is an array with one value per key
  std::string where;
};

struct SweepSpec {
  std::uint64_t chips = 10, seed = 1;
  std::string correct = "none";  // resolved: none | zero
  bool own_pattern = false;      // PATTBET checkpoint: its training pattern (004 §5.3)
  double ci_level = 0.95, prop1_delta = 0.05;
  std::vector<AxisSpec> axes;
};

// [characterize]: the highest error rate (or operating parameter) the network tolerates at a
// target accuracy, per network (coarse) or per data type (fine), and the placement that uses it
// (map): 000 §3.3-3.4, decided with sequential statistics (stats/sequential.h).
struct CharacterizeSpec {
  std::string mode = "coarse";         // coarse | fine | map
  std::string key;                     // partition.NAME.fault.PARAM (resolved)
  std::string partition, param;        // ... its parts
  double from = 0, to = 0, resolution = 0;
  bool log_scale = true, integer = false;
  int grid = 5;
  std::string target = "error";        // error | mismatch
  double max_loss = 0.01;              // fraction (the file says points)
  double max_mismatch = 0.01;
  double confidence = 0.95;
  std::string decision = "sequential"; // sequential | fixed
  std::uint64_t examples = 20, max_chips = 2000, fixed_chips = 50, seed = 1;
  std::string correct = "none";        // resolved: none | zero
  std::string types = "layer";         // layer | tensor
  std::string fine = "sweep";          // sweep (EDEN's joint sweep) | isolated (one type faulty at a time)
  bool reuse_prefix = true;            // isolated: evaluate the layers before the faulty one once
  std::string fault = "uniform", fault_rate_param = "ber";
  double step = 0.5;
  int rounds = 20;
  std::optional<double> start;
  std::string memory_file;             // map: the partitions to map onto
  int boost_rounds = 0;                // coarse: boost -> characterize rounds (000 §3.3)
  int boost_epochs = 4;
  double boost_lr = 0.01;
  bool boost_curricular = true;        // false: the rate from the first epoch (000's plain retraining)
  std::optional<double> threshold;     // absolute target (boost rounds keep the original model's)
};

struct ArraySection {
  std::vector<std::string> techs{"sram"};
  std::vector<double> capacities_bytes{1024.0 * 1024.0};
  int node_nm = 16;
  std::string target = "edap", mode = "normal", write_accounting = "physical";
  int bits_per_cell = 1, word_bits = 512, assoc = 16, line_bytes = 128, sector_bytes = 128;
  double temperature_k = 350.0;
  bool cache = false, htree_repeaters = false;
  std::map<std::string, std::string> cell;  // overrides of the technology's cell parameters
  std::optional<double> iso_area_mm2;
  double step_mb = 1.0;
};

struct ExperimentSpec {
  std::string name, description, out;
  ModelSpec model;
  DatasetSpec data;
  std::size_t synthetic = 0;
  std::string format = "fixed";
  std::map<std::string, std::string> format_params;  // every key of the format's schema
  MemorySystem memory;
  PlacementSpec placement;
  ActivationSpec activations;
  std::optional<TrainOptions> train;
  std::optional<SweepSpec> sweep;
  std::optional<CharacterizeSpec> characterize;
  std::optional<ArraySection> array;
  bool report = true;
};

// The schemas of the sections that are plain tables (describe, CLI flags).
const ParamSchema& experiment_schema();
const ParamSchema& sweep_schema();
const ParamSchema& axis_schema();
const ParamSchema& activations_schema();
const ParamSchema& array_schema();
const ParamSchema& characterize_schema();
const ParamSchema& output_schema();
// Contract: `memlapse describe experiment`: every section with its keys.
std::string describe_experiment_file();

// Contract: the typed spec of `doc`; every unknown key, wrong type, bad value or inconsistent
// combination is an Error naming file:line and the key. Defaults that depend on a checkpoint
// (its quantization format, correction, BatchNorm mode, PATTBET pattern) are resolved here, from
// [train] when the experiment trains the model itself.
ExperimentSpec read_experiment(const ConfigDoc& doc);

struct SweepPoint {
  std::size_t index = 0;
  std::vector<std::pair<std::string, std::string>> values;  // axis key -> value as text
  nlohmann::json overrides;                                 // axis key -> value (JSON)
  ExperimentSpec spec;
  std::string label() const;
};
// Contract: the cartesian product of doc's [[sweep.axis]] (the last axis varies fastest), each
// point's document read by read_experiment; Error naming the axis and the point that fails. No
// axes: one point, the document itself. (The document alone need not be complete: a key may get
// its only value from an axis.)
std::vector<SweepPoint> expand_points(const ConfigDoc& doc);
// Contract: read_experiment(doc) when it has no axes, else the first point's spec (every point
// checked): what a run needs to know before it starts.
ExperimentSpec read_experiment_checked(const ConfigDoc& doc);

// The keys that change no number (where results go, threads, batch size, descriptions): a resumed
// experiment may differ in them.
bool key_changes_no_result(const std::string& flat_key);
// Contract: the document's keys flattened ("partition[0].fault.ber" -> value) without those.
std::map<std::string, std::string> result_defining_keys(const ConfigDoc& doc);

}  // namespace memlapse
