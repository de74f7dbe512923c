#include "memlapse/experiment/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, double v) {
    if (std::isnan(v)) sqlite3_bind_null(s_, i);
    else sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Contract: true while a row is available.
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  double real(int c) const {
    return sqlite3_column_type(s_, c) == SQLITE_NULL ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(s_, c);
  }
  std::string text(int c) const {
    const auto* p = sqlite3_column_text(s_, c);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
  }

 private:
  [[noreturn]] void fail(const char* what) const { throw Error(path_ + ": SQLite " + what + " failed: " + sqlite3_errmsg(db_)); }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  std::string path_;
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points(point INTEGER PRIMARY KEY, label TEXT NOT NULL, overrides TEXT NOT NULL, info TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials(point INTEGER NOT NULL, chip INTEGER NOT NULL, seed INTEGER NOT NULL,
  examples INTEGER NOT NULL, error REAL, mismatch REAL NOT NULL, faults INTEGER NOT NULL,
  inject_ms REAL NOT NULL, infer_ms REAL NOT NULL, finished TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY(point, chip));
CREATE TABLE IF NOT EXISTS trial_faults(point INTEGER NOT NULL, chip INTEGER NOT NULL, partition TEXT NOT NULL,
  faults INTEGER NOT NULL, PRIMARY KEY(point, chip, partition));
CREATE TABLE IF NOT EXISTS arrays(key TEXT PRIMARY KEY, row TEXT NOT NULL);
)sql";

}  // namespace

bool ResultsStore::exists(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir + "/results.db", ec);
}

ResultsStore ResultsStore::open(const std::string& dir, bool create) {
  ResultsStore s;
  s.path_ = dir + "/results.db";
  std::error_code ec;
  if (create) std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(dir + ": cannot create the results directory (" + ec.message() + ")");
  if (!create && !exists(dir)) throw Error(dir + ": no results.db here (is it an experiment directory written by memlapse run/sweep?)");
  const std::string lock = s.path_ + ".lock";
  s.lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s.lock_fd_ < 0) throw Error(lock + ": cannot open (" + std::strerror(errno) + ")");
  // A process killed a moment ago may still hold the lock while the kernel tears it down: wait
  // up to 5 s before deciding that another run is writing here.
  bool locked = false;
  for (int attempt = 0; attempt < 100 && !locked; ++attempt) {
    locked = ::flock(s.lock_fd_, LOCK_EX | LOCK_NB) == 0;
    if (!locked) ::usleep(50000);
  }
  if (!locked) {
    throw Error(dir + ": another memlapse process is writing this experiment directory (" + lock +
                " is locked); wait for it or choose another out");
  }
  const int flags = create ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READWRITE;
  if (sqlite3_open_v2(s.path_.c_str(), &s.db_, flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    const std::string why = s.db_ != nullptr ? sqlite3_errmsg(s.db_) : "out of memory";
    throw Error(s.path_ + ": cannot open the results database (" + why + ")");
  }
  sqlite3_busy_timeout(s.db_, 5000);
  s.exec("PRAGMA journal_mode=WAL;");
  s.exec("PRAGMA synchronous=FULL;");
  s.exec(kSchema);
  return s;
}

