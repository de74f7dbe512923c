// Networks behind one interface, checkpoints, and dataset -> tensor conversion.
#include "adapters/torch/network.h"

#include <filesystem>
#include <fstream>

#include "adapters/torch/api.h"
#include "memlapse/core/error.h"
#include "memlapse/core/file.h"

namespace memlapse::torch_adapter {

namespace fs = std::filesystem;

int configure_threads(int threads) {
  int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
  return torch::get_num_threads();
}

ZooNetwork::ZooNetwork(std::string arch, std::map<std::string, std::string> resolved, torch::nn::Sequential seq)
    : arch_(std::move(arch)), params_(std::move(resolved)), seq_(std::move(seq)) {}

torch::Tensor ZooNetwork::forward(const torch::Tensor& x) {
  if (!hook_) return seq_->forward(x);
  torch::Tensor y = x;
  std::size_t i = 0;
  for (auto& m : *seq_) {
    y = hook_(i, false, y);
    y = m.forward(y);
    y = hook_(i, true, y);
    ++i;
  }
  return y;
}

torch::Tensor ZooNetwork::forward_modules(const torch::Tensor& x, std::size_t begin, std::size_t end) {
  torch::Tensor y = x;
  std::size_t i = 0;
  for (auto& m : *seq_) {
    if (i >= end) break;
    if (i >= begin) {
      if (hook_) y = hook_(i, false, y);
      y = m.forward(y);
      if (hook_) y = hook_(i, true, y);
    }
    ++i;
  }
  return y;
}

std::vector<std::pair<std::string, torch::Tensor>> ZooNetwork::named_parameters() {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : seq_->named_parameters(true)) out.emplace_back(item.key(), item.value());
  return out;
}

std::string ZooNetwork::description() const {
  std::string s = "zoo:" + arch_ + "(";
  bool first = true;
  for (const auto& [k, v] : params_) { s += (first ? "" : ",") + k + "=" + v; first = false; }
  return s + ")";
}

ScriptNetwork::ScriptNetwork(const std::string& path) : path_(path) {
  try {
    module_ = torch::jit::load(path);
  } catch (const c10::Error& e) {
    throw Error(path + ": not a loadable TorchScript module (" + std::string(e.what_without_backtrace()) + ")");
  }
  module_.eval();
}

torch::Tensor ScriptNetwork::forward(const torch::Tensor& x) {
  auto out = module_.forward({x});
  if (out.isTensor()) return out.toTensor();
  if (out.isTuple()) return out.toTuple()->elements().at(0).toTensor();
  throw Error(path_ + ": forward() did not return a tensor");
}

std::vector<std::pair<std::string, torch::Tensor>> ScriptNetwork::named_parameters() {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& p : module_.named_parameters(true)) out.emplace_back(p.name, p.value);
  return out;
}

void save_checkpoint(const std::string& dir, ZooNetwork& net, torch::optim::Optimizer* opt, const nlohmann::json& meta) {
  fs::create_directories(dir);
  // Write to temporaries and rename, so an interrupted save never leaves a half checkpoint.
  {
    torch::serialize::OutputArchive ar;
    net.root().save(ar);
    ar.save_to(dir + "/model.pt.tmp");
  }
  if (opt != nullptr) {
    torch::serialize::OutputArchive ar;
    opt->save(ar);
    ar.save_to(dir + "/optimizer.pt.tmp");
  }
  nlohmann::json m = meta;
  m["arch"] = net.arch();
  m["arch_params"] = net.arch_params();
  write_text_file(dir + "/meta.json.tmp2", m.dump(2) + "\n");
  fs::rename(dir + "/model.pt.tmp", dir + "/model.pt");
  if (opt != nullptr) fs::rename(dir + "/optimizer.pt.tmp", dir + "/optimizer.pt");
  fs::rename(dir + "/meta.json.tmp2", dir + "/meta.json");
}

nlohmann::json read_checkpoint_meta(const std::string& dir) {
  const std::string path = dir + "/meta.json";
  std::ifstream in(path);
  if (!in) throw Error(path + ": checkpoint metadata not found");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": invalid JSON (" + e.what() + ")");
  }
}

std::unique_ptr<ZooNetwork> load_checkpoint(const std::string& dir, torch::optim::Optimizer* opt) {
  nlohmann::json meta = read_checkpoint_meta(dir);
  if (!meta.contains("arch") || !meta["arch"].is_string()) throw Error(dir + "/meta.json: missing key 'arch'");
  std::map<std::string, std::string> params = meta.value("arch_params", std::map<std::string, std::string>{});
  // Checkpoints from before the 004 App. E re-parameterisation stored the plain scale.
  if (params.count("norm") != 0 && params.count("reparam") == 0) params["reparam"] = "false";
  auto net = build_zoo(meta["arch"].get<std::string>(), params, 0);
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(dir + "/model.pt");
    net->root().load(ar);
    if (opt != nullptr && fs::exists(dir + "/optimizer.pt")) {
      torch::serialize::InputArchive oa;
      oa.load_from(dir + "/optimizer.pt");
      opt->load(oa);
    }
  } catch (const c10::Error& e) {
    throw Error(dir + ": cannot load checkpoint weights (" + std::string(e.what_without_backtrace()) + ")");
  }
  return net;
}

std::unique_ptr<Network> load_network(const std::string& spec, const std::map<std::string, std::string>& arch_params) {
  if (fs::is_directory(spec)) {
    if (!arch_params.empty()) throw Error("--arch options apply to zoo names, not to the checkpoint " + spec);
    return load_checkpoint(spec);
  }
  if (fs::is_regular_file(spec)) return std::make_unique<ScriptNetwork>(spec);
  if (spec.find('/') != std::string::npos || spec.ends_with(".pt") || spec.ends_with(".pth")) {
    throw Error(spec + ": no such checkpoint directory or TorchScript file");
  }
  return build_zoo(spec, arch_params, 1);
}

std::vector<float> model_tensor(const std::string& model, const std::string& name, std::vector<std::int64_t>& shape) {
  auto net = load_network(model, {});
  std::string known;
  for (auto& [n, p] : net->named_parameters()) {
    if (n == name) {
      auto c = p.detach().to(torch::kFloat32).contiguous();
      shape.assign(c.sizes().begin(), c.sizes().end());
      return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    }
    known += (known.empty() ? "" : ", ") + n;
  }
  throw Error(model + ": no parameter named '" + name + "'; parameters: " + known);
}

torch::Tensor images_tensor(const Dataset& d) {
  auto t = torch::from_blob(const_cast<float*>(d.images.data()),
                            {static_cast<int64_t>(d.n), static_cast<int64_t>(d.channels), static_cast<int64_t>(d.rows),
                             static_cast<int64_t>(d.cols)},
                            torch::kFloat32);
  return t.clone();
}

torch::Tensor labels_tensor(const Dataset& d) {
  return torch::from_blob(const_cast<std::int64_t*>(d.labels.data()), {static_cast<int64_t>(d.labels.size())}, torch::kInt64)
      .clone();
}

}  // namespace memlapse::torch_adapter
