// 000 §3.3's outer loop: boost (retraining at the tolerable rate) -> characterize, until the rate
// stops improving; and the entry point that chooses between it and one characterization.
#include <algorithm>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "memlapse/core/file.h"
#include "memlapse/core/text.h"
#include "memlapse/experiment/backend.h"
#include "memlapse/experiment/characterize.h"
#include "memlapse/experiment/characterize_detail.h"
#include "memlapse/experiment/checkpoint.h"

namespace memlapse {
namespace {

// 000 §3.3: boost (retrain at the tolerable rate, 000 §3.2) -> characterize, until the tolerable
// rate stops improving. Round k's model is DIR/boost-k/model, its decisions DIR/boost-k/results.db;
// every round keeps round 0's absolute target (the original model's error + max_loss).
CharacterizeResult run_boost(const ConfigDoc& doc, const ExperimentSpec& spec, const RunOptions& opts, std::ostream& out, std::ostream& progress) {
  const CharacterizeSpec& c = *spec.characterize;
  CharacterizeResult first = characterize_once(doc, spec, opts, out, progress);
  if (first.interrupted) return first;
  const nlohmann::json& c0 = first.json["coarse"];
  if (!c0.value("any_tolerable", false)) throw Error("boost: the original model tolerates no rate in the range; nothing to retrain at");
  const auto meta = read_checkpoint_meta_file(spec.model.source);
  nlohmann::json rounds = nlohmann::json::array();
  rounds.push_back({{"round", 0}, {"model", spec.model.source}, {"clean_error", first.json["clean_error"]}, {"tolerable_rate", c0["tolerable_rate"]},
                    {"inferences", first.inferences}});
  double rate = c0["tolerable_rate"].get<double>();
  const double threshold = first.json["threshold"].get<double>();
  std::string model = spec.model.source;
  CharacterizeResult total = first;
  for (int k = 1; k <= c.boost_rounds; ++k) {
    TrainOptions o;
    o.arch = (*meta)["arch"].get<std::string>();
    for (const auto& [key, v] : (*meta)["arch_params"].items()) o.arch_params[key] = v.is_string() ? v.get<std::string>() : v.dump();
    o.data = spec.data;
    o.data.limit = 0;
    o.epochs = c.boost_epochs;
    o.lr = c.boost_lr;
    o.seed = c.seed + static_cast<std::uint64_t>(k);
    o.threads = spec.model.threads;
    o.init = model;
    o.out = spec.out + "/boost-" + std::to_string(k) + "/model";
    o.resume = true;
    o.quant = spec.format;
    o.quant_params = spec.format_params;
    o.correct = c.correct;
    o.curricular = c.fault + ":" + format_double(rate);
    o.curricular_every = 1;
    o.curricular_steps = c.boost_curricular ? std::max(1, c.boost_epochs - 1) : 0;
    char buf[256];
    std::snprintf(buf, sizeof buf, "boost round %d: %s retraining of %s at %s rate %s for %d epochs -> %s\n", k, c.boost_curricular ? "curricular" : "plain",
                  model.c_str(), c.fault.c_str(), num(rate).c_str(), c.boost_epochs, o.out.c_str());
    out << buf << std::flush;
    const TrainReport tr = model_backend().train(o, progress);
    ExperimentSpec sk = spec;
    sk.model.source = o.out;
    sk.out = spec.out + "/boost-" + std::to_string(k);
    sk.characterize->boost_rounds = 0;
    sk.characterize->threshold = threshold;
    RunOptions ok = opts;
    ok.resume = true;  // a round's directory holds only its own decisions
    const CharacterizeResult r = characterize_once(doc, sk, ok, out, progress);
    total.inferences += r.inferences;
    total.decisions += r.decisions;
    total.reused += r.reused;
    if (r.interrupted) {
      total.interrupted = true;
      break;
    }
    const nlohmann::json& ck = r.json["coarse"];
    const double rk = ck.value("any_tolerable", false) ? ck["tolerable_rate"].get<double>() : 0.0;
    rounds.push_back({{"round", k}, {"model", o.out}, {"test_accuracy_after_training", tr.test_accuracy}, {"clean_error", r.json["clean_error"]},
                      {"tolerable_rate", rk}, {"trained_at", rate}, {"curricular", c.boost_curricular}, {"inferences", r.inferences}});
    model = o.out;
    if (!(rk > rate)) break;  // stopped improving
    rate = rk;
  }
  std::ostringstream t;
  t << "boost -> characterize (000 §3.3), " << (c.boost_curricular ? "curricular" : "plain") << " retraining, target " << c.target << " <= " << pct(threshold) << ":\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-5s %-12s %-12s %-12s %s\n", "round", "trained at", "clean error", "tolerable", "x round 0");
  t << buf;
  const double r0 = rounds[0]["tolerable_rate"].get<double>();
  for (const auto& r : rounds) {
    std::snprintf(buf, sizeof buf, "  %-5d %-12s %-12s %-12s %.2f\n", r["round"].get<int>(), r.contains("trained_at") ? num(r["trained_at"].get<double>()).c_str() : "-",
                  pct(r["clean_error"].get<double>()).c_str(), num(r["tolerable_rate"].get<double>()).c_str(), r["tolerable_rate"].get<double>() / r0);
    t << buf;
  }
  out << t.str();
  total.table += t.str();
  total.json["boost"] = {{"curricular", c.boost_curricular}, {"epochs", c.boost_epochs}, {"lr", c.boost_lr}, {"rounds", rounds}};
  write_text_file(spec.out + "/boost.json", total.json["boost"].dump(2) + "\n");
  return total;
}

}  // namespace

CharacterizeResult run_characterization(const ConfigDoc& doc, const ExperimentSpec& spec, const RunOptions& opts, std::ostream& out,
                                        std::ostream& progress) {
  return spec.characterize->boost_rounds > 0 ? run_boost(doc, spec, opts, out, progress) : characterize_once(doc, spec, opts, out, progress);
}

}  // namespace memlapse
