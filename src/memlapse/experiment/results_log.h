#pragma once
// The durable per-chip results of a fault campaign: DIR/results.csv, one row per (rate, chip),
// appended and fsync'ed as each chip finishes, so an interrupted sweep (Ctrl-C, kill -9) loses at
// most the chip in flight. A torn last line (a crash mid-write) is dropped on reopen.
// Example:
//   ResultsLog log(dir, /*resume=*/true);          // reads finished rows, drops a torn tail
//   if (!log.has(ber_index, chip)) log.append(row);
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "memlapse/core/text.h"

namespace memlapse {

struct ChipRow {
  std::size_t rate_index = 0;  // position of the rate in the sweep's list
  double ber = 0.0;            // the operating point's bit error rate
  std::uint64_t chip = 0;
  double error = 0.0;          // test error vs labels (NaN when unlabelled)
  double mismatch = 0.0;       // top-1 mismatch rate vs the fault-free model
  std::uint64_t faults = 0;    // number of faulty bits injected
  double inject_ms = 0.0;      // sampling + applying + decoding the faults
  double infer_ms = 0.0;       // the evaluation pass
};

class ResultsLog {
 public:
  // Contract: opens DIR/results.csv. Without resume, an existing file with rows is an Error
  // (never overwrite finished work); with resume, finished rows are loaded and a torn tail removed.
  ResultsLog(const std::string& dir, bool resume);
  ~ResultsLog();
  ResultsLog(const ResultsLog&) = delete;
  ResultsLog& operator=(const ResultsLog&) = delete;

  bool has(std::size_t rate_index, std::uint64_t chip) const;
  // Contract: the row is on disk (written and fsync'ed) when this returns.
  void append(const ChipRow& row);
  const std::vector<ChipRow>& rows() const { return rows_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<ChipRow> rows_;
  std::set<std::pair<std::size_t, std::uint64_t>> done_;
};


}  // namespace memlapse
