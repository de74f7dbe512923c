// Faults in activations (000's IFMs/OFMs) between the top-level modules of a zoo network.
#include "adapters/torch/activation_faults.h"

#include <sstream>
#include <tuple>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/image/memory_image.h"

namespace memlapse::torch_adapter {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  return out;
}

// "name,k=v,k=v" -> name and parameters.
std::string name_and_params(const std::string& token, std::map<std::string, std::string>& params, const std::string& where) {
  auto parts = split(token, ',');
  if (parts.empty() || parts[0].empty()) throw Error(where + ": empty name");
  for (std::size_t i = 1; i < parts.size(); ++i) {
    auto eq = parts[i].find('=');
    if (eq == std::string::npos || eq == 0) throw Error(where + ": '" + parts[i] + "' is not of the form key=value");
    params[parts[i].substr(0, eq)] = parts[i].substr(eq + 1);
  }
  return parts[0];
}

// Decorrelates the sites' fault draws: the same chip gives each site its own pattern.
std::uint64_t site_seed(std::uint64_t seed, std::size_t module, bool output) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (2 * module + (output ? 1 : 0) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

torch::Tensor q_of(const torch::Tensor& flat, const torch::Tensor& like) { return flat.view(like.sizes()).to(like.scalar_type()); }

}  // namespace

std::string rate_key_of(const std::string& model) {
  for (const auto& e : fault_registry().entries()) {
    if (e.name != model) continue;
    for (const auto& p : e.schema.specs()) if (p.name == "ber") return "ber";
    for (const auto& p : e.schema.specs()) if (!p.name.empty() && p.name[0] == 'P') return p.name;
    throw Error("fault model " + model + " has no bit error rate parameter: give the rate as KEY=VALUE");
  }
  make_fault_model(model, {});  // throws the registry's "unknown fault model" error
  return "ber";
}

std::pair<std::string, double> parse_key_rate(const std::string& model, const std::string& text, const std::string& where) {
  std::string key = rate_key_of(model), value = text;
  if (auto eq = text.find('='); eq != std::string::npos) {
    key = text.substr(0, eq);
    value = text.substr(eq + 1);
  }
  try {
    std::size_t used = 0;
    const double rate = std::stod(value, &used);
    if (used != value.size()) throw std::invalid_argument("trailing");
    return {key, rate};
  } catch (const std::exception&) {
    throw Error(where + ": RATE '" + value + "' is not a number");
  }
}

ActivationFaultSpec parse_activation_fault(const std::string& text, const std::string& flag, bool with_model) {
  const std::string where = flag + " '" + text + "'";
  auto t = split(text, ':');
  const std::string expected = with_model ? "TYPE:MODULES:FORMAT:MODEL:RATE, e.g. ofm:conv:rquant,bits=8:uniform:1e-3"
                                          : "TYPE:MODULES[:FORMAT], e.g. ofm:conv:rquant,bits=8";
  if (with_model ? t.size() != 5 : (t.size() < 2 || t.size() > 3)) throw Error(where + ": expected " + expected);
  ActivationFaultSpec s;
  s.text = text;
  if (t[0] != "ifm" && t[0] != "ofm") throw Error(where + ": TYPE '" + t[0] + "'; expected ifm or ofm");
  s.output = t[0] == "ofm";
  s.modules = t[1];
  if (s.modules.empty()) throw Error(where + ": empty MODULES; expected all, conv or module indices such as 0,3");
  if (t.size() >= 3) {
    s.format_params.clear();
    s.format = name_and_params(t[2], s.format_params, where);
    make_format(s.format, s.format_params);  // validates
  }
  if (with_model) {
    s.model = name_and_params(t[3], s.fault_params, where);
    std::tie(s.rate_key, s.rate) = parse_key_rate(s.model, t[4], where);
    auto p = s.fault_params;
    p[s.rate_key] = format_double(s.rate);
    try {
      make_fault_model(s.model, p);
    } catch (const Error& e) {
      throw Error(where + ": " + e.what());
    }
  }
  return s;
}

