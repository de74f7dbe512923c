#include "memlapse/faults/uniform.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <thread>

#include "memlapse/core/error.h"
#include "memlapse/faults/nested.h"
#include "memlapse/faults/model_test_util.h"
#include "memlapse/faults/test_util.h"

namespace memlapse {
namespace {

using memlapse::testing::binomial_accepts;
using memlapse::testing::chi_square_equal;

MemoryImage make_image(const std::string& bits, std::vector<std::uint64_t> sizes) {
  return testing::make_test_image(bits == "fp32" ? 32 : std::stoi(bits), std::move(sizes));
}

TEST(UniformBitErrors, BitIndexMapsToElementAndBitOfEachTensor) {
  const MemoryImage img = make_image("12", {1000, 1, 2500});
  const UniformBitErrors model(0.01);
  const FaultList f = model.sample(img, 3, 5);
  FaultList expected;
  for (std::uint32_t t = 0; t < PartitionView(img).tensor_count(); ++t) {
    for_each_nested_hit(CounterRng(3, 5, t), img.value_bits(t), 0.01, [&](std::uint64_t j) {
      expected.push_back(BitFault{t, j / 12, static_cast<std::uint8_t>(j % 12), BitFault::kFlip});
    });
  }
  EXPECT_EQ(f, expected);
  EXPECT_FALSE(f.empty());
}

TEST(UniformBitErrors, FaultListIsSortedAndUnique) {
  const MemoryImage img = make_image("8", {5000, 3000});
  const FaultList f = UniformBitErrors(0.3).sample(img, 1, 1);
  auto key = [](const BitFault& b) { return std::make_tuple(b.tensor, b.element, b.bit); };
  for (std::size_t i = 1; i < f.size(); ++i) ASSERT_LT(key(f[i - 1]), key(f[i]));
  for (const auto& b : f) {
    ASSERT_LT(b.element, img.tensor(b.tensor).count);
    ASSERT_LT(b.bit, 8);
    ASSERT_EQ(b.kind, BitFault::kFlip);
  }
}

TEST(UniformBitErrors, LowerRateIsSubsetOfHigherRateOnTheSameChip) {
  const MemoryImage img = make_image("8", {20000, 7000});
  FaultList prev;
  auto key = [](const BitFault& a, const BitFault& b) {
    return std::tie(a.tensor, a.element, a.bit) < std::tie(b.tensor, b.element, b.bit);
  };
  for (double ber : {1e-4, 1e-3, 0.0039, 0.0039063, 0.01, 0.1, 0.5, 1.0}) {
    const FaultList cur = UniformBitErrors(ber).sample(img, 8, 2);
    EXPECT_TRUE(std::includes(cur.begin(), cur.end(), prev.begin(), prev.end(), key)) << ber;
    prev = cur;
  }
  EXPECT_EQ(prev.size(), PartitionView(img).total_value_bits());
}

TEST(UniformBitErrors, FaultCountIsBinomialAndBitPositionsUniform) {
  const MemoryImage img = make_image("8", {400000, 100000});
  for (double ber : {1e-3, 0.02}) {
    for (std::uint64_t chip = 0; chip < 3; ++chip) {
      const FaultList f = UniformBitErrors(ber).sample(img, 21, chip);
      EXPECT_TRUE(binomial_accepts(f.size(), PartitionView(img).total_value_bits(), ber)) << ber << " " << f.size();
      std::array<std::uint64_t, 8> per_bit{};
      for (const auto& b : f) ++per_bit[b.bit];
      EXPECT_LT(chi_square_equal(per_bit), 24.322) << "ber " << ber;  // 7 dof, 0.999
    }
  }
}

TEST(UniformBitErrors, ResultDoesNotDependOnThreadCount) {
  const MemoryImage img = make_image("8", {30000, 500, 12000});
  const UniformBitErrors model(2e-3);
  constexpr std::size_t kChips = 48;
  auto run = [&](unsigned threads) {
    std::vector<FaultList> out(kChips);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (std::size_t c = t; c < kChips; c += threads) out[c] = model.sample(img, 99, c);
      });
    }
    for (auto& th : pool) th.join();
    return out;
  };
  const auto one = run(1);
  EXPECT_EQ(run(2), one);
  EXPECT_EQ(run(4), one);
  EXPECT_NE(one[0], one[1]);
}

TEST(UniformBitErrors, ZeroRateGivesNoFaults) {
  const MemoryImage img = make_image("fp32", {1000});
  EXPECT_TRUE(UniformBitErrors(0.0).sample(img, 1, 1).empty());
  EXPECT_EQ(UniformBitErrors(1.0).sample(img, 1, 1).size(), 32000u);
}

TEST(FaultRegistry, HoldsEveryExpectedModel) {
  std::set<std::string> names;
  for (const auto& e : fault_registry().entries()) names.insert(e.name);
  EXPECT_EQ(names, (std::set<std::string>{"none", "uniform", "sram", "dram-model0", "dram-model1", "dram-model2", "dram-model3",
                                         "mlc-ctt", "mlc-rram", "edram", "profiled"}));
  auto m = make_fault_model("uniform", {{"ber", "1e-3"}});
  EXPECT_EQ(m->name(), "uniform");
  EXPECT_EQ(make_fault_model("uniform", m->params())->params(), m->params());
}

TEST(FaultRegistry, BadNamesKeysAndValuesAreErrors) {
  auto message = [](const std::string& name, const std::map<std::string, std::string>& p) {
    try {
      make_fault_model(name, p);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("unifrom", {{"ber", "0.1"}}).find("did you mean 'uniform'"), std::string::npos);
  EXPECT_NE(message("uniform", {}).find("'ber' is required"), std::string::npos);
  EXPECT_NE(message("uniform", {{"bre", "0.1"}}).find("did you mean 'ber'"), std::string::npos);
  EXPECT_NE(message("uniform", {{"ber", "1.5"}}).find("1.5"), std::string::npos);
  EXPECT_NE(message("uniform", {{"ber", "-0.1"}}).find("[0, 1]"), std::string::npos);
  EXPECT_NE(message("uniform", {{"ber", "lots"}}).find("'ber'"), std::string::npos);
}

}  // namespace
}  // namespace memlapse
