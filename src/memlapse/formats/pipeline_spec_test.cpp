#include <gtest/gtest.h>

#include "memlapse/core/error.h"
#include "memlapse/formats/format.h"
#include "memlapse/formats/pipeline.h"

namespace memlapse {
namespace {

void expect_error(const std::string& name, const std::map<std::string, std::string>& p, const std::string& fragment) {
  try {
    make_format(name, p);
    ADD_FAILURE() << "no error for " << name << " with " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(PipelineSpec, BadSpecsNameTheKeyAndWhatWasExpected) {
  expect_error("pipeline", {{"ecc", "72-64"}, {"ecc_on", "values,bitmsk"}}, "'ecc_on' = 'bitmsk' is not one of all, values");
  expect_error("pipeline", {{"values_bpc", "3"}}, "values_bpc = 3 does not divide the 8-bit values word");
  expect_error("cluster", {{"indices_bpc", "3"}}, "indices_bpc = 3 does not divide the 4-bit indices word");
  expect_error("pipeline", {{"ecc", "72-64"}, {"parity_bpc", "3"}}, "parity_bpc = 3 does not divide the 8-bit parity word");
  expect_error("maxnvm", {{"bitmask_bpc", "3"}}, "bitmask_bpc = 3 does not divide the 8-bit bitmask word (mask_word_bits)");
  expect_error("pipeline", {{"idxsync", "true"}}, "idxsync = true needs sparse = bitmask");
  expect_error("cluster", {{"bits", "9"}}, "bits = 9 is outside [2, 8] for quant = cluster");
  expect_error("pipeline", {{"quant", "int8"}}, "'quant' = 'int8' is not one of fixed, cluster, fp16 or bfp");
  expect_error("pipeline", {{"ecc", "hamming"}}, "'ecc' = 'hamming' is not one of none, 72-64 or 4kb-24");
  expect_error("pipeline", {{"prune", "1.5"}}, "'prune' = 1.5 is outside [0, 1]");
  expect_error("bfp", {{"bfp_group", "16"}, {"bfp_mantissa_bits", "7"}}, "bfp_layout = group needs e + g(1+f) <= 64");
  expect_error("pipeline", {{"bitmask_bpc", "5"}}, "'bitmask_bpc' = 5 bit is outside [0, 4]");
  expect_error("pipeline", {{"values_bcp", "2"}}, "values_bcp");  // unknown key, from the schema
}

TEST(PipelineSpec, NamesAndWordWidthsFollowTheConfiguration) {
  EXPECT_EQ(make_format("bfp", {})->value_bits(), 58);
  EXPECT_EQ(make_format("bfp", {{"bfp_layout", "split"}})->value_bits(), 6);
  EXPECT_EQ(make_format("cluster", {})->value_bits(), 4);
  EXPECT_EQ(make_format("maxnvm", {{"prune", "0.8"}, {"ecc", "72-64"}, {"gray", "true"}, {"indices_bpc", "2"}})->name(),
            "pipeline-p0.8-cluster4-bitmask-idxsync-ecc72-64-gray-bpc121111111");
  auto f = make_format("maxnvm", {{"mask_word_bits", "24"}, {"bitmask_bpc", "3"}});
  const auto& p = dynamic_cast<const PipelineFormat&>(*f);
  EXPECT_EQ(p.spec().bpc_of(Structure::kBitmask), 3);
  EXPECT_EQ(make_format("pipeline", p.params())->name(), p.name());  // params rebuild the format
}

}  // namespace
}  // namespace memlapse
