#include "memlapse/experiment/characterize.h"
#include "memlapse/experiment/characterize_detail.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <ostream>
#include <set>
#include <sstream>

#include "memlapse/characterize/mapping.h"
#include "memlapse/characterize/search.h"
#include "memlapse/core/error.h"
#include "memlapse/core/file.h"
#include "memlapse/core/rng.h"
#include "memlapse/core/svg_plot.h"
#include "memlapse/core/text.h"
#include "memlapse/experiment/checkpoint.h"
#include "memlapse/experiment/stored_model.h"
#include "memlapse/faults/operating_points.h"
#include "memlapse/stats/sequential.h"
#include "memlapse/stats/summary.h"
#include "memlapse/version.h"

namespace memlapse {
namespace {

constexpr std::uint64_t kExampleStream = 0x4558414d504c4553ULL;  // "EXAMPLES": which examples chip c sees

struct Interrupted {};

nlohmann::json probe_json(const Probe& p) {
  return {{"x", p.x}, {"verdict", to_string(p.verdict)}, {"mean", p.mean}, {"chips", p.observations}, {"inferences", p.inferences}, {"note", p.note}};
}

Probe probe_from_json(const nlohmann::json& j) {
  Probe p;
  p.x = j.value("x", 0.0);
  const std::string v = j.value("verdict", std::string("undecided"));
  p.verdict = v == "meets" ? Verdict::kMeets : v == "fails" ? Verdict::kFails : Verdict::kUndecided;
  p.mean = j.value("mean", 0.0);
  p.observations = j.value("chips", std::uint64_t{0});
  p.inferences = j.value("inferences", std::uint64_t{0});
  p.note = j.value("note", std::string());
  return p;
}

// The network stored in one memory system, judged chip by chip.
class Evaluator {
 public:
  Evaluator(const CharacterizeSpec& c, const ExperimentSpec& s, EvaluatedModel& model, const Dataset& data, ResultsStore& store,
            std::ostream& progress)
      : c_(c), s_(s), model_(model), data_(data), store_(store), progress_(progress) {
    params_ = model.parameters();
    for (const auto& p : params_) floats_.emplace_back(p.data, p.data + p.count);
    format_ = make_format(s.format, s.format_params);
    all_rows_.resize(data.n);
    std::iota(all_rows_.begin(), all_rows_.end(), 0U);
    const std::vector<std::int64_t> fp = model.predict(data, s.model.batch_size);
    float_error_ = data.labels.empty() ? std::numeric_limits<double>::quiet_NaN() : rate_of(fp, data.labels);
  }

  // Encodes the float weights again and places them into `mem`.
  void place(const MemorySystem& mem, const PlacementSpec& pl) {
    for (std::size_t i = 0; i < params_.size(); ++i) std::copy(floats_[i].begin(), floats_[i].end(), params_[i].data);
    sm_ = std::make_unique<StoredModel>(params_, format_, c_.correct == "zero");
    placed_ = sm_->place(mem, pl);
    mem_ = mem;
    clean_ = model_.predict(data_, s_.model.batch_size);
    clean_error_ = data_.labels.empty() ? std::numeric_limits<double>::quiet_NaN() : rate_of(clean_, data_.labels);
  }

  double clean_error() const { return clean_error_; }
  double float_error() const { return float_error_; }
  double threshold() const { return c_.threshold ? *c_.threshold : c_.target == "error" ? clean_error_ + c_.max_loss : c_.max_mismatch; }
  const MemoryImage& image() const { return sm_->image(); }
  const ResolvedPlacement& placed() const { return placed_; }
  const MemorySystem& memory() const { return mem_; }
  std::uint64_t reused() const { return reused_; }
  // Only `changing` may differ from the stored values until the next call (EvaluatedModel).
  std::string restrict_changes(const std::vector<std::string>& changing) { return model_.restrict_changes(changing); }
  std::uint64_t decisions() const { return decisions_; }

  // One decision: does the network meet the target with these fault models (one per partition
  // of the current memory system, null for fault-free)? `what` names it in the store.
  Probe decide(const std::vector<std::unique_ptr<FaultModel>>& models, const std::string& what) {
    ++decisions_;
    const std::string key = "decision." + key_hash(what);
    if (const auto stored = store_.meta(key)) {
      const auto j = nlohmann::json::parse(*stored, nullptr, false);
      if (j.is_object() && j.value("what", std::string()) == what) {
        ++reused_;
        Probe p = probe_from_json(j);
        report(p, what, true);
        return p;
      }
    }
    Probe p = c_.decision == "fixed" ? decide_fixed(models) : decide_sequential(models);
    nlohmann::json j = probe_json(p);
    j["what"] = what;
    store_.set_meta({{key, j.dump()}});
    report(p, what, false);
    return p;
  }

