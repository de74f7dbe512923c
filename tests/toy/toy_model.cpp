#include "toy_model.h"

#include "memlapse/core/error.h"
#include "memlapse/core/rng.h"

namespace memlapse::testing {
namespace {

std::vector<float> uniform_values(std::uint64_t n, std::uint64_t salt, double scale) {
  CounterRng r(999, salt, 3);
  std::vector<float> v(n);
  for (std::uint64_t i = 0; i < n; ++i) v[i] = static_cast<float>((2.0 * r.uniform(i) - 1.0) * scale);
  return v;
}

class ToyModel final : public EvaluatedModel {
 public:
  explicit ToyModel(std::size_t hidden) : net_(784, hidden) {}
  std::string description() const override { return "toy:" + std::to_string(net_.hidden); }
  std::vector<ParameterRef> parameters() override {
    std::vector<ParameterRef> out;
    for (std::size_t i = 0; i < net_.params.size(); ++i) {
      out.push_back({net_.names[i], net_.shapes[i], net_.params[i].data(), net_.params[i].size()});
    }
    return out;
  }
  std::vector<std::int64_t> predict(const Dataset& data, int) override { return net_.predict(data); }

 private:
  ToyNetwork net_;
};

class ToyBackend final : public ModelBackend {
 public:
  int configure_threads(int) override { return 1; }
  std::unique_ptr<EvaluatedModel> load(const ModelLoadSpec& spec) override {
    std::size_t hidden = 16;
    if (spec.source.rfind("toy:", 0) == 0) hidden = std::stoul(spec.source.substr(4));
    else if (spec.source != "toy") throw Error(spec.source + ": the toy backend loads 'toy' or 'toy:HIDDEN'");
    if (!spec.activation_sites.empty()) throw Error("the toy backend has no activation sites");
    return std::make_unique<ToyModel>(hidden);
  }
  TrainReport train(const TrainOptions&, std::ostream&) override { throw Error("the toy backend does not train"); }
  std::vector<float> tensor(const std::string&, const std::string&, std::vector<std::int64_t>&) override {
    throw Error("the toy backend has no tensors to export");
  }
};

}  // namespace

ToyNetwork::ToyNetwork(std::size_t in, std::size_t h) : inputs(in), hidden(h) {
  params = {uniform_values(h * in, 1, 0.11), uniform_values(h, 2, 0.05), uniform_values(10 * h, 3, 0.3), uniform_values(10, 4, 0.05)};
  shapes = {{static_cast<std::int64_t>(h), static_cast<std::int64_t>(in)}, {static_cast<std::int64_t>(h)},
            {10, static_cast<std::int64_t>(h)}, {10}};
}

std::vector<std::int64_t> ToyNetwork::predict(const Dataset& data) const {
  const std::size_t width = data.channels * data.rows * data.cols;
  if (width != inputs) throw Error("toy network: examples of " + std::to_string(width) + " values, expected " + std::to_string(inputs));
  std::vector<std::int64_t> out;
  std::vector<float> h(hidden);
  for (std::size_t n = 0; n < data.n; ++n) {
    const float* x = data.images.data() + n * width;
    for (std::size_t j = 0; j < hidden; ++j) {
      float s = params[1][j];
      for (std::size_t i = 0; i < inputs; ++i) s += params[0][j * inputs + i] * x[i];
      h[j] = s > 0 ? s : 0;
    }
    std::int64_t best = 0;
    float bv = -1e30f;
    for (std::size_t k = 0; k < 10; ++k) {
      float s = params[3][k];
      for (std::size_t j = 0; j < hidden; ++j) s += params[2][k * hidden + j] * h[j];
      if (!(s <= bv)) {
        bv = s;
        best = static_cast<std::int64_t>(k);
      }
    }
    out.push_back(best);
  }
  return out;
}

ModelBackend& toy_backend() {
  static ToyBackend b;
  return b;
}

}  // namespace memlapse::testing
