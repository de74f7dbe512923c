#pragma once
// The results store: one SQLite database per experiment directory (DIR/results.db, WAL mode,
// synchronous=FULL). It holds the resolved spec, version, git revision and input fingerprints
// (table meta), one row per sweep point (points), and one row per finished trial with its
// per-partition fault counts (trials, trial_faults), each trial committed in its own transaction
// before the next begins: a kill -9 at any moment loses at most the trial in flight and never
// duplicates one (the (point, chip) primary key). An exclusive lock (DIR/results.db.lock) keeps a
// second process from writing the same directory.
// Example:
//   ResultsStore db = ResultsStore::open(dir, /*create=*/true);
//   if (!db.has_trial(p, c)) db.add_trial(trial);
//   for (const TrialRecord& t : db.trials()) ...
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace memlapse {

struct PointRecord {
  std::uint64_t point = 0;
  std::string label;
  nlohmann::json overrides;  // axis key -> value
  nlohmann::json info;       // format, partitions (resolved fault parameters), clean error, ...
};

struct TrialRecord {
  std::uint64_t point = 0, chip = 0, seed = 0, examples = 0;
  double error = 0, mismatch = 0;  // error: NaN when unlabelled
  std::uint64_t faults = 0;
  double inject_ms = 0, infer_ms = 0;
  std::map<std::string, std::uint64_t> partition_faults;
};

class ResultsStore {
 public:
  // Contract: opens DIR/results.db (creating DIR and the database when `create`), takes the
  // directory's lock; Error naming the file when it cannot, or when another process holds the lock.
  static ResultsStore open(const std::string& dir, bool create);
  // Contract: opens DIR/results.db read-only, without the lock (exports and reports may read while
  // a run writes: WAL readers see the last committed trial).
  static ResultsStore open_read(const std::string& dir);
  // Contract: true when DIR/results.db exists.
  static bool exists(const std::string& dir);
  ResultsStore(ResultsStore&&) noexcept;
  ResultsStore& operator=(ResultsStore&&) noexcept;
  ~ResultsStore();

  const std::string& path() const { return path_; }
  std::optional<std::string> meta(const std::string& key) const;
  std::map<std::string, std::string> all_meta() const;
  // Contract: writes every key in one transaction.
  void set_meta(const std::map<std::string, std::string>& kv);
  void put_point(const PointRecord& p);
  std::vector<PointRecord> points() const;
  std::set<std::pair<std::uint64_t, std::uint64_t>> finished() const;
  // Contract: the trial and its partition fault counts are on disk when this returns; Error when
  // (point, chip) is already stored.
  void add_trial(const TrialRecord& t);
  std::vector<TrialRecord> trials() const;
  // Array-model results (the [array] section): one JSON object per design point.
  void put_array_row(const std::string& key, const nlohmann::json& row);
  std::vector<nlohmann::json> array_rows() const;

 private:
  ResultsStore() = default;
  void exec(const std::string& sql) const;
  std::string path_;
  sqlite3* db_ = nullptr;
  int lock_fd_ = -1;
};

}  // namespace memlapse