 private:
  void report(const Probe& p, const std::string& what, bool reused) {
    char b[256];
    std::snprintf(b, sizeof b, "  %-9s mean %s over %llu chips (%llu inferences)%s", to_string(p.verdict).c_str(), pct(p.mean).c_str(),
                  static_cast<unsigned long long>(p.observations), static_cast<unsigned long long>(p.inferences), reused ? ", stored" : "");
    progress_ << "decision " << what << ":" << b << "\n" << std::flush;
  }

  // Chip c's examples: a random block without replacement (partial Fisher-Yates, keyed by seed, chip).
  std::vector<std::uint32_t> rows_of(std::uint64_t chip) {
    const std::uint64_t k = std::min<std::uint64_t>(c_.examples, data_.n);
    if (k == data_.n) return all_rows_;
    std::vector<std::uint32_t>& idx = scratch_;
    if (idx.size() != data_.n) {
      idx.resize(data_.n);
      std::iota(idx.begin(), idx.end(), 0U);
    }
    const CounterRng rng(c_.seed, chip, kExampleStream);
    std::vector<std::pair<std::size_t, std::size_t>> swaps;
    for (std::uint64_t i = 0; i < k; ++i) {
      const std::size_t j = i + static_cast<std::size_t>(rng.bits(i) % (data_.n - i));
      std::swap(idx[i], idx[j]);
      swaps.emplace_back(i, j);
    }
    std::vector<std::uint32_t> rows(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k));
    for (auto it = swaps.rbegin(); it != swaps.rend(); ++it) std::swap(idx[it->first], idx[it->second]);  // back to 0..n-1
    return rows;
  }

  // The error (or mismatch) of chip `chip` on `rows`.
  double observe(const std::vector<std::unique_ptr<FaultModel>>& models, std::uint64_t chip, const std::vector<std::uint32_t>& rows) {
    if (run_stop_flag().load()) throw Interrupted{};
    MemoryImage& image = sm_->image();
    std::vector<std::unique_ptr<Injection>> injections;
    std::vector<Injection::Touched> touched;
    for (std::size_t p = 0; p < models.size() && p < mem_.partitions.size(); ++p) {
      if (models[p] == nullptr) continue;
      const PartitionView view(image, static_cast<std::uint32_t>(p), mem_.partitions[p].layout);
      if (view.tensor_count() == 0) continue;
      injections.push_back(std::make_unique<Injection>(image, view, *models[p], c_.seed, chip));
      touched.insert(touched.end(), injections.back()->touched().begin(), injections.back()->touched().end());
    }
    sm_->load(touched);
    const std::vector<std::int64_t> pred = rows.size() == data_.n ? model_.predict(data_, s_.model.batch_size)
                                                                  : model_.predict_rows(data_, rows, s_.model.batch_size);
    for (auto it = injections.rbegin(); it != injections.rend(); ++it) (*it)->revert();
    sm_->load(touched);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::int64_t ref = c_.target == "error" ? data_.labels[rows[i]] : clean_[rows[i]];
      wrong += pred[i] != ref;
    }
    return static_cast<double>(wrong) / static_cast<double>(rows.size());
  }

  Probe decide_sequential(const std::vector<std::unique_ptr<FaultModel>>& models) {
    SequentialTest t(threshold(), 1.0 - c_.confidence);
    Probe p;
    for (std::uint64_t chip = 0; chip < c_.max_chips && t.verdict() == Verdict::kUndecided; ++chip) {
      const std::vector<std::uint32_t> rows = rows_of(chip);
      t.add(observe(models, chip, rows));
      p.inferences += rows.size();
    }
    p.verdict = t.verdict();
    p.mean = t.mean();
    p.observations = t.n();
    return p;
  }

