#pragma once
// The [train] section of an experiment file (and `memlapse train`): the typed options the LibTorch
// adapter trains with, read from the file strictly (torch-free). Keys mirror the CLI flags of
// `memlapse train`; docs/training.md explains the fault-aware ones.
// Example (experiment file):
//   [model]
//   source = "simplenet"
//   arch = {width = 0.25, norm = "gn"}
//   [train]
//   epochs = 12
//   quant = {name = "rquant", bits = 8}
//   randbet = 0.01
// Example (code):
//   TrainOptions o = read_train_options(doc, "runs/x/model");
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "memlapse/config/config.h"
#include "memlapse/data/idx.h"

namespace memlapse {

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
  bool resume = false;  // continue (or reuse, when finished) the checkpoint in `out`
  int stop_after = 0;   // > 0: stop after this many epochs in this run (resume later)
  std::string init;     // checkpoint directory whose weights start a new run (retraining, 000 §3.2)
  std::size_t eval_limit = 0;  // test examples used for per-epoch evaluation (0 = all)

  // Fault-aware training (docs/training.md). All of it goes to meta.json.
  std::string quant;                                // QAT format ("" = float training)
  std::map<std::string, std::string> quant_params;  // e.g. {"bits", "8"}
  double clip = 0;               // w_max > 0: parameters clamped to [-w_max, w_max] after each step (004 §4.2)
  double randbet = 0;            // p > 0: RANDBET (004 Alg. 1, Eq. 2)
  double pattbet = 0;            // p > 0: PATTBET, one fixed pattern (004 §5.3)
  std::string randbet_fault = "uniform";
  std::map<std::string, std::string> randbet_fault_params;
  double randbet_threshold = 1.75;
  std::string randbet_variant = "plain";  // plain | curricular | alternating (004 App. G.4)
  std::string curricular;                 // "MODEL:RATE": EDEN curricular retraining (000 §3.2)
  std::map<std::string, std::string> curricular_fault_params;
  int curricular_every = 2;
  int curricular_steps = 4;
  std::string correct = "none";           // zero: implausible values -> 0 (000 §3.2)
  std::vector<std::string> act_faults;    // "TYPE:MODULES:FORMAT:MODEL:RATE"
  double label_smoothing = 0;
  bool bn_batch_stats = false;
};

struct TrainReport {
  double test_accuracy = 0;
  double validation_accuracy = -1;  // -1 when no validation split
  double train_seconds = 0;
  double seconds_per_epoch = 0;
  int epochs_run = 0;
  std::int64_t parameters = 0;
};

// The schemas of [model], [data] and [train] (describe, CLI flags of `memlapse train`).
const ParamSchema& model_schema();
const ParamSchema& data_schema();
const ParamSchema& train_schema();

// Contract: the options of doc's [model], [data] and [train] sections; `default_out` is the
// checkpoint directory when train.out is absent. Errors name file:line and key.
TrainOptions read_train_options(const ConfigDoc& doc, const std::string& default_out);
// Contract: the dataset of doc's [data] section (limit/validation as given).
DatasetSpec read_dataset_spec(const ConfigDoc& doc);
// Contract: model.arch as a map resolved by the zoo schema of `source` (Error naming file:line
// when `source` is not a zoo name and arch is given).
std::map<std::string, std::string> read_arch_params(const ConfigDoc& doc, const std::string& source);

}  // namespace memlapse
