#pragma once
// What the torch-free layers need to know of a checkpoint directory written by `memlapse train`
// (model.pt, optimizer.pt, meta.json): its meta.json, which records the fault-aware training
// options (quantization format, correction, BatchNorm mode, PATTBET pattern seed).
// Example:
//   if (auto meta = read_checkpoint_meta_file("runs/sn")) { auto ft = (*meta)["fault_training"]; }
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace memlapse {

// Contract: dir/meta.json parsed, or nullopt when `dir` is not a checkpoint directory; Error
// naming the file when it exists but is not valid JSON.
std::optional<nlohmann::json> read_checkpoint_meta_file(const std::string& dir);
// The fault seed of training seed `train_seed`: RANDBET's step s draws chip s of it, PATTBET
// always chip 0 (`memlapse sweep --own-pattern` evaluates that pattern).
std::uint64_t weight_fault_seed(std::uint64_t train_seed);

}  // namespace memlapse
