#include "memlapse/stats/sequential.h"

#include <algorithm>
#include <cmath>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"

namespace memlapse {

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::kMeets: return "meets";
    case Verdict::kFails: return "fails";
    case Verdict::kUndecided: break;
  }
  return "undecided";
}

SequentialTest::SequentialTest(double threshold, double delta) : threshold_(threshold), delta_(delta) {
  if (!(delta > 0 && delta < 1)) throw Error("the decision's delta must be in (0, 1), got " + format_double(delta));
  if (!std::isfinite(threshold)) throw Error("the decision's threshold must be finite, got " + format_double(threshold));
  // Every mean in [0,1] is <= a threshold of 1 or more; none is <= a negative one.
  if (threshold >= 1) verdict_ = Verdict::kMeets;
  if (threshold < 0) verdict_ = Verdict::kFails;
}

Verdict SequentialTest::add(double x) {
  if (!(x >= 0 && x <= 1)) throw Error("a sequential observation must be in [0, 1], got " + format_double(x));
  const double m = threshold_;
  if (m > 0 && m < 1) {
    // aGRAPA bets from the observations before this one (predictable), priors 1/2 and 1/4.
    const double t = static_cast<double>(n_);
    const double mean = (0.5 + sum_) / (t + 1.0);
    const double var = std::max((0.25 + sum_sq_ - t * mean * mean) / (t + 1.0), 1e-12);
    const double d = mean - m;
    constexpr double kC = 0.5;  // WSR §5: bets truncated at half the largest safe one
    const double up = std::clamp(d / (var + d * d), 0.0, kC / m);
    const double down = std::clamp(-d / (var + d * d), 0.0, kC / (1.0 - m));
    log_up_ += std::log1p(up * (x - m));
    log_down_ += std::log1p(-down * (x - m));
    max_up_ = std::max(max_up_, std::exp(log_up_));
    max_down_ = std::max(max_down_, std::exp(log_down_));
  }
  ++n_;
  sum_ += x;
  sum_sq_ += x * x;
  if (verdict_ == Verdict::kUndecided) {
    if (max_up_ >= 1.0 / delta_) verdict_ = Verdict::kFails;
    else if (max_down_ >= 1.0 / delta_) verdict_ = Verdict::kMeets;
  }
  return verdict_;
}

Verdict fixed_count_verdict(const Summary& s, double threshold, double delta) {
  if (s.n < 2 || !std::isfinite(s.mean)) return Verdict::kUndecided;
  const double q = student_t_quantile(1.0 - delta, static_cast<double>(s.n - 1));
  const double half = q * s.std / std::sqrt(static_cast<double>(s.n));
  if (s.mean + half <= threshold) return Verdict::kMeets;
  if (s.mean - half > threshold) return Verdict::kFails;
  return Verdict::kUndecided;
}

}  // namespace memlapse