  Probe decide_fixed(const std::vector<std::unique_ptr<FaultModel>>& models) {
    std::vector<double> xs;
    Probe p;
    for (std::uint64_t chip = 0; chip < c_.fixed_chips; ++chip) {
      xs.push_back(observe(models, chip, all_rows_));
      p.inferences += data_.n;
    }
    const Summary s = summarize(xs);
    p.verdict = fixed_count_verdict(s, threshold(), 1.0 - c_.confidence);
    p.mean = s.mean;
    p.observations = s.n;
    return p;
  }

  const CharacterizeSpec& c_;
  const ExperimentSpec& s_;
  EvaluatedModel& model_;
  const Dataset& data_;
  ResultsStore& store_;
  std::ostream& progress_;
  std::vector<ParameterRef> params_;
  std::vector<std::vector<float>> floats_;
  std::shared_ptr<const Format> format_;
  std::unique_ptr<StoredModel> sm_;
  ResolvedPlacement placed_;
  MemorySystem mem_;
  std::vector<std::int64_t> clean_;
  double clean_error_ = 0, float_error_ = 0;
  std::vector<std::uint32_t> all_rows_, scratch_;
  std::uint64_t reused_ = 0, decisions_ = 0;
};

std::vector<std::unique_ptr<FaultModel>> models_of(const MemorySystem& mem) {
  std::vector<std::unique_ptr<FaultModel>> out;
  for (const auto& p : mem.partitions) out.push_back(p.fault_model == "none" ? nullptr : p.make_fault_model());
  return out;
}

std::string value_text(const CharacterizeSpec& c, double x) { return c.integer ? std::to_string(std::llround(x)) : format_double(x); }

// A data type: a layer's tensors (name without the last component) or one tensor.
struct DataType {
  std::string name;
  std::vector<std::string> tensors;
  std::uint64_t bytes = 0;
};

std::vector<DataType> data_types(const MemoryImage& image, const std::string& grouping) {
  std::vector<DataType> out;
  std::map<std::string, std::size_t> index;
  for (std::uint32_t t = 0; t < image.parameter_count(); ++t) {
    const std::string& name = image.parameter_name(t);
    std::string group = name;
    if (grouping == "layer") {
      const auto dot = name.find_last_of('.');
      if (dot != std::string::npos) group = name.substr(0, dot);
    }
    auto it = index.find(group);
    if (it == index.end()) {
      it = index.emplace(group, out.size()).first;
      out.push_back({group, {}, 0});
    }
    out[it->second].tensors.push_back(name);
  }
  for (std::uint32_t r = 0; r < image.tensor_count(); ++r) {
    const TensorSlot& slot = image.tensor(r);
    if (slot.structure == Structure::kScales) continue;
    const std::string& name = image.parameter_name(slot.tensor);
    for (auto& d : out) {
      if (std::find(d.tensors.begin(), d.tensors.end(), name) != d.tensors.end()) d.bytes += slot.byte_count();
    }
  }
  return out;
}

// Glob-safe exact pattern for a tensor name (placement rules are globs).
std::string exact_pattern(const std::string& name) {
  std::string p;
  for (char ch : name) p += (ch == '*' || ch == '?') ? '?' : ch;
  return p;
}

PlacementSpec placement_of(const std::vector<DataType>& types, const std::vector<std::string>& partition_of_type, const std::string& scales) {
  PlacementSpec pl;
  pl.default_partition = partition_of_type.empty() ? std::string() : partition_of_type.front();
  pl.scales_partition = scales;
  for (std::size_t t = 0; t < types.size(); ++t) {
    PlacementRule r;
    r.tensors.clear();
    for (const auto& n : types[t].tensors) r.tensors.push_back(exact_pattern(n));
    r.partition = partition_of_type[t];
    r.where = "characterize (type " + types[t].name + ")";
    pl.rules.push_back(std::move(r));
  }
  return pl;
}

std::string table3_line(double ber) {
  char b[160];
  std::snprintf(b, sizeof b, "dVDD %.3f V, dtRCD %.2f ns (000 Table 3, vendor A)", table3_vdd_delta_for(ber), table3_trcd_delta_for(ber));
  return b;
}

}  // namespace

std::string pct(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f%%", 100 * x);
  return b;
}

std::string num(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", x);
  return b;
}

double rate_of_params(const std::string& model, const std::map<std::string, std::string>& params) {
  for (const char* k : {"ber", "cell_fault_rate", "loss_probability"}) {
    auto it = params.find(k);
    if (it != params.end()) return std::strtod(it->second.c_str(), nullptr);
  }
  throw Error("fault model " + model + " reports no bit error rate (ber, cell_fault_rate or loss_probability) to characterize it by");
}

