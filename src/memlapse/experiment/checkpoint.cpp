#include "memlapse/experiment/checkpoint.h"

#include <filesystem>

#include "memlapse/core/error.h"
#include "memlapse/core/file.h"

namespace memlapse {

std::optional<nlohmann::json> read_checkpoint_meta_file(const std::string& dir) {
  const std::string path = dir + "/meta.json";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec) || !std::filesystem::exists(path, ec)) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(read_text_file(path), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(path + ": not valid JSON; is this a checkpoint written by memlapse train?");
  return j;
}

std::uint64_t weight_fault_seed(std::uint64_t train_seed) { return train_seed * 0x2545F4914F6CDD1DULL + 0x5851F42D4C957F2DULL; }

}  // namespace memlapse
