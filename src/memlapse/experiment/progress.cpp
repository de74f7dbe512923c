#include "memlapse/experiment/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace memlapse {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  auto t = static_cast<long long>(s + 0.5);
  char b[32];
  if (t >= 3600) std::snprintf(b, sizeof b, "%lld:%02lld:%02lld", t / 3600, (t / 60) % 60, t % 60);
  else std::snprintf(b, sizeof b, "%lld:%02lld", t / 60, t % 60);
  return b;
}

ProgressBar::ProgressBar(std::ostream& os, std::string label, std::uint64_t total, std::string unit)
    : os_(os), label_(std::move(label)), unit_(std::move(unit)), total_(total),
      tty_(&os == &std::cerr ? isatty(2) != 0 : (&os == &std::cout ? isatty(1) != 0 : false)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

double ProgressBar::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(std::uint64_t done, std::uint64_t items, const std::string& extra) {
  last_done_ = done;
  last_items_ = items;
  auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(200) && done < total_) return;
    last_draw_ = now;
    draw(done, items, extra, false);
  } else {
    int decile = total_ == 0 ? 10 : static_cast<int>(10 * done / total_);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    draw(done, items, extra, false);
  }
}

void ProgressBar::finish(const std::string& extra) { draw(last_done_, last_items_, extra, true); }

void ProgressBar::draw(std::uint64_t done, std::uint64_t items, const std::string& extra, bool final) {
  const double el = elapsed_s();
  const double frac = total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
  const double rate = el > 0 ? static_cast<double>(items) / el : 0.0;
  const double eta = frac > 0 ? el * (1 - frac) / frac : -1;
  constexpr int kWidth = 24;
  int filled = static_cast<int>(frac * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  char buf[256];
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, rate >= 100 ? "%.0f" : "%.3g", rate);
  std::snprintf(buf, sizeof buf, "%s [%s] %3.0f%% %llu/%llu %s %s/s %s %s", label_.c_str(), bar.c_str(), 100 * frac,
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), rate_text, unit_.c_str(),
                final ? ("in " + format_duration(el)).c_str() : ("ETA " + format_duration(eta)).c_str(), extra.c_str());
  if (tty_) os_ << "\r\033[K" << buf << (final ? "\n" : "") << std::flush;
  else os_ << buf << "\n" << std::flush;
}

}  // namespace memlapse