ActivationFaults::ActivationFaults(ZooNetwork& net, std::vector<ActivationFaultSpec> specs, std::uint64_t seed,
                                   bool correct_zero)
    : net_(net), specs_(std::move(specs)), seed_(seed), correct_zero_(correct_zero) {
  const std::size_t n = net_.module_count();
  for (std::size_t si = 0; si < specs_.size(); ++si) {
    const auto& s = specs_[si];
    formats_.push_back(make_format(s.format, s.format_params));
    std::vector<std::size_t> mods;
    if (s.modules == "all" || s.modules == "conv") {
      for (std::size_t i = 0; i < n; ++i) {
        const std::string name = net_.module_name(i);
        const bool weighted = name.find("Conv") != std::string::npos || name.find("Linear") != std::string::npos;
        if (s.modules == "all" || weighted) mods.push_back(i);
      }
    } else {
      for (const auto& item : split(s.modules, ',')) {
        std::size_t used = 0;
        long long v = -1;
        try { v = std::stoll(item, &used); } catch (const std::exception&) { used = 0; }
        if (used != item.size() || v < 0 || static_cast<std::size_t>(v) >= n) {
          throw Error("activation faults '" + s.text + "': module '" + item + "' is not an index in 0.." + std::to_string(n - 1));
        }
        mods.push_back(static_cast<std::size_t>(v));
      }
    }
    for (auto m : mods) sites_.push_back({m, s.output, si});
  }
  // Specs parsed with a model carry their rate; a sweep's get theirs from set_point().
  for (const auto& sp : specs_) {
    auto p = sp.fault_params;
    p[sp.rate_key] = format_double(sp.rate);
    std::unique_ptr<FaultModel> m;
    try {
      m = make_fault_model(sp.model, p);
    } catch (const Error&) {
      m = nullptr;
    }
    models_.push_back(std::move(m));
  }
}

ActivationFaults::~ActivationFaults() { remove(); }

void ActivationFaults::set_chip(std::uint64_t chip) {
  chip_ = chip;
  pass_ = 0;
}

void ActivationFaults::set_fault_model(const std::string& model, const std::map<std::string, std::string>& params) {
  models_.clear();
  for (std::size_t i = 0; i < specs_.size(); ++i) models_.push_back(make_fault_model(model, params));
}

void ActivationFaults::set_point(const std::string& key, double value) {
  models_.clear();
  for (auto& s : specs_) {
    auto p = s.fault_params;
    p[key] = format_double(value);
    models_.push_back(make_fault_model(s.model, p));
  }
}

ActivationHook ActivationFaults::hook() {
  return [this](std::size_t module, bool output, const torch::Tensor& x) {
    if (module == 0 && !output) ++pass_;
    for (const auto& s : sites_) {
      if (s.module == module && s.output == output) return inject(s, x);
    }
    return x;
  };
}

void ActivationFaults::install() { net_.set_activation_hook(hook()); }

void ActivationFaults::remove() { net_.set_activation_hook({}); }

torch::Tensor ActivationFaults::inject(const Site& s, const torch::Tensor& x) {
  torch::Tensor xc = x.detach().to(torch::kFloat32).contiguous();
  const auto n = static_cast<std::size_t>(xc.numel());
  std::span<const float> values(xc.data_ptr<float>(), n);
  MemoryImage image(formats_[s.spec]);
  std::vector<std::span<const float>> all{values};
  image.prepare(all);
  const std::uint32_t t = image.add_tensor("activation", {static_cast<std::int64_t>(n)}, values);
  torch::Tensor clean = torch::empty({static_cast<int64_t>(n)}, torch::kFloat32);
  std::span<float> out(clean.data_ptr<float>(), n);
  image.read_tensor(t, out);
  float lo = 0, hi = 0;
  if (correct_zero_ && n > 0) {
    auto [mn, mx] = std::minmax_element(out.begin(), out.end());
    lo = *mn;
    hi = *mx;
  }
  if (!inject_ || models_[s.spec] == nullptr) return x + (q_of(clean, x) - x).detach();
  FaultList faults = models_[s.spec]->sample_pass(image, site_seed(seed_, s.module, s.output), chip_, pass_);
  counts_[{s.module, s.output}] += faults.size();
  {
    Injection inj(image, faults);
    for (const auto& c : image.decode_changes(std::span<const Injection::Touched>(inj.touched()))) {
      out[c.element] = correct_zero_ ? correct_implausible(c.value, lo, hi) : c.value;
    }
    inj.revert();
  }
  // Straight-through: the forward value is the stored one, the gradient passes unchanged.
  return x + (q_of(clean, x) - x).detach();
}

std::string ActivationFaults::describe() const {
  std::string s;
  for (const auto& sp : specs_) s += (s.empty() ? "" : " ") + sp.text;
  return s;
}

}  // namespace memlapse::torch_adapter
