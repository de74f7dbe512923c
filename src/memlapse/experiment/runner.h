#pragma once
// The experiment pipeline: spec -> (train) -> model + dataset -> memory image per format ->
// placement into partitions -> per point and chip: each partition's faults (its own fault model,
// keyed by seed, chip, partition, cell) -> decode and correction -> evaluation -> trial stored ->
// summaries with confidence intervals -> results.json/csv, plots, placement file, report.
// Every trial is committed to DIR/results.db when it finishes; a rerun with `resume` skips the
// stored ones and refuses a spec that differs in a key that changes results (naming the keys) or
// a model/dataset whose fingerprint differs. Faults depend only on (seed, chip, partition, cell):
// never on threads, batch size, or which trials were resumed.
// Example:
//   RunOptions o;  o.resume = true;
//   RunResult r = run_experiment(ConfigDoc::load("configs/004_table1.toml"), o, std::cout, std::cerr);
#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlapse/config/config.h"
#include "memlapse/experiment/backend.h"
#include "memlapse/experiment/spec.h"
#include "memlapse/experiment/store.h"

namespace memlapse {

struct RunOptions {
  bool resume = false;           // continue the trials stored in the output directory
  std::string command_line;      // recorded beside the results
};

struct PointSummary {
  std::uint64_t point = 0;
  std::string label;
  nlohmann::json overrides, info;
  std::uint64_t chips = 0;
  double error_mean = 0, error_std = 0, error_ci_low = 0, error_ci_high = 0, error_prop1_upper = 0;
  double mismatch_mean = 0, mismatch_std = 0, mismatch_ci_low = 0, mismatch_ci_high = 0;
  double faults_mean = 0, inject_ms_mean = 0, infer_ms_mean = 0;
  std::map<std::string, double> partition_faults_mean;
};

// What a [characterize] section found (experiment/characterize.h).
struct CharacterizeResult {
  nlohmann::json json;
  std::string table;
  bool interrupted = false;
  std::uint64_t inferences = 0, decisions = 0, reused = 0;
};

struct RunResult {
  std::string out;
  std::vector<PointSummary> points;
  std::string table;          // what was printed
  bool interrupted = false;
  bool trained = false;
  TrainReport train;
  double mean_inject_ms = 0, mean_infer_ms = 0;
  CharacterizeResult characterize;
};

// Shared by the runner and the characterization (characterize.h):
// Contract: the fraction of positions where a and b differ (NaN when empty).
double rate_of(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b);
// Contract: the experiment's evaluation data (test split, or seeded synthetic inputs); Error when
// empty or of the wrong shape.
Dataset load_evaluation_data(const ExperimentSpec& s, std::uint64_t seed);
// Contract: what a set of parameters (names, shapes, values) / a dataset is, bit for bit (hex).
std::string parameters_fingerprint(const std::vector<ParameterRef>& params);
std::string dataset_fingerprint(const Dataset& d);
// Contract: records meta `key` = value in a new store; Error naming `what` when the store holds
// another value (a resumed run must use the same inputs).
void check_or_record(ResultsStore& store, const std::string& key, const std::string& value, const std::string& what);
// Contract: a short stable hash of a text (hex), for store keys.
std::string key_hash(const std::string& s);
// Contract: the experiment's model from the backend; Error naming the key it came from.
std::unique_ptr<EvaluatedModel> load_evaluated_model(const ConfigDoc& doc, const ExperimentSpec& s, bool correct_zero, std::uint64_t seed);

// Set by the SIGINT/SIGTERM handler: the run stops after the trial in flight.
std::atomic<bool>& run_stop_flag();
void install_stop_signal_handlers();

// Contract: runs the experiment `doc` describes (train, sweep, array sections) into its
// experiment.out directory, printing the summary table to `out` and progress to `progress`.
RunResult run_experiment(const ConfigDoc& doc, const RunOptions& opts, std::ostream& out, std::ostream& progress);

// Contract: per-point summaries of the stored trials (points in order; points without trials
// omitted); intervals at `ci_level`, Prop. 1 at `prop1_delta` (004 App. C.2).
std::vector<PointSummary> summarize_store(const ResultsStore& store, double ci_level, double prop1_delta);
// Contract: writes DIR/results.json, DIR/results.csv and one SVG per swept key from the store.
// Contract: one CSV cell holding `v` (RFC 4180 quoting; doubles in shortest round-trip form;
// null -> empty).
std::string csv_cell(const nlohmann::json& v);
void write_exports(const std::string& dir, const ResultsStore& store, const std::vector<PointSummary>& points);
// Contract: the fixed-width table `memlapse run/sweep` prints.
std::string format_points_table(const std::vector<PointSummary>& points, const nlohmann::json& header);

}  // namespace memlapse
