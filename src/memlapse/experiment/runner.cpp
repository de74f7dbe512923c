#include "memlapse/experiment/runner.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/file.h"
#include "memlapse/core/text.h"
#include "memlapse/experiment/array_run.h"
#include "memlapse/experiment/backend.h"
#include "memlapse/experiment/characterize.h"
#include "memlapse/experiment/progress.h"
#include "memlapse/experiment/report.h"
#include "memlapse/experiment/stored_model.h"
#include "memlapse/experiment/zoo.h"
#include "memlapse/stats/summary.h"
#include "memlapse/version.h"

namespace memlapse {
namespace {

void on_signal(int) { run_stop_flag().store(true); }

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}


std::uint64_t fnv(std::uint64_t h, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

std::string hex(std::uint64_t x) {
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(x));
  return b;
}

}  // namespace

std::string key_hash(const std::string& s) { return hex(fnv(1469598103934665603ULL, s.data(), s.size())); }

namespace {

// The points sharing one loaded network and dataset.
std::string model_key(const ExperimentSpec& s) {
  nlohmann::json j = {{"source", s.model.source},
                      {"arch", is_zoo_name(s.model.source) ? s.model.arch : std::map<std::string, std::string>{}},
                      {"bn", s.model.bn_batch_stats},
                      {"input_shape", s.model.input_shape},
                      {"sites", s.activations.sites},
                      {"correct", s.sweep->correct},
                      {"data", {s.data.dir, s.data.limit, s.synthetic}}};
  if (!s.activations.sites.empty()) j["site_format"] = {s.format, s.format_params};
  return j.dump();
}

// The points sharing one memory image (format and placement).
std::string image_key(const ExperimentSpec& s) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : s.placement.rules) rules.push_back({r.tensors, r.partition, [&] {
                                                             std::vector<std::string> st;
                                                             for (auto x : r.structures) st.push_back(to_string(x));
                                                             return st;
                                                           }()});
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : s.memory.partitions) parts.push_back({p.name, p.capacity_bytes});
  return nlohmann::json{{"format", s.format}, {"params", s.format_params}, {"default", s.placement.default_partition},
                        {"scales", s.placement.scales_partition}, {"rules", rules}, {"partitions", parts}}
      .dump();
}

nlohmann::json num_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// The partitions of a point with their fault models at the point's operating point.
struct PointPartitions {
  std::vector<std::unique_ptr<FaultModel>> models;  // null: fault-free ("none")
  nlohmann::json info = nlohmann::json::array();
};

PointPartitions partitions_of(const ExperimentSpec& s, const ResolvedPlacement& placed, const MemoryImage& image) {
  PointPartitions out;
  for (std::size_t p = 0; p < s.memory.partitions.size(); ++p) {
    const PartitionSpec& ps = s.memory.partitions[p];
    auto m = ps.make_fault_model();
    const auto params = m->params();
    auto it = params.find("ber");
    std::uint64_t regions = 0, bits = 0;
    for (std::uint32_t r = 0; r < image.tensor_count(); ++r) {
      if (placed.partition_of_region[r] != p) continue;
      ++regions;
      bits += image.value_bits(r);
    }
    out.info.push_back({{"name", ps.name},
                        {"index", p},
                        {"technology", ps.technology},
                        {"fault_model", ps.fault_model},
                        {"fault_params", params},
                        {"ber", it != params.end() ? num_or_null(std::strtod(it->second.c_str(), nullptr)) : nlohmann::json(nullptr)},
                        {"layout", ps.layout_params},
                        {"capacity_bytes", ps.capacity_bytes},
                        {"bytes", placed.bytes[p]},
                        {"regions", regions},
                        {"stored_bits", bits}});
    out.models.push_back(ps.fault_model == "none" ? nullptr : std::move(m));
  }
  return out;
}

// The spec keys whose values differ between a stored run and this one.
std::string differing_keys(const nlohmann::json& before, const nlohmann::json& now) {
  std::string diff;
  for (const auto& [k, v] : now.items()) {
    if (!before.contains(k)) diff += " " + k + " (new)";
    else if (before[k] != v) diff += " " + k + " (" + before[k].get<std::string>() + " -> " + v.get<std::string>() + ")";
  }
  for (const auto& [k, v] : before.items()) if (!now.contains(k)) diff += " " + k + " (removed)";
  return diff;
}