ResultsStore ResultsStore::open_read(const std::string& dir) {
  ResultsStore s;
  s.path_ = dir + "/results.db";
  if (!exists(dir)) throw Error(dir + ": no results.db here (is it an experiment directory written by memlapse run/sweep?)");
  if (sqlite3_open_v2(s.path_.c_str(), &s.db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    const std::string why = s.db_ != nullptr ? sqlite3_errmsg(s.db_) : "out of memory";
    throw Error(s.path_ + ": cannot open the results database (" + why + ")");
  }
  sqlite3_busy_timeout(s.db_, 5000);
  // A store is created with every table; check that this one is (a stray file named results.db).
  Stmt check(s.db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'points', 'trials')", s.path_);
  if (!check.step() || check.i64(0) != 3) throw Error(s.path_ + ": not a memlapse results database");
  return s;
}

ResultsStore::ResultsStore(ResultsStore&& o) noexcept : path_(std::move(o.path_)), db_(o.db_), lock_fd_(o.lock_fd_) {
  o.db_ = nullptr;
  o.lock_fd_ = -1;
}

ResultsStore& ResultsStore::operator=(ResultsStore&& o) noexcept {
  std::swap(path_, o.path_);
  std::swap(db_, o.db_);
  std::swap(lock_fd_, o.lock_fd_);
  return *this;
}

ResultsStore::~ResultsStore() {
  if (db_ != nullptr) sqlite3_close(db_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

void ResultsStore::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err != nullptr ? err : "unknown";
    sqlite3_free(err);
    throw Error(path_ + ": SQLite failed: " + why);
  }
}

std::optional<std::string> ResultsStore::meta(const std::string& key) const {
  Stmt s(db_, "SELECT value FROM meta WHERE key = ?", path_);
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::map<std::string, std::string> ResultsStore::all_meta() const {
  std::map<std::string, std::string> out;
  Stmt s(db_, "SELECT key, value FROM meta", path_);
  while (s.step()) out[s.text(0)] = s.text(1);
  return out;
}

void ResultsStore::set_meta(const std::map<std::string, std::string>& kv) {
  exec("BEGIN IMMEDIATE;");
  try {
    for (const auto& [k, v] : kv) {
      Stmt s(db_, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", path_);
      s.bind(1, k).bind(2, v).step();
    }
    exec("COMMIT;");
  } catch (...) {
    exec("ROLLBACK;");
    throw;
  }
}

void ResultsStore::put_point(const PointRecord& p) {
  Stmt s(db_, "INSERT INTO points(point, label, overrides, info) VALUES(?, ?, ?, ?) ON CONFLICT(point) DO UPDATE SET "
              "label = excluded.label, overrides = excluded.overrides, info = excluded.info",
         path_);
  s.bind(1, static_cast<std::int64_t>(p.point)).bind(2, p.label).bind(3, p.overrides.dump()).bind(4, p.info.dump()).step();
}

std::vector<PointRecord> ResultsStore::points() const {
  std::vector<PointRecord> out;
  Stmt s(db_, "SELECT point, label, overrides, info FROM points ORDER BY point", path_);
  while (s.step()) {
    PointRecord p;
    p.point = static_cast<std::uint64_t>(s.i64(0));
    p.label = s.text(1);
    p.overrides = nlohmann::json::parse(s.text(2), nullptr, false);
    p.info = nlohmann::json::parse(s.text(3), nullptr, false);
    out.push_back(std::move(p));
  }
  return out;
}

std::set<std::pair<std::uint64_t, std::uint64_t>> ResultsStore::finished() const {
  std::set<std::pair<std::uint64_t, std::uint64_t>> out;
  Stmt s(db_, "SELECT point, chip FROM trials", path_);
  while (s.step()) out.emplace(static_cast<std::uint64_t>(s.i64(0)), static_cast<std::uint64_t>(s.i64(1)));
  return out;
}

void ResultsStore::add_trial(const TrialRecord& t) {
  exec("BEGIN IMMEDIATE;");
  try {
    Stmt s(db_, "INSERT INTO trials(point, chip, seed, examples, error, mismatch, faults, inject_ms, infer_ms) VALUES(?,?,?,?,?,?,?,?,?)",
           path_);
    s.bind(1, static_cast<std::int64_t>(t.point)).bind(2, static_cast<std::int64_t>(t.chip)).bind(3, static_cast<std::int64_t>(t.seed));
    s.bind(4, static_cast<std::int64_t>(t.examples)).bind(5, t.error).bind(6, t.mismatch).bind(7, static_cast<std::int64_t>(t.faults));
    s.bind(8, t.inject_ms).bind(9, t.infer_ms).step();
    for (const auto& [part, n] : t.partition_faults) {
      Stmt f(db_, "INSERT INTO trial_faults(point, chip, partition, faults) VALUES(?,?,?,?)", path_);
      f.bind(1, static_cast<std::int64_t>(t.point)).bind(2, static_cast<std::int64_t>(t.chip)).bind(3, part).bind(4, static_cast<std::int64_t>(n));
      f.step();
    }
    exec("COMMIT;");
  } catch (...) {
    exec("ROLLBACK;");
    throw;
  }
}

std::vector<TrialRecord> ResultsStore::trials() const {
  std::vector<TrialRecord> out;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> at;
  {
    Stmt s(db_, "SELECT point, chip, seed, examples, error, mismatch, faults, inject_ms, infer_ms FROM trials ORDER BY point, chip", path_);
    while (s.step()) {
      TrialRecord t;
      t.point = static_cast<std::uint64_t>(s.i64(0));
      t.chip = static_cast<std::uint64_t>(s.i64(1));
      t.seed = static_cast<std::uint64_t>(s.i64(2));
      t.examples = static_cast<std::uint64_t>(s.i64(3));
      t.error = s.real(4);
      t.mismatch = s.real(5);
      t.faults = static_cast<std::uint64_t>(s.i64(6));
      t.inject_ms = s.real(7);
      t.infer_ms = s.real(8);
      at[{t.point, t.chip}] = out.size();
      out.push_back(std::move(t));
    }
  }
  Stmt f(db_, "SELECT point, chip, partition, faults FROM trial_faults", path_);
  while (f.step()) {
    auto it = at.find({static_cast<std::uint64_t>(f.i64(0)), static_cast<std::uint64_t>(f.i64(1))});
    if (it != at.end()) out[it->second].partition_faults[f.text(2)] = static_cast<std::uint64_t>(f.i64(3));
  }
  return out;
}

void ResultsStore::put_array_row(const std::string& key, const nlohmann::json& row) {
  Stmt s(db_, "INSERT INTO arrays(key, row) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET row = excluded.row", path_);
  s.bind(1, key).bind(2, row.dump()).step();
}

std::vector<nlohmann::json> ResultsStore::array_rows() const {
  std::vector<nlohmann::json> out;
  Stmt s(db_, "SELECT row FROM arrays ORDER BY rowid", path_);
  while (s.step()) out.push_back(nlohmann::json::parse(s.text(0), nullptr, false));
  return out;
}

}  // namespace memlapse
