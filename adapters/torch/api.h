#pragma once
// The LibTorch adapter's public API, itself torch-free so that the CLI does not compile torch
// headers: training, loading models (zoo, checkpoints, TorchScript files) and running fault
// campaigns on them. Everything that includes <torch/...> lives in this folder's .cpp files.
// Example:
//   TrainOptions t; t.arch = "lenet5"; t.epochs = 10; t.out = "runs/lenet5";
//   TrainReport r = train(t, std::cerr);
//   SweepOptions s; s.model = "runs/lenet5"; s.rates = {1e-3, 1e-2}; s.out = "runs/sweep";
//   SweepReport sr = sweep(s, std::cout, std::cerr);
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "memlapse/core/schema.h"
#include "memlapse/data/idx.h"

namespace memlapse::torch_adapter {

// Contract: sets LibTorch's intra-op thread count (0 = all cores) and returns the count in use.
int configure_threads(int threads);

// The model zoo (zoo.cpp): every architecture with its schema.
const std::vector<RegistryEntry>& zoo_registry();

// Contract: the values and shape of parameter `name` of a model (checkpoint directory,
// TorchScript file or zoo name); Error listing the model's parameter names when absent.
std::vector<float> model_tensor(const std::string& model, const std::string& name, std::vector<std::int64_t>& shape);

struct TrainOptions {
  std::string arch = "simplenet";
  std::map<std::string, std::string> arch_params;  // validated by the zoo schema
  DatasetSpec data;                                // validation > 0 reports validation accuracy
  int epochs = 10;
  int batch_size = 128;
  double lr = 0.05;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  std::string schedule = "cosine";  // cosine | step
  int step_epochs = 10;             // step schedule: lr *= step_gamma every step_epochs
  double step_gamma = 0.1;
  std::uint64_t seed = 1;
  int threads = 0;
  std::string out;      // checkpoint directory (written after every epoch)
  bool resume = false;  // continue from the checkpoint in `out`
  int stop_after = 0;   // > 0: stop after this many epochs in this run (resume later)
  std::string init;     // checkpoint directory whose weights start a new run (retraining, 000 §3.2)
  std::size_t eval_limit = 0;  // test examples used for per-epoch evaluation (0 = all)

  // Fault-aware training (fault_training.cpp, docs/training.md). All of it goes to meta.json.
  // Quantization-aware training: forward/backward on Q^-1(Q(w)), update on the float w with the
  // straight-through estimator (004 Alg. 1). Empty = float training.
  std::string quant;
  std::map<std::string, std::string> quant_params;  // e.g. {"bits", "8"}
  double clip = 0;               // w_max > 0: every parameter clamped to [-w_max, w_max] after each step (004 §4.2)
  double randbet = 0;            // p > 0: RANDBET, a clean plus a perturbed pass per step (004 Alg. 1, Eq. 2)
  double pattbet = 0;            // p > 0: PATTBET, the same fixed pattern every step (004 §5.3)
  std::string randbet_fault = "uniform";  // fault model of RANDBET/PATTBET; p is its "ber"
  std::map<std::string, std::string> randbet_fault_params;
  double randbet_threshold = 1.75;        // injection starts once the clean loss is below it (004 §4.3)
  std::string randbet_variant = "plain";  // plain | curricular | alternating (004 App. G.4)
  std::string curricular;                 // "MODEL:RATE": EDEN curricular retraining (000 §3.2)
  std::map<std::string, std::string> curricular_fault_params;
  int curricular_every = 2;               // epochs per step of the error rate
  int curricular_steps = 4;               // steps from 0 to RATE; 0 = RATE from the first epoch (non-curricular)
  std::string correct = "none";           // zero: implausible values -> 0 (000 §3.2), training and inference
  std::vector<std::string> act_faults;    // activation faults, "TYPE:MODULES:FORMAT:MODEL:RATE" (docs/training.md)
  double label_smoothing = 0;             // epsilon (004 Table 2)
  bool bn_batch_stats = false;            // evaluate BatchNorm with batch statistics (004 App. G.1)
};

struct TrainReport {
  double test_accuracy = 0;
  double validation_accuracy = -1;  // -1 when no validation split
  double train_seconds = 0;
  double seconds_per_epoch = 0;
  int epochs_run = 0;
  std::int64_t parameters = 0;
};

// Contract: trains (or resumes) and writes the checkpoint {model.pt, optimizer.pt, meta.json}
// to opts.out after every epoch; progress goes to `progress`.
TrainReport train(const TrainOptions& opts, std::ostream& progress);

struct SweepOptions {
  std::string model;                   // zoo name | checkpoint directory | TorchScript .pt file
  std::map<std::string, std::string> arch_params;  // for a zoo name
  std::string format = "fixed";
  std::map<std::string, std::string> format_params{{"bits", "8"}};
  std::string fault = "uniform";
  std::map<std::string, std::string> fault_params;
  std::string sweep_key = "ber";       // the fault-model parameter swept over `rates`
  std::vector<double> rates;           // its values
  std::uint64_t chips = 10;
  std::uint64_t seed = 1;
  DatasetSpec data;                    // test split used unless synthetic
  std::vector<std::int64_t> input_shape;  // C,H,W for synthetic inputs (and .pt models)
  std::size_t synthetic = 0;           // > 0: that many seeded synthetic inputs, no labels
  int batch_size = 1000;
  int threads = 0;
  std::string out;
  bool resume = false;
  std::string command_line;            // recorded in config.json
  // Fault-aware checkpoints (docs/training.md): a checkpoint's quantization format, correction
  // and BN evaluation mode are used unless given here.
  bool format_given = false;           // --format/--format-opt/--bits given: do not take the checkpoint's
  std::string correct;                 // "" = the checkpoint's (or none) | none | zero
  std::string faults_in = "weights";   // weights | activations | both
  std::vector<std::string> act_faults; // "TYPE:MODULES[:FORMAT]"; rate and model are the sweep's
  int bn_batch_stats = -1;             // -1 = the checkpoint's, 0/1
  bool own_pattern = false;            // PATTBET checkpoint: its training pattern (one chip) instead of `seed`'s chips
};

struct SweepReport {
  double clean_error = 0;
  double float_error = 0;  // before quantization, NaN if unlabelled
  std::size_t examples = 0;
  std::string table;
  bool interrupted = false;
  double mean_inject_ms = 0, mean_infer_ms = 0;
};

// Contract: runs (or resumes) the campaign, writing results.csv (durably per chip), results.json,
// config.json and error_vs_ber.svg into opts.out.
SweepReport sweep(const SweepOptions& opts, std::ostream& out, std::ostream& progress);

}  // namespace memlapse::torch_adapter
