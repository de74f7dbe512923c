#include <gtest/gtest.h>

#include <sstream>

#include "cli.h"

namespace memlapse::cli {
namespace {

struct CliRun {
  int rc;
  std::string out, err;
};

CliRun run(std::vector<std::string> args) {
  args.insert(args.begin(), "memlapse");
  std::ostringstream out, err;
  int rc = run_cli(args, out, err);
  return {rc, out.str(), err.str()};
}

TEST(Cli, DescribeFormatsListsSchemas) {
  CliRun r = run({"describe", "formats"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("fixed"), std::string::npos);
  EXPECT_NE(r.out.find("bits"), std::string::npos);
  EXPECT_NE(r.out.find("fp32"), std::string::npos);
}

TEST(Cli, DescribeFaultsListsUniform) {
  CliRun r = run({"describe", "faults"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("uniform"), std::string::npos);
  EXPECT_NE(r.out.find("ber"), std::string::npos);
}

TEST(Cli, UnknownLayerIsAUserError) {
  CliRun r = run({"describe", "gizmos"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("gizmos"), std::string::npos);
}

TEST(Cli, UnknownCommandIsAUsageError) {
  CliRun r = run({"frobnicate"});
  EXPECT_EQ(r.rc, 2);
}

}  // namespace
}  // namespace memlapse::cli