// Runs every trial of `points` (one image group) not yet stored.
struct Runner {
  const ConfigDoc& doc;
  const RunOptions& opts;
  std::ostream& out;
  std::ostream& progress;
  ResultsStore& store;
  std::set<std::pair<std::uint64_t, std::uint64_t>> finished;
  std::uint64_t total = 0, done = 0;
  std::unique_ptr<ProgressBar> bar;
  std::map<std::string, std::size_t> image_index;  // image key -> its placement file's number

  void run(const std::vector<SweepPoint>& points) {
    // Placement files are numbered over every image in the experiment (stable across resumes).
    for (const auto& p : points) image_index.emplace(image_key(p.spec), image_index.size());
    std::vector<std::string> model_keys;
    std::map<std::string, std::vector<const SweepPoint*>> by_model;
    for (const auto& p : points) {
      const std::string k = model_key(p.spec);
      if (!by_model.count(k)) model_keys.push_back(k);
      by_model[k].push_back(&p);
    }
    for (const auto& mk : model_keys) {
      if (run_stop_flag().load()) return;
      run_model_group(by_model[mk], mk);
    }
  }

  bool group_finished(const std::vector<const SweepPoint*>& pts) const {
    for (const SweepPoint* p : pts) {
      for (std::uint64_t c = 0; c < p->spec.sweep->chips; ++c) {
        if (!finished.count({p->index, c})) return false;
      }
    }
    return true;
  }

  void run_model_group(const std::vector<const SweepPoint*>& pts, const std::string& mk) {
    if (group_finished(pts)) return;
    const ExperimentSpec& s0 = pts.front()->spec;
    std::unique_ptr<EvaluatedModel> model = load_evaluated_model(doc, s0, s0.sweep->correct == "zero", s0.sweep->seed);
    const Dataset data = load_evaluation_data(s0, s0.sweep->seed);
    std::vector<ParameterRef> params = model->parameters();
    check_or_record(store, "fingerprint.model." + key_hash(mk), parameters_fingerprint(params), "model parameters (fingerprint)");
    check_or_record(store, "fingerprint.data." + key_hash(mk), dataset_fingerprint(data), "evaluation data (fingerprint)");
    // The float weights, restored before each format encodes them.
    std::vector<std::vector<float>> floats;
    for (const auto& p : params) floats.emplace_back(p.data, p.data + p.count);
    const std::vector<std::int64_t> float_pred = model->predict(data, s0.model.batch_size);
    const double float_error = data.labels.empty() ? std::numeric_limits<double>::quiet_NaN() : rate_of(float_pred, data.labels);
    std::vector<std::string> image_keys;
    std::map<std::string, std::vector<const SweepPoint*>> by_image;
    for (const SweepPoint* p : pts) {
      const std::string k = image_key(p->spec);
      if (!by_image.count(k)) image_keys.push_back(k);
      by_image[k].push_back(p);
    }
    for (const auto& ik : image_keys) {
      if (run_stop_flag().load()) return;
      if (group_finished(by_image[ik])) continue;
      for (std::size_t i = 0; i < params.size(); ++i) std::copy(floats[i].begin(), floats[i].end(), params[i].data);
      run_image_group(by_image[ik], *model, params, data, float_error);
    }
  }

