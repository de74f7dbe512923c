#pragma once
// A one-line progress bar with rate and ETA for long loops (training epochs, campaigns).
// On a terminal it redraws in place; otherwise it prints a line every 10% so logs stay short.
// Example:
//   ProgressBar bar(std::cerr, "epoch 3/10", total_batches, "img");
//   for (...) bar.update(i + 1, batch_size * (i + 1), "loss 0.41");
//   bar.finish("acc 91.2%");
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace memlapse {

class ProgressBar {
 public:
  ProgressBar(std::ostream& os, std::string label, std::uint64_t total, std::string unit);
  // Contract: reports `done` of total steps; `items` (e.g. images) sets the rate shown.
  void update(std::uint64_t done, std::uint64_t items, const std::string& extra = "");
  void finish(const std::string& extra = "");
  double elapsed_s() const;

 private:
  void draw(std::uint64_t done, std::uint64_t items, const std::string& extra, bool final);
  std::ostream& os_;
  std::string label_, unit_;
  std::uint64_t total_;
  std::uint64_t last_items_ = 0, last_done_ = 0;
  int last_decile_ = -1;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "1:02:03" / "2:03" for a duration in seconds.
std::string format_duration(double seconds);

}  // namespace memlapse
