#pragma once
// The model zoo's architectures as the torch-free layers see them: names, descriptions and
// parameter schemas, so that `memlapse describe models` and experiment-file validation need no
// LibTorch. The LibTorch adapter builds them (adapters/torch/zoo.cpp); a test checks that it can
// build every entry listed here.
// Example:
//   const RegistryEntry& e = find_registry_entry(zoo_architectures(), "simplenet", "model");
//   ParamValues v = e.schema.resolve({{"width", "0.25"}}, "model simplenet");
#include <vector>

#include "memlapse/core/schema.h"

namespace memlapse {

const std::vector<RegistryEntry>& zoo_architectures();
// Contract: true when `source` names a zoo architecture rather than a file or directory.
bool is_zoo_name(const std::string& source);

}  // namespace memlapse