  void run_image_group(const std::vector<const SweepPoint*>& pts, EvaluatedModel& model, const std::vector<ParameterRef>& params,
                       const Dataset& data, double float_error) {
    const ExperimentSpec& s0 = pts.front()->spec;
    std::shared_ptr<const Format> format = make_format(s0.format, s0.format_params);
    StoredModel sm(params, format, s0.sweep->correct == "zero");
    const ResolvedPlacement placed = sm.place(s0.memory, s0.placement);
    MemoryImage& image = sm.image();
    const std::size_t n = image_index.at(image_key(s0));
    const std::string pfile = n == 0 ? "placement.toml" : "placement-" + std::to_string(n) + ".toml";
    write_text_file(s0.out + "/" + pfile, placement_file_text(image, s0.memory, placed));
    const bool sites = !s0.activations.sites.empty();
    if (sites) model.begin_trial(TrialContext{0, 0, false, "none", {}});
    const std::vector<std::int64_t> clean = model.predict(data, s0.model.batch_size);
    const double clean_error = data.labels.empty() ? std::numeric_limits<double>::quiet_NaN() : rate_of(clean, data.labels);
    nlohmann::json tensors = nlohmann::json::array();
    for (std::uint32_t r = 0; r < image.tensor_count(); ++r) {
      const TensorSlot& t = image.tensor(r);
      tensors.push_back({{"tensor", image.parameter_name(t.tensor)}, {"structure", to_string(t.structure)},
                         {"partition", s0.memory.partitions[placed.partition_of_region[r]].name}, {"bytes", t.byte_count()},
                         {"word_bits", t.word_bits}, {"count", t.count}});
    }
    for (const SweepPoint* pt : pts) {
      const ExperimentSpec& s = pt->spec;
      PointPartitions parts = partitions_of(s, placed, image);
      const std::uint32_t act_partition = s.memory.index_of(s.activations.partition, "activations.partition");
      PointRecord rec;
      rec.point = pt->index;
      rec.label = pt->label();
      rec.overrides = pt->overrides;
      rec.info = {{"model", model.description()}, {"format", format->name()}, {"format_name", s.format}, {"format_params", s.format_params},
                  {"clean_error", num_or_null(clean_error)}, {"float_error", num_or_null(float_error)}, {"examples", data.n},
                  {"dataset", data.source}, {"partitions", parts.info}, {"placement_file", pfile},
                  {"tensors", image.parameter_count()}, {"regions", tensors}, {"activation_sites", model.activation_sites()},
                  {"activation_partition", s.activations.partition}, {"weights_faulty", s.activations.weights},
                  {"correct", s.sweep->correct}, {"seed", s.sweep->seed}, {"chips", s.sweep->chips}};
      store.put_point(rec);
      for (std::uint64_t chip = 0; chip < s.sweep->chips; ++chip) {
        if (run_stop_flag().load()) return;
        if (finished.count({pt->index, chip})) continue;
        TrialRecord t = trial(s, pt->index, chip, sm, model, parts, act_partition, data, clean);
        store.add_trial(t);
        finished.insert({pt->index, chip});
        ++done;
        char extra[160];
        std::snprintf(extra, sizeof extra, "point %llu chip %llu err %.2f%%", static_cast<unsigned long long>(pt->index),
                      static_cast<unsigned long long>(chip), 100 * (std::isfinite(t.error) ? t.error : t.mismatch));
        bar->update(done, done, extra);
      }
    }
  }

  TrialRecord trial(const ExperimentSpec& s, std::uint64_t point, std::uint64_t chip, StoredModel& sm, EvaluatedModel& model,
                    const PointPartitions& parts, std::uint32_t act_partition, const Dataset& data, const std::vector<std::int64_t>& clean) {
    TrialRecord t;
    t.point = point;
    t.chip = chip;
    t.seed = s.sweep->seed;
    t.examples = data.n;
    MemoryImage& image = sm.image();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Injection>> injections;
    if (s.activations.weights) {
      for (std::size_t p = 0; p < parts.models.size(); ++p) {
        const PartitionSpec& ps = s.memory.partitions[p];
        if (parts.models[p] == nullptr) continue;
        const PartitionView view(image, static_cast<std::uint32_t>(p), ps.layout);
        if (view.tensor_count() == 0) continue;
        injections.push_back(std::make_unique<Injection>(image, view, *parts.models[p], s.sweep->seed, chip));
        t.partition_faults[ps.name] = injections.back()->fault_count();
        t.faults += injections.back()->fault_count();
      }
    }
    auto load_all = [&] {
      if (injections.size() == 1) {
        sm.load(injections.front()->touched());
        return;
      }
      std::vector<Injection::Touched> merged;
      for (const auto& inj : injections) merged.insert(merged.end(), inj->touched().begin(), inj->touched().end());
      sm.load(merged);
    };
    load_all();
    t.inject_ms = ms_since(t0);
    if (!s.activations.sites.empty()) {
      const PartitionSpec& ap = s.memory.partitions[act_partition];
      model.begin_trial(TrialContext{point, chip, ap.fault_model != "none", ap.fault_model, ap.fault_params});
    }
    const auto t1 = std::chrono::steady_clock::now();
    const std::vector<std::int64_t> pred = model.predict(data, s.model.batch_size);
    t.infer_ms = ms_since(t1);
    const auto t2 = std::chrono::steady_clock::now();
    for (auto it = injections.rbegin(); it != injections.rend(); ++it) (*it)->revert();
    load_all();
    t.inject_ms += ms_since(t2);
    if (!s.activations.sites.empty()) model.begin_trial(TrialContext{point, chip, false, "none", {}});
    t.error = data.labels.empty() ? std::numeric_limits<double>::quiet_NaN() : rate_of(pred, data.labels);
    t.mismatch = rate_of(pred, clean);
    return t;
  }
};