namespace {
double largest_delta(double ber, double lo, double (*curve)(double)) {
  // curve(delta) is non-increasing in delta on [lo, 0]; the largest |delta| with curve <= ber.
  if (curve(lo) <= ber) return lo;
  double good = 0, bad = lo;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (good + bad);
    (curve(mid) <= ber ? good : bad) = mid;
  }
  return good;
}
}  // namespace

double table3_vdd_delta_for(double ber) { return largest_delta(ber, -0.35, dram_ber_vdd); }
double table3_trcd_delta_for(double ber) { return largest_delta(ber, -6.0, dram_ber_trcd); }

CharacterizeResult characterize_once(const ConfigDoc& doc, const ExperimentSpec& spec, const RunOptions& opts, std::ostream& out, std::ostream& progress) {
  const CharacterizeSpec& c = *spec.characterize;
  if (!spec.activations.sites.empty()) {
    throw Error(doc.where("activations") + ": [characterize] covers faults in stored weights; activation sites are not characterized yet");
  }
  CharacterizeResult res;
  const std::string& dir = spec.out;
  const bool existed = ResultsStore::exists(dir);
  ResultsStore store = ResultsStore::open(dir, true);
  // The keys every stored decision depends on. The search's own keys (mode, range, steps, the
  // memory to map onto) are not among them: each decision is stored under the settings it judged,
  // so a fine sweep reuses the coarse search's decisions and a mapping the fine sweep's.
  nlohmann::json keys = nlohmann::json::object();
  for (const auto& [k, v] : result_defining_keys(doc)) {
    static const std::set<std::string> kSearchOnly = {"mode", "key", "from", "to", "resolution", "scale", "grid", "step", "rounds", "start", "memory", "fine",
                                                      "reuse_prefix", "boost_rounds", "boost_epochs", "boost_lr", "boost_curricular"};
    if (k.rfind("characterize.", 0) == 0 && kSearchOnly.count(k.substr(13)) != 0) continue;
    keys[k] = v;
  }
  if (const auto stored = store.meta("spec_keys")) {
    if (*stored != keys.dump()) {
      throw Error(store.path() + ": the stored decisions were made for a different experiment; resume with the same spec or choose another experiment.out");
    }
    if (existed && !opts.resume) {
      throw Error(dir + " holds the decisions of an earlier characterization: pass --resume to reuse them, or choose another experiment.out");
    }
  }
  check_or_record(store, "memlapse_version", kVersion, "memlapse version");
  check_or_record(store, "fault_sampler_version", std::to_string(kFaultSamplerVersion), "fault sampler version");
  store.set_meta({{"spec_keys", keys.dump()}, {"spec_toml", doc.toml_text()}, {"spec_json", doc.to_json().dump()}, {"git_revision", kGitRevision},
                  {"command_line", opts.command_line}, {"name", spec.name}, {"description", spec.description}, {"kind", "characterize"}});
  write_text_file(dir + "/spec.toml", "# The resolved experiment (memlapse " + std::string(kVersion) + ", " + kGitRevision +
                                          "); memlapse run THIS reproduces it.\n" + doc.toml_text());
  model_backend().configure_threads(spec.model.threads);
  install_stop_signal_handlers();
  std::unique_ptr<EvaluatedModel> model = load_evaluated_model(doc, spec, c.correct == "zero", c.seed);
  const Dataset data = load_evaluation_data(spec, c.seed);
  check_or_record(store, "fingerprint.model", parameters_fingerprint(model->parameters()), "model parameters (fingerprint)");
  check_or_record(store, "fingerprint.data", dataset_fingerprint(data), "evaluation data (fingerprint)");
  Evaluator ev(c, spec, *model, data, store, progress);
  ev.place(spec.memory, spec.placement);

  std::ostringstream table;
  nlohmann::json j = {{"model", model->description()}, {"format", spec.format}, {"format_params", spec.format_params}, {"mode", c.mode},
                      {"target", c.target}, {"max_loss_points", 100 * c.max_loss}, {"max_mismatch", c.max_mismatch},
                      {"confidence", c.confidence}, {"decision", c.decision}, {"examples_per_chip", c.examples}, {"max_chips", c.max_chips},
                      {"fixed_chips", c.fixed_chips}, {"seed", c.seed}, {"correct", c.correct}, {"examples", data.n},
                      {"clean_error", ev.clean_error()}, {"float_error", ev.float_error()}, {"threshold", ev.threshold()}};
  char buf[512];
  std::snprintf(buf, sizeof buf, "model %s, format %s, %llu test examples: float error %s, fault-free stored error %s\n", model->description().c_str(),
                spec.format.c_str(), static_cast<unsigned long long>(data.n), pct(ev.float_error()).c_str(), pct(ev.clean_error()).c_str());
  table << buf;
  std::snprintf(buf, sizeof buf, "target: expected %s <= %s at confidence %.3g; decision: %s\n", c.target.c_str(), pct(ev.threshold()).c_str(), c.confidence,
                c.decision == "fixed" ? ("fixed " + std::to_string(c.fixed_chips) + " chips x full test set, one-sided t bound").c_str()
                                      : ("sequential, " + std::to_string(c.examples) + " random examples per chip, at most " + std::to_string(c.max_chips) + " chips").c_str());
  table << buf;
  out << table.str() << std::flush;

  try {
    // Coarse: one setting for the whole memory (000 §3.3).
    const std::uint32_t pi = spec.memory.index_of(c.partition, "characterize.key");
    auto at = [&](double x) {
      MemorySystem m = spec.memory;
      m.partitions[pi].fault_params[c.param] = value_text(c, x);
      return m;
    };
    auto rate_at = [&](double x) {
      const MemorySystem m = at(x);
      return rate_of_params(m.partitions[pi].fault_model, m.partitions[pi].make_fault_model()->params());
    };
    auto coarse_decide = [&](double x) {
      Probe p = ev.decide(models_of(at(x)), "coarse " + c.key + "=" + value_text(c, x));
      if (!c.log_scale) p.note = "rate " + num(rate_at(x));
      return p;
    };
    const bool need_coarse = c.mode == "coarse" || !c.start;
    double start = c.start.value_or(0);
    if (need_coarse) {
      out << "coarse: " << c.key << " from " << value_text(c, c.from) << " (safe) to " << value_text(c, c.to) << " (aggressive)\n" << std::flush;
      const Axis axis = c.log_scale ? Axis::log(c.from, c.to, c.resolution)
                        : c.integer ? Axis::integers(std::llround(c.from), std::llround(c.to))
                                    : Axis::linear(c.from, c.to, c.resolution, c.grid);
      const SearchResult r = search_tolerance(axis, coarse_decide);
      nlohmann::json visited = nlohmann::json::array();
      table.str("");
      table << "coarse characterization of " << c.key << ":\n";
      std::snprintf(buf, sizeof buf, "  %-12s %-10s %-10s %8s %12s  %s\n", c.param.c_str(), "verdict", "mean", "chips", "inferences", c.log_scale ? "" : "rate");
      table << buf;
      std::vector<const Probe*> sorted;
      for (const auto& p : r.visited) sorted.push_back(&p);
      std::stable_sort(sorted.begin(), sorted.end(), [&](const Probe* a, const Probe* b) {
        return c.log_scale ? a->x < b->x : std::fabs(a->x - c.from) < std::fabs(b->x - c.from);
      });
      for (const Probe* p : sorted) {
        std::snprintf(buf, sizeof buf, "  %-12s %-10s %-10s %8llu %12llu  %s\n", num(p->x).c_str(), to_string(p->verdict).c_str(), pct(p->mean).c_str(),
                      static_cast<unsigned long long>(p->observations), static_cast<unsigned long long>(p->inferences), p->note.c_str());
        table << buf;
      }
      for (const auto& p : r.visited) visited.push_back(probe_json(p));
      nlohmann::json cj = {{"key", c.key}, {"from", c.from}, {"to", c.to}, {"log_scale", c.log_scale}, {"resolution", c.resolution},
                           {"visited", visited}, {"violations", r.violations}, {"inferences", r.inferences},
                           {"any_tolerable", r.any_tolerable}, {"all_tolerable", r.all_tolerable}};
      if (r.any_tolerable) {
        cj["tolerable"] = r.tolerable;
        cj["first_failing"] = r.first_failing;
        const double rate_ok = rate_at(r.tolerable);
        cj["tolerable_rate"] = rate_ok;
        cj["table3"] = {{"vdd_delta_v", table3_vdd_delta_for(rate_ok)}, {"trcd_delta_ns", table3_trcd_delta_for(rate_ok)}};
        if (r.all_tolerable) {
          table << "  tolerable: the whole range, up to " << c.param << " = " << num(r.tolerable) << " (rate " << num(rate_ok) << ")\n";
        } else {
          Verdict at_bad = Verdict::kUndecided;
          for (const auto& p : r.visited) {
            if (p.x == r.first_failing) at_bad = p.verdict;
          }
          table << "  tolerable: " << c.param << " = " << num(r.tolerable) << (c.log_scale ? "" : " (rate " + num(rate_ok) + ")") << "; at " << num(r.first_failing)
                << (at_bad == Verdict::kFails ? " it fails: the threshold lies in [" + num(r.tolerable) + ", " + num(r.first_failing) + "]"
                                              : " it is undecided within the budget (max_chips): not shown to meet") << "\n";
        }
        table << "  equivalent approximate DRAM: " << table3_line(rate_ok) << "\n";
        start = rate_ok;
      } else {
        table << "  tolerable: nothing in the range (" << c.param << " = " << value_text(c, r.first_failing) << " already fails or is undecided)\n";
      }
      for (const auto& v : r.violations) table << "  MONOTONICITY VIOLATION: " << v << "\n";
      table << "  " << r.inferences << " inferences in " << r.visited.size() << " decisions\n";
      res.inferences += r.inferences;
      j["coarse"] = cj;
      out << table.str() << std::flush;
      res.table += table.str();
      if (c.mode != "coarse" && !r.any_tolerable) throw Error("the coarse search found no tolerable rate: the fine sweep has nowhere to start (give characterize.start)");
    }

    if (c.mode == "fine" || c.mode == "map") {
      // One partition per data type, each with the characterization's fault model at its own rate.
      const std::vector<DataType> types = data_types(ev.image(), c.types);
      const PartitionSpec& base = spec.memory.partitions[pi];
      MemorySystem fine;
      std::vector<std::string> names;
      for (std::size_t t = 0; t < types.size(); ++t) {
        PartitionSpec p;
        p.name = "t" + std::to_string(t);
        p.layout = base.layout;
        p.layout_params = base.layout_params;
        p.fault_model = c.fault;
        p.fault_params = {{c.fault_rate_param, format_double(start)}};
        p.where = "characterize (type " + types[t].name + ")";
        fine.partitions.push_back(p);
        names.push_back(p.name);
      }
      PartitionSpec rel;
      rel.name = kReliablePartition;
      rel.where = "characterize";
      fine.partitions.push_back(rel);
      ev.place(fine, placement_of(types, names, kReliablePartition));
      out << "fine (" << c.fine << "): " << types.size() << " data types (" << c.types << "), fault model " << c.fault << ", from rate " << num(start) << " in steps of "
          << num(start * c.step) << "\n" << std::flush;
      std::vector<std::string> type_names;
      for (const auto& t : types) type_names.push_back(t.name);
      auto decide = [&](const std::vector<double>& rates, std::size_t raised) {
        std::vector<std::unique_ptr<FaultModel>> models;
        std::string what = "fine " + c.fault + " " + c.types;
        for (std::size_t t = 0; t < rates.size(); ++t) {
          models.push_back(rates[t] > 0 ? fault_registry().make(c.fault, {{c.fault_rate_param, format_double(rates[t])}}) : nullptr);
          what += " " + format_double(rates[t]);
        }
        models.push_back(nullptr);  // reliable
        Probe p = ev.decide(models, what);
        p.note = types[raised].name;
        return p;
      };
      FineResult fr;
      if (c.fine == "sweep") {
        fr = fine_sweep(type_names, start, c.step, c.rounds, decide);
      } else {
        // One type faulty at a time: its own log bisection from `start` (the coarse result) to `to`.
        fr.types = type_names;
        fr.start.assign(types.size(), start);
        fr.steps.assign(types.size(), 0);
        std::string reuse_note;
        for (std::size_t t = 0; t < types.size(); ++t) {
          if (c.reuse_prefix) {
            const std::string how = ev.restrict_changes(types[t].tensors);
            progress << "type " << types[t].name << ": " << (how.empty() ? "full evaluation" : how) << "\n";
            if (t == types.size() - 1) reuse_note = how;
          }
          auto one = [&](double x) {
            std::vector<double> rates(types.size(), 0.0);
            rates[t] = x;
            return decide(rates, t);
          };
          const SearchResult r = search_tolerance(Axis::log(start, std::max(c.to, start * 1.0001), c.resolution), one);
          fr.tolerable.push_back(r.any_tolerable ? r.tolerable : 0.0);
          fr.inferences += r.inferences;
          fr.visited.insert(fr.visited.end(), r.visited.begin(), r.visited.end());
          for (const auto& v : r.violations) out << "  MONOTONICITY VIOLATION (" << types[t].name << "): " << v << "\n";
        }
        ev.restrict_changes({});
        j["prefix_reuse"] = !c.reuse_prefix ? "off (reuse_prefix = false)"
                            : reuse_note.empty() ? "none: the model is not a zoo chain of modules (or has activation faults); every layer evaluated"
                                                 : "on (zoo chain: the layers before each type's first module evaluated once)";
        out << "  prefix reuse: " << j["prefix_reuse"].get<std::string>() << "\n";
        fr.rounds = 1;
      }
      res.inferences += fr.inferences;
      table.str("");
      table << "fine-grained characterization (" << (c.fine == "sweep" ? "EDEN's joint sweep, " + std::to_string(fr.rounds) + " rounds" : std::string("each type alone faulty"))
            << ", " << fr.visited.size() << " decisions, " << fr.inferences << " inferences):\n";
      std::snprintf(buf, sizeof buf, "  %-5s %-28s %10s %12s %8s\n", "depth", "data type", "bytes", "tolerable", "x coarse");
      table << buf;
      std::string csv = "depth,type,bytes,tolerable_rate,start_rate\n";
      nlohmann::json tj = nlohmann::json::array();
      SvgSeries ser{"tolerable rate", {}, {}, {}, {}}, coarse_line{"coarse (whole network)", {}, {}, {}, {}};
      for (std::size_t t = 0; t < types.size(); ++t) {
        std::snprintf(buf, sizeof buf, "  %-5zu %-28s %10llu %12s %8.2f\n", t, types[t].name.c_str(), static_cast<unsigned long long>(types[t].bytes),
                      num(fr.tolerable[t]).c_str(), fr.tolerable[t] / start);
        table << buf;
        csv += std::to_string(t) + "," + types[t].name + "," + std::to_string(types[t].bytes) + "," + format_double(fr.tolerable[t]) + "," + format_double(start) + "\n";
        tj.push_back({{"depth", t}, {"type", types[t].name}, {"tensors", types[t].tensors}, {"bytes", types[t].bytes}, {"tolerable", fr.tolerable[t]}, {"raises", fr.steps[t]}});
        ser.x.push_back(static_cast<double>(t));
        ser.y.push_back(fr.tolerable[t]);
        coarse_line.x.push_back(static_cast<double>(t));
        coarse_line.y.push_back(start);
      }
      // 000 §3.3: the first and last layers tolerate 2-3x less than the middle ones.
      if (types.size() >= 3) {
        std::vector<double> mid(fr.tolerable.begin() + 1, fr.tolerable.end() - 1);
        std::sort(mid.begin(), mid.end());
        const double median = mid[mid.size() / 2];
        std::snprintf(buf, sizeof buf, "  first / median middle = %.2f, last / median middle = %.2f (000 §3.3: 2-3x less, i.e. 0.33-0.5)\n",
                      fr.tolerable.front() / median, fr.tolerable.back() / median);
        table << buf;
        j["first_over_middle"] = fr.tolerable.front() / median;
        j["last_over_middle"] = fr.tolerable.back() / median;
      }
      nlohmann::json visited = nlohmann::json::array();
      for (const auto& p : fr.visited) visited.push_back(probe_json(p));
      j["fine"] = {{"start", start}, {"step", c.step}, {"types", tj}, {"visited", visited}, {"inferences", fr.inferences}, {"rounds", fr.rounds}};
      write_text_file(dir + "/fine.csv", csv);
      SvgPlot plot("tolerable bit error rate per data type (deeper to the right)", "data type (depth)", "tolerable rate");
      plot.log_y = true;
      plot.add(ser);
      plot.add(coarse_line);
      write_text_file(dir + "/fine.svg", plot.render());
      out << table.str() << std::flush;
      res.table += table.str();

      if (c.mode == "map") {
        const ConfigDoc mdoc = ConfigDoc::load(c.memory_file);
        const MemorySystem target = read_memory_system(mdoc);
        std::vector<MapPartition> parts;
        for (const auto& p : target.partitions) {
          const double rate = p.fault_model == "none" ? 0.0 : rate_of_params(p.fault_model, p.make_fault_model()->params());
          parts.push_back({p.name, p.capacity_bytes, {{rate, rate}}, 0.0});
        }
        std::vector<MapDataType> md;
        for (std::size_t t = 0; t < types.size(); ++t) md.push_back({types[t].name, types[t].bytes, fr.tolerable[t]});
        const MappingResult m = map_to_partitions(md, parts);
        std::vector<std::string> chosen;
        for (int p : m.partition_of) chosen.push_back(target.partitions[static_cast<std::size_t>(p)].name);
        const std::string scales = target.find(kReliablePartition) != nullptr ? kReliablePartition : target.partitions.front().name;
        ev.place(target, placement_of(types, chosen, scales));
        write_text_file(dir + "/mapping.toml", "# memlapse characterize: 000 Algorithm 1 onto " + c.memory_file + "\n" +
                                                   placement_file_text(ev.image(), target, ev.placed()));
        table.str("");
        table << "mapping onto " << c.memory_file << " (000 §3.4 Algorithm 1):\n";
        std::snprintf(buf, sizeof buf, "  %-12s %-14s %10s %12s %8s  %s\n", "partition", "fault model", "rate", "bytes", "types", "operating point");
        table << buf;
        nlohmann::json pj = nlohmann::json::array();
        for (std::size_t p = 0; p < target.partitions.size(); ++p) {
          const auto& tp = target.partitions[p];
          int count = 0;
          for (int q : m.partition_of) count += q == static_cast<int>(p);
          std::string op;
          for (const auto& [k, v] : tp.fault_params) op += (op.empty() ? "" : ", ") + k + "=" + v;
          std::snprintf(buf, sizeof buf, "  %-12s %-14s %10s %12llu %8d  %s\n", tp.name.c_str(), tp.fault_model.c_str(), num(parts[p].settings[0].rate).c_str(),
                        static_cast<unsigned long long>(m.used_bytes[p]), count, op.c_str());
          table << buf;
          pj.push_back({{"name", tp.name}, {"fault_model", tp.fault_model}, {"fault_params", tp.fault_params}, {"rate", parts[p].settings[0].rate},
                        {"capacity_bytes", tp.capacity_bytes}, {"bytes", m.used_bytes[p]}, {"types", count}});
        }
        const Probe v = ev.decide(models_of(target), "verify " + key_hash(read_text_file(dir + "/mapping.toml")));
        std::snprintf(buf, sizeof buf, "  verification on the placed network (%s): %s, mean %s over %llu chips, %llu inferences\n",
                      c.decision.c_str(), to_string(v.verdict).c_str(), pct(v.mean).c_str(), static_cast<unsigned long long>(v.observations),
                      static_cast<unsigned long long>(v.inferences));
        table << buf;
        table << (v.verdict == Verdict::kMeets ? "  the mapping meets the target\n"
                                               : "  the mapping is NOT shown to meet the target (the per-type tolerances do not compose); do not use it as is\n");
        table << "  placement: " << dir << "/mapping.toml\n";
        res.inferences += v.inferences;
        j["map"] = {{"memory", c.memory_file}, {"partitions", pj}, {"partition_of_type", chosen}, {"verification", probe_json(v)},
                    {"meets", v.verdict == Verdict::kMeets}};
        out << table.str() << std::flush;
        res.table += table.str();
      }
    }
  } catch (const Interrupted&) {
    res.interrupted = true;
    out << "interrupted: finished decisions are saved; rerun with --resume to continue\n";
  }
  res.decisions = ev.decisions();
  res.reused = ev.reused();
  j["inferences"] = res.inferences;
  j["decisions"] = res.decisions;
  j["reused_decisions"] = res.reused;
  j["interrupted"] = res.interrupted;
  j["memlapse_version"] = kVersion;
  j["git_revision"] = kGitRevision;
  res.json = j;
  write_text_file(dir + "/characterize.json", j.dump(2) + "\n");
  out << "results: " << dir << "/characterize.json (" << res.decisions << " decisions, " << res.reused << " reused, " << res.inferences << " inferences)\n";
  return res;
}

}  // namespace memlapse
