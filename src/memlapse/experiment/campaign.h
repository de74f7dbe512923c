#pragma once
// A bit-error campaign (issue 2 §8): for each bit error rate and each simulated chip, inject the
// chip's faults into the memory image, let the model under test reload only the values that
// changed, evaluate, revert. Finished chips are durable (ResultsLog); the summary per rate gives
// mean, std, a Student-t 95% interval over chips for the expected test error, and 004's Prop. 1
// upper bound (App. C.2).
// Example:
//   CampaignSpec spec{...};
//   CampaignResult r = run_campaign(spec, image, model_under_test, log, progress);
//   write_campaign_outputs(dir, spec, r);
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlapse/experiment/results_log.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/image/memory_image.h"

namespace memlapse {

// The model whose weights live in the memory image.
class ModelUnderTest {
 public:
  virtual ~ModelUnderTest() = default;
  // Contract: copies the image's current decoded value of each touched element into the model.
  virtual void load(const MemoryImage& image, std::span<const Injection::Touched> touched) = 0;
  // Contract: top-1 predictions on the evaluation inputs, in input order.
  virtual std::vector<std::int64_t> predict() = 0;
  // Contract: the evaluation labels (empty when the inputs are unlabelled).
  virtual const std::vector<std::int64_t>& labels() const = 0;
};

struct CampaignSpec {
  std::string fault_model = "uniform";
  std::map<std::string, std::string> fault_params;  // without the rate key
  std::string rate_key = "ber";                      // the fault-model parameter swept
  std::vector<double> rates;
  std::uint64_t chips = 10;
  std::uint64_t seed = 1;
  double ci_level = 0.95;
  double prop1_delta = 0.05;
  nlohmann::json header;  // model, format, dataset, ... copied into results.json
};

struct PointResult {
  double value = 0;  // the swept parameter's value (spec.rate_key), e.g. ber or voltage
  double ber = 0;    // the bit error rate at this point: the fault model's resolved "ber" if it
                     // reports one, else `value` when the swept key is ber, else NaN
  std::map<std::string, std::string> fault_params;  // the fault model's resolved parameters
  std::uint64_t chips = 0;
  double error_mean = 0, error_std = 0, error_ci_low = 0, error_ci_high = 0, error_prop1_upper = 0;
  double mismatch_mean = 0, mismatch_std = 0;
  double faults_mean = 0;
  double inject_ms_mean = 0, infer_ms_mean = 0;
};

struct CampaignResult {
  double clean_error = 0;  // fault-free model (quantized as stored) vs labels; NaN if unlabelled
  std::size_t examples = 0;
  std::vector<PointResult> points;
  bool interrupted = false;
};

// Set by a SIGINT/SIGTERM handler; the campaign stops after the chip in flight.
std::atomic<bool>& campaign_stop_flag();
void install_stop_signal_handlers();

// Called after every chip with (done, total) chips for the progress display.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total, const ChipRow& last)>;

// Contract: runs every (rate, chip) not already in `log`, appending each as it finishes; the
// image is unchanged on return; aggregates all rows of `log`. Faults depend only on
// (seed, chip, tensor, bit), never on thread count or which chips were resumed.
CampaignResult run_campaign(const CampaignSpec& spec, MemoryImage& image, ModelUnderTest& model,
                            ResultsLog& log, const ProgressFn& progress = {});

// Contract: per-rate summaries of the rows (rates in spec order; rates without rows omitted).
std::vector<PointResult> aggregate_rows(const CampaignSpec& spec, const std::vector<ChipRow>& rows,
                                        std::size_t examples);

// Contract: writes DIR/results.json and DIR/error_vs_ber.svg (results.csv is the log itself).
void write_campaign_outputs(const std::string& dir, const CampaignSpec& spec, const CampaignResult& r);

// A fixed-width text table of the points, as `memlapse sweep` prints it.
std::string format_campaign_table(const CampaignResult& r, const std::string& swept_key = "ber");

}  // namespace memlapse