std::string short_key(const std::string& key, const std::vector<std::string>& all) {
  const auto dot = key.find_last_of('.');
  const std::string last = dot == std::string::npos ? key : key.substr(dot + 1);
  int same = 0;
  for (const auto& k : all) {
    const auto d = k.find_last_of('.');
    same += (d == std::string::npos ? k : k.substr(d + 1)) == last;
  }
  return same == 1 ? last : key;
}

}  // namespace

// What a set of parameters is, bit for bit (names, shapes, values): a resumed run must see the same.
std::string parameters_fingerprint(const std::vector<ParameterRef>& params) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const auto& p : params) {
    h = fnv(h, p.name.data(), p.name.size());
    h = fnv(h, p.shape.data(), p.shape.size() * sizeof(std::int64_t));
    h = fnv(h, p.data, p.count * sizeof(float));
  }
  return hex(h);
}

std::string dataset_fingerprint(const Dataset& d) {
  std::uint64_t h = 1469598103934665603ULL;
  h = fnv(h, d.images.data(), d.images.size() * sizeof(float));
  h = fnv(h, d.labels.data(), d.labels.size() * sizeof(std::int64_t));
  return hex(h);
}

void check_or_record(ResultsStore& store, const std::string& key, const std::string& value, const std::string& what) {
  const auto have = store.meta(key);
  if (have && *have != value) {
    throw Error(store.path() + ": the finished trials were run with " + what + " " + *have + ", this run has " + value +
                "; a resumed experiment must use the same inputs (choose another experiment.out)");
  }
  if (!have) store.set_meta({{key, value}});
}

