#pragma once
// CLI flags generated from schemas (STYLE.md habit 2): every key of an experiment-file section
// becomes a flag of a front end (`--chips` for sweep.chips, `--lr` for train.lr, ...) with the
// schema's doc, constraint and default in its help; what the user gives is written into the
// experiment document, typed by the schema, so validation and messages are the file's.
// Example:
//   SchemaFlags flags;
//   flags.add(cmd, sweep_schema(), "sweep");                  // --chips, --seed, --correct, ...
//   ... parse ...
//   flags.apply(doc);                                          // doc: sweep.chips = 3, ...
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "memlapse/config/config.h"
#include "memlapse/core/schema.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace memlapse::cli {

class SchemaFlags {
 public:
  // Contract: adds one flag per key of `schema` not in `skip`, writing SECTION.KEY (a key of a
  // partition is written with `section` = "partition.main"); `rename` maps a key to another flag.
  void add(CLI::App* cmd, const ParamSchema& schema, const std::string& section, const std::set<std::string>& skip = {},
           const std::map<std::string, std::string>& rename = {});
  // Contract: sets every flag that was given in `doc` (typed by its spec; origin "--flag value").
  void apply(ConfigDoc& doc) const;
  // Contract: true when the flag of SECTION.KEY was given.
  bool given(const std::string& section, const std::string& key) const;

 private:
  struct Entry {
    ParamSpec spec;
    std::string section, flag;
    std::shared_ptr<std::string> text;
    std::shared_ptr<bool> on;
    CLI::Option* option = nullptr;
  };
  std::vector<Entry> entries_;
};

// The flags every evaluating front end shares: --arch-opt, --format, --bits, --format-opt.
struct ModelFormatFlags {
  std::string format;
  int bits = 0;
  std::vector<std::string> arch_opts, format_opts;
  // Contract: adds the four flags to `cmd`.
  void add(CLI::App* cmd);
  // Contract: writes model.arch and, when any format flag was given, [format] into doc (Error for
  // --bits on a format without bits, or --bits contradicting --format-opt bits=).
  void apply(ConfigDoc& doc) const;
};

// Contract: "k=v" items as a map; Error naming `flag` and the item when malformed or repeated.
std::map<std::string, std::string> parse_kv(const std::vector<std::string>& items, const std::string& flag);
// Contract: writes every k=v of `items` into table `path` of doc, typed by `schema` where it names
// the key (others as TOML values or strings; the reader then reports them as unknown).
void set_kv(ConfigDoc& doc, const std::string& path, const std::vector<std::string>& items, const std::string& flag,
            const ParamSchema* schema);
// The command line as one string, for the results.
std::string join_args(const std::vector<std::string>& args);

}  // namespace memlapse::cli
