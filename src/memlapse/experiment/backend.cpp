#include "memlapse/experiment/backend.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

ModelBackend* g_registered = nullptr;

std::string exe_dir() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.parent_path().string();
}

std::vector<std::string> plugin_candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("MEMLAPSE_TORCH_PLUGIN"); env != nullptr && *env != '\0') out.emplace_back(env);
  const std::string dir = exe_dir();
  if (!dir.empty()) {
    out.push_back(dir + "/../lib/libmemlapse_torch.so");
    out.push_back(dir + "/../lib/memlapse/libmemlapse_torch.so");
    out.push_back(dir + "/libmemlapse_torch.so");
  }
  return out;
}

// The plugin's entry point (adapters/torch/plugin.cpp): a process-lifetime backend.
using EntryPoint = ModelBackend* (*)();

ModelBackend* load_plugin() {
  static std::once_flag once;
  static ModelBackend* backend = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    std::string tried;
    for (const auto& path : plugin_candidates()) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        tried += "\n  " + path + " (absent)";
        continue;
      }
      void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (h == nullptr) {
        tried += "\n  " + path + " (" + ::dlerror() + ")";
        continue;
      }
      auto entry = reinterpret_cast<EntryPoint>(::dlsym(h, "memlapse_torch_backend"));
      if (entry == nullptr) {
        tried += "\n  " + path + " (no memlapse_torch_backend symbol)";
        continue;
      }
      backend = entry();
      return;
    }
    failure = "this command evaluates or trains a network, which needs the LibTorch adapter plugin "
              "libmemlapse_torch.so; it was not found:" + tried +
              "\n(build with -DMEMLAPSE_WITH_TORCH=ON, or set MEMLAPSE_TORCH_PLUGIN to its path)";
  });
  if (backend == nullptr) throw Error(failure);
  return backend;
}

}  // namespace

std::vector<std::int64_t> EvaluatedModel::predict_rows(const Dataset& data, std::span<const std::uint32_t> rows, int batch_size) {
  Dataset sub;
  sub.n = rows.size();
  sub.channels = data.channels;
  sub.rows = data.rows;
  sub.cols = data.cols;
  sub.source = data.source;
  const std::size_t per = data.channels * data.rows * data.cols;
  sub.images.reserve(rows.size() * per);
  for (std::uint32_t r : rows) {
    MEMLAPSE_CHECK(r < data.n, "predict_rows: row out of range");
    sub.images.insert(sub.images.end(), data.images.begin() + static_cast<std::ptrdiff_t>(r * per),
                      data.images.begin() + static_cast<std::ptrdiff_t>((r + 1) * per));
    if (!data.labels.empty()) sub.labels.push_back(data.labels[r]);
  }
  return predict(sub, batch_size);
}

ModelBackend& model_backend() { return g_registered != nullptr ? *g_registered : *load_plugin(); }

void set_model_backend(ModelBackend* b) { g_registered = b; }

bool model_backend_available() {
  if (g_registered != nullptr) return true;
  for (const auto& p : plugin_candidates()) {
    std::error_code ec;
    if (std::filesystem::exists(p, ec)) return true;
  }
  return false;
}

}  // namespace memlapse
