#include "memlapse/experiment/results_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

constexpr const char* kHeader = "rate_index,ber,chip,error,mismatch,faults,inject_ms,infer_ms";

double parse_d(const std::string& s, const std::string& path, std::size_t line) {
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    throw Error(path + ":" + std::to_string(line) + ": bad number '" + s + "'");
  }
  return v;
}

void write_all(int fd, const std::string& s, const std::string& path) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0) throw Error(path + ": write failed");
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

ResultsLog::ResultsLog(const std::string& dir, bool resume) : path_(dir + "/results.csv") {
  std::filesystem::create_directories(dir);
  std::string content;
  if (std::filesystem::exists(path_)) {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    content = ss.str();
  }
  // Keep only complete lines: a crash can leave a torn last line.
  std::size_t keep = content.rfind('\n');
  keep = keep == std::string::npos ? 0 : keep + 1;
  content.resize(keep);
  std::istringstream lines(content);
  std::string line;
  std::size_t lineno = 0;
  bool has_header = false;
  while (std::getline(lines, line)) {
    ++lineno;
    if (lineno == 1) {
      if (line != kHeader) throw Error(path_ + ":1: unexpected header '" + line + "' (expected " + kHeader + ")");
      has_header = true;
      continue;
    }
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) f.push_back(cell);
    if (f.size() != 8) throw Error(path_ + ":" + std::to_string(lineno) + ": expected 8 fields, got " + std::to_string(f.size()));
    ChipRow r;
    r.rate_index = static_cast<std::size_t>(parse_d(f[0], path_, lineno));
    r.ber = parse_d(f[1], path_, lineno);
    r.chip = static_cast<std::uint64_t>(parse_d(f[2], path_, lineno));
    r.error = parse_d(f[3], path_, lineno);
    r.mismatch = parse_d(f[4], path_, lineno);
    r.faults = static_cast<std::uint64_t>(parse_d(f[5], path_, lineno));
    r.inject_ms = parse_d(f[6], path_, lineno);
    r.infer_ms = parse_d(f[7], path_, lineno);
    if (done_.insert({r.rate_index, r.chip}).second) rows_.push_back(r);
  }
  if (!resume && !rows_.empty()) {
    throw Error(path_ + " already holds " + std::to_string(rows_.size()) +
                " finished chips: pass --resume to continue that sweep, or choose another --out");
  }
  if (!resume) { rows_.clear(); done_.clear(); has_header = false; keep = 0; }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd_ < 0) throw Error(path_ + ": cannot open for writing");
  if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0 || ::lseek(fd_, 0, SEEK_END) < 0) throw Error(path_ + ": cannot truncate");
  if (!has_header) {
    write_all(fd_, std::string(kHeader) + "\n", path_);
    ::fsync(fd_);
  }
}

ResultsLog::~ResultsLog() {
  if (fd_ >= 0) ::close(fd_);
}

bool ResultsLog::has(std::size_t rate_index, std::uint64_t chip) const { return done_.count({rate_index, chip}) > 0; }

void ResultsLog::append(const ChipRow& r) {
  if (has(r.rate_index, r.chip)) return;
  std::string line = std::to_string(r.rate_index) + "," + format_double(r.ber) + "," + std::to_string(r.chip) + "," +
                     format_double(r.error) + "," + format_double(r.mismatch) + "," + std::to_string(r.faults) + "," +
                     format_double(r.inject_ms) + "," + format_double(r.infer_ms) + "\n";
  write_all(fd_, line, path_);
  if (::fsync(fd_) != 0) throw Error(path_ + ": fsync failed");
  rows_.push_back(r);
  done_.insert({r.rate_index, r.chip});
}

}  // namespace memlapse