double rate_of(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
  MEMLAPSE_CHECK(a.size() == b.size(), "prediction count mismatch");
  if (a.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::size_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff += a[i] != b[i];
  return static_cast<double>(diff) / static_cast<double>(a.size());
}

Dataset load_evaluation_data(const ExperimentSpec& s, std::uint64_t seed) {
  if (s.synthetic > 0) {
    const auto& sh = s.model.input_shape;
    return synthetic_inputs(s.synthetic, static_cast<std::size_t>(sh[0]), static_cast<std::size_t>(sh[1]),
                            static_cast<std::size_t>(sh[2]), seed);
  }
  DatasetSpec d = s.data;
  d.validation = 0;
  Dataset data = load_mnist_split(d, Split::kTest);
  if (data.n == 0) throw Error(d.dir + ": the test split has no examples (data.limit?); nothing to evaluate");
  const auto& sh = s.model.input_shape;
  if (!sh.empty() && (sh[0] != static_cast<std::int64_t>(data.channels) || sh[1] != static_cast<std::int64_t>(data.rows) ||
                      sh[2] != static_cast<std::int64_t>(data.cols))) {
    throw Error("model.input_shape does not match the dataset's " + std::to_string(data.channels) + "x" + std::to_string(data.rows) + "x" +
                std::to_string(data.cols) + " images; use data.synthetic = N for other shapes");
  }
  return data;
}

std::unique_ptr<EvaluatedModel> load_evaluated_model(const ConfigDoc& doc, const ExperimentSpec& s, bool correct_zero, std::uint64_t seed) {
  ModelLoadSpec ls;
  ls.source = s.model.source;
  if (is_zoo_name(ls.source)) ls.arch = s.model.arch;
  ls.bn_batch_stats = s.model.bn_batch_stats;
  ls.activation_sites = s.activations.sites;
  ls.activation_format = s.format;
  ls.activation_format_params = s.format_params;
  ls.activation_seed = seed ^ 0x5bd1e995ULL;
  ls.correct_zero = correct_zero;
  try {
    return model_backend().load(ls);
  } catch (const Error& e) {
    // The backend knows what a source may be; the user needs to know which key it came from.
    throw Error(doc.where(s.train ? "train" : "model.source") + ": " + (s.train ? "train.out" : "model.source") + " = \"" + ls.source + "\": " +
                e.what());
  }
}

std::atomic<bool>& run_stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

void install_stop_signal_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

std::vector<PointSummary> summarize_store(const ResultsStore& store, double ci_level, double prop1_delta) {
  std::map<std::uint64_t, std::vector<TrialRecord>> by_point;
  for (auto& t : store.trials()) by_point[t.point].push_back(std::move(t));
  std::vector<PointSummary> out;
  for (const PointRecord& p : store.points()) {
    auto it = by_point.find(p.point);
    if (it == by_point.end()) continue;
    PointSummary s;
    s.point = p.point;
    s.label = p.label;
    s.overrides = p.overrides;
    s.info = p.info;
    std::vector<double> err, mis, faults, inj, inf;
    std::map<std::string, std::vector<double>> pf;
    for (const auto& t : it->second) {
      err.push_back(t.error);
      mis.push_back(t.mismatch);
      faults.push_back(static_cast<double>(t.faults));
      inj.push_back(t.inject_ms);
      inf.push_back(t.infer_ms);
      for (const auto& [k, v] : t.partition_faults) pf[k].push_back(static_cast<double>(v));
    }
    s.chips = err.size();
    const Summary se = summarize(err), sm = summarize(mis);
    s.error_mean = se.mean;
    s.error_std = se.std;
    const Interval ci = student_t_interval(se, ci_level);
    s.error_ci_low = ci.low;
    s.error_ci_high = ci.high;
    const auto examples = static_cast<std::size_t>(p.info.value("examples", std::uint64_t{0}));
    // A probability: a bound above 1 is vacuous and reported as 1.
    s.error_prop1_upper = std::isfinite(se.mean) && examples > 0
                              ? std::min(1.0, prop1_upper_bound(se.mean, examples, err.size(), prop1_delta))
                              : std::numeric_limits<double>::quiet_NaN();
    s.mismatch_mean = sm.mean;
    s.mismatch_std = sm.std;
    const Interval mci = student_t_interval(sm, ci_level);
    s.mismatch_ci_low = mci.low;
    s.mismatch_ci_high = mci.high;
    s.faults_mean = summarize(faults).mean;
    s.inject_ms_mean = summarize(inj).mean;
    s.infer_ms_mean = summarize(inf).mean;
    for (const auto& [k, v] : pf) s.partition_faults_mean[k] = summarize(v).mean;
    out.push_back(std::move(s));
  }
  return out;
}

std::string format_points_table(const std::vector<PointSummary>& points, const nlohmann::json& header) {
  std::ostringstream o;
  char buf[512];
  if (points.empty()) return "no finished trials\n";
  // Axis columns and the bit error rate of every faulty partition that is not itself an axis.
  std::vector<std::string> axes;
  for (const auto& [k, v] : points.front().overrides.items()) axes.push_back(k);
  std::vector<std::string> ber_cols;
  for (const auto& p : points.front().info.value("partitions", nlohmann::json::array())) {
    if (p.value("fault_model", std::string("none")) == "none") continue;
    const std::string name = p.value("name", std::string());
    const bool axis = std::any_of(axes.begin(), axes.end(), [&](const std::string& a) { return a == "partition." + name + ".fault.ber"; });
    if (!axis) ber_cols.push_back(name);
  }
  const bool one_clean = std::all_of(points.begin(), points.end(), [&](const PointSummary& p) {
    return p.info.value("clean_error", nlohmann::json()) == points.front().info.value("clean_error", nlohmann::json());
  });
  const auto clean0 = points.front().info.value("clean_error", nlohmann::json());
  if (one_clean) {
    std::snprintf(buf, sizeof buf, "clean error %s on %llu examples\n",
                  clean0.is_number() ? (format_double(std::round(clean0.get<double>() * 1e6) / 1e4) + "%").c_str() : "n/a (unlabelled)",
                  static_cast<unsigned long long>(points.front().info.value("examples", std::uint64_t{0})));
    o << buf;
  }
  (void)header;
  std::string head;
  for (const auto& a : axes) {
    std::snprintf(buf, sizeof buf, "  %-10s", short_key(a, axes).c_str());
    head += buf;
  }
  for (const auto& b : ber_cols) {
    std::snprintf(buf, sizeof buf, "  %-10s", (ber_cols.size() == 1 && axes.empty() ? std::string("ber") : "ber@" + b).c_str());
    head += buf;
  }
  if (!one_clean) head += "  clean%";
  head += "  chips  error%   std    95% CI (t)       Prop.1 ub  mismatch%  faults/chip  inject_ms  infer_ms\n";
  o << head;
  for (const auto& p : points) {
    std::string row;
    for (const auto& a : axes) {
      const auto& v = p.overrides[a];
      std::snprintf(buf, sizeof buf, "  %-10s", (v.is_string() ? v.get<std::string>() : v.dump()).c_str());
      row += buf;
    }
    for (const auto& b : ber_cols) {
      double ber = std::numeric_limits<double>::quiet_NaN();
      for (const auto& part : p.info["partitions"]) {
        if (part.value("name", std::string()) == b && part["ber"].is_number()) ber = part["ber"].get<double>();
      }
      std::snprintf(buf, sizeof buf, "  %-10.4g", ber);
      row += buf;
    }
    if (!one_clean) {
      const auto c = p.info.value("clean_error", nlohmann::json());
      std::snprintf(buf, sizeof buf, "  %6.2f", c.is_number() ? 100 * c.get<double>() : std::nan(""));
      row += buf;
    }
    std::snprintf(buf, sizeof buf, "  %5llu  %6.2f  %5.2f  [%6.2f, %6.2f]  %8.2f  %9.2f  %11.0f  %9.2f  %8.1f\n",
                  static_cast<unsigned long long>(p.chips), 100 * p.error_mean, 100 * p.error_std, 100 * p.error_ci_low, 100 * p.error_ci_high,
                  100 * p.error_prop1_upper, 100 * p.mismatch_mean, p.faults_mean, p.inject_ms_mean, p.infer_ms_mean);
    o << row << buf;
  }
  return o.str();
}

RunResult run_experiment(const ConfigDoc& doc, const RunOptions& opts, std::ostream& out, std::ostream& progress) {
  // Every point is checked before any work (a key may get its only value from an axis).
  std::vector<SweepPoint> points;
  if (doc.root().contains("sweep")) points = expand_points(doc);
  const ExperimentSpec spec = points.empty() ? read_experiment(doc) : points.front().spec;
  RunResult res;
  res.out = spec.out;
  if (spec.train) {
    ModelBackend& backend = model_backend();
    res.train = backend.train(*spec.train, progress);
    res.trained = true;
    char buf[256];
    std::snprintf(buf, sizeof buf, "trained %s (%lld parameters): test accuracy %.2f%%, %.0f s of training; checkpoint %s\n",
                  spec.train->arch.c_str(), static_cast<long long>(res.train.parameters), 100 * res.train.test_accuracy,
                  res.train.train_seconds, spec.train->out.c_str());
    out << buf << std::flush;
    if (spec.train->stop_after > 0 && spec.sweep) {
      const auto meta = read_text_file(spec.train->out + "/meta.json");
      const auto j = nlohmann::json::parse(meta, nullptr, false);
      if (j.value("epoch", 0) < spec.train->epochs) {
        out << "training stopped after train.stop_after epochs; the sweep waits for the finished checkpoint\n";
        return res;
      }
    }
  }
  if (spec.sweep) {
    const std::string& dir = spec.out;
    const bool existed = ResultsStore::exists(dir);
    ResultsStore store = ResultsStore::open(dir, true);
    const auto finished = store.finished();
    const nlohmann::json keys = result_defining_keys(doc);
    if (existed && !finished.empty() && !opts.resume) {
      throw Error(dir + " holds " + std::to_string(finished.size()) +
                  " finished trials: pass --resume to continue them (finished ones are kept), or choose another experiment.out");
    }
    if (const auto stored = store.meta("spec_keys")) {
      const nlohmann::json before = nlohmann::json::parse(*stored, nullptr, false);
      const std::string diff = differing_keys(before, keys);
      if (!diff.empty() && !finished.empty()) {
        throw Error(store.path() + ": the finished trials were run with a different experiment (differs in:" + diff +
                    "); resume with the same spec or choose another experiment.out");
      }
    }
    check_or_record(store, "memlapse_version", kVersion, "memlapse version");
    check_or_record(store, "fault_sampler_version", std::to_string(kFaultSamplerVersion), "fault sampler version");
    store.set_meta({{"spec_keys", keys.dump()},
                    {"spec_toml", doc.toml_text()},
                    {"spec_json", doc.to_json().dump()},
                    {"git_revision", kGitRevision},
                    {"command_line", opts.command_line},
                    {"name", spec.name},
                    {"description", spec.description},
                    {"ci_level", format_double(spec.sweep->ci_level)},
                    {"prop1_delta", format_double(spec.sweep->prop1_delta)}});
    write_text_file(dir + "/spec.toml", "# The resolved experiment (memlapse " + std::string(kVersion) + ", " + kGitRevision +
                                            "); memlapse run THIS reproduces it.\n" + doc.toml_text());
    model_backend().configure_threads(spec.model.threads);
    install_stop_signal_handlers();
    Runner r{doc, opts, out, progress, store, {}, 0, 0, nullptr, {}};
    r.finished = finished;
    for (const auto& p : points) r.total += p.spec.sweep->chips;
    for (const auto& [p, c] : finished) r.done += p < points.size() && c < points[p].spec.sweep->chips;
    r.bar = std::make_unique<ProgressBar>(progress, "trials", r.total, "trials");
    r.run(points);
    r.bar->finish();
    res.interrupted = run_stop_flag().load() && r.done < r.total;
    res.points = summarize_store(store, spec.sweep->ci_level, spec.sweep->prop1_delta);
    write_exports(dir, store, res.points);
    const auto& info = res.points.empty() ? nlohmann::json::object() : res.points.front().info;
    char head[512];
    std::snprintf(head, sizeof head, "model %s, format %s, %llu tensors, float error %s\n",
                  info.value("model", std::string("?")).c_str(), info.value("format", std::string("?")).c_str(),
                  static_cast<unsigned long long>(info.value("tensors", std::uint64_t{0})),
                  info.contains("float_error") && info["float_error"].is_number() ? (format_double(std::round(info["float_error"].get<double>() * 1e6) / 1e4) + "%").c_str() : "n/a");
    std::string parts;
    for (const auto& p : info.value("partitions", nlohmann::json::array())) {
      if (p.value("bytes", 0) == 0) continue;
      parts += "  partition " + p.value("name", std::string()) + ": " + p.value("technology", std::string()) + ", " +
               p.value("fault_model", std::string()) + ", " + std::to_string(p.value("stored_bits", std::uint64_t{0})) + " stored bits in " +
               std::to_string(p.value("regions", 0)) + " regions\n";
    }
    res.table = std::string(head) + parts + format_points_table(res.points, info);
    out << res.table;
    double inj = 0, inf = 0, n = 0;
    for (const auto& p : res.points) {
      inj += p.inject_ms_mean * static_cast<double>(p.chips);
      inf += p.infer_ms_mean * static_cast<double>(p.chips);
      n += static_cast<double>(p.chips);
    }
    if (n > 0) {
      res.mean_inject_ms = inj / n;
      res.mean_infer_ms = inf / n;
    }
    out << "results: " << dir << "/results.db (results.json, results.csv, spec.toml, placement.toml, *.svg)\n";
    if (spec.report) {
      write_report(dir);
      out << "report: " << dir << "/report.html\n";
    }
    if (res.interrupted) out << "interrupted: finished trials are saved; rerun with --resume to continue\n";
  }
  if (spec.characterize && !run_stop_flag().load()) {
    res.characterize = run_characterization(doc, spec, opts, out, progress);
    res.interrupted = res.characterize.interrupted;
  }
  if (spec.array && !run_stop_flag().load()) {
    out << run_array(*spec.array, false, spec.out);
    ResultsStore store = ResultsStore::open(spec.out, true);
    if (!store.meta("spec_toml")) {
      store.set_meta({{"spec_toml", doc.toml_text()}, {"spec_json", doc.to_json().dump()}, {"memlapse_version", kVersion},
                      {"git_revision", kGitRevision}, {"command_line", opts.command_line}, {"name", spec.name},
                      {"description", spec.description}});
    }
    for (const auto& row : array_design_rows(*spec.array)) {
      store.put_array_row(row["tech"].get<std::string>() + "@" + format_double(row["capacity_mb"].get<double>()) + "MB", row);
    }
    if (spec.report) {
      write_report(spec.out);
      out << "report: " << spec.out << "/report.html\n";
    }
  }
  return res;
}

}  // namespace memlapse
