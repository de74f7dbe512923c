#include "memlapse/faults/layout.h"

#include <gtest/gtest.h>

#include "memlapse/core/error.h"
#include "memlapse/core/rng.h"
#include "memlapse/faults/model_test_util.h"

namespace memlapse {
namespace {

TEST(ImageBits, InvertsPhysicalBitForEveryStoredBit) {
  for (int bits : {4, 8, 12}) {
    const MemoryImage img = testing::make_test_image(bits, {33, 1, 70});
    const ImageBits ib(img);
    ImageBits::Cursor cur(ib);
    std::uint64_t found = 0;
    for (std::uint64_t q = 0; q < ib.total_bits(); ++q) {
      BitFault f;
      if (!cur.locate(q, f)) continue;
      ++found;
      ASSERT_EQ(img.physical_bit(f.tensor, f.element, f.bit), q);
    }
    EXPECT_EQ(found, PartitionView(img).total_value_bits()) << bits;
    BitFault f;
    ImageBits::Cursor back(ib);  // out-of-order queries still work
    ASSERT_TRUE(back.locate(img.physical_bit(2, 5, 1), f));
    ASSERT_TRUE(back.locate(img.physical_bit(0, 3, 2), f));
    EXPECT_EQ(f.tensor, 0u);
    EXPECT_EQ(f.element, 3u);
  }
}

TEST(PhysicalLayout, RowsRotateOverBanksAndOffsetShiftsColumns) {
  PhysicalLayout l;
  l.row_bits = 64;
  l.banks = 4;
  const CellCoord a = l.coord(64 * 5 + 7);
  EXPECT_EQ(a.wordline, 5u);
  EXPECT_EQ(a.column, 7u);
  EXPECT_EQ(a.bank, 1u);
  EXPECT_EQ(a.bitline, 1u * 64 + 7);
  l.offset_bits = 3;
  EXPECT_EQ(l.coord(64 * 5 + 7).column, 10u);
  l.interleave_rows = false;
  l.rows_per_bank = 2;
  EXPECT_EQ(l.coord(64 * 5).bank, 2u);
}

TEST(PhysicalLayout, AlignedWordsPutEachBitPositionOnItsOwnColumns) {
  // 000 §6.3: with rows a multiple of the word size, bit k of every word shares columns k mod 8.
  const MemoryImage img = testing::make_test_image(8, {5000});
  PhysicalLayout l;
  l.row_bits = 1024;
  for (std::uint64_t e = 0; e < 5000; e += 97) EXPECT_EQ(l.coord(img.physical_bit(0, e, 7)).column % 8, 7u);
}

// The shift-and-mask path (power-of-two sizes) and the division path give coord()'s lines.
TEST(PhysicalLayout, LineIndexMatchesCoordForEveryLayout) {
  std::uint64_t checked = 0;
  for (const std::uint64_t row_bits : {8192u, 1000u, 64u}) {
    for (const std::uint64_t banks : {8u, 3u, 1u}) {
      for (const std::uint64_t rows_per_bank : {16u, 7u}) {
        for (const std::uint64_t offset : {0u, 13u, 70000u}) {
          for (const bool interleave : {true, false}) {
            PhysicalLayout l;
            l.row_bits = row_bits;
            l.banks = banks;
            l.rows_per_bank = rows_per_bank;
            l.offset_bits = offset;
            l.interleave_rows = interleave;
            const LineIndex li(l);
            const CounterRng rng(row_bits, banks, offset);
            for (std::uint64_t i = 0; i < 300; ++i) {
              const std::uint64_t q = i < 100 ? i * 997 : rng.bits(i) >> 20;
              const CellCoord c = l.coord(q);
              std::uint64_t idx = 0, line = 0;
              li(q, true, idx, line);
              ASSERT_EQ(idx, c.column) << q;
              ASSERT_EQ(line, c.bitline) << q;
              li(q, false, idx, line);
              ASSERT_EQ(idx, c.wordline) << q;
              ASSERT_EQ(line, c.wordline) << q;
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 3u * 3 * 2 * 3 * 2 * 300);
}

TEST(PhysicalLayout, BadParametersNameTheKey) {
  const ParamSchema& s = layout_schema();
  auto msg = [&](std::map<std::string, std::string> g) {
    try {
      PhysicalLayout::from(s.resolve(g, "m"));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(msg({{"row_bits", "0"}}).find("row_bits"), std::string::npos);
  EXPECT_NE(msg({{"interleave", "diag"}}).find("interleave"), std::string::npos);
  EXPECT_NE(msg({{"offset_bits", "-1"}}).find("offset_bits"), std::string::npos);
  EXPECT_EQ(msg({}), "");
}

}  // namespace
}  // namespace memlapse
