// Sweep CSV/SVG rendering.
#include "memlapse/memory/report.h"

#include <gtest/gtest.h>

#include "memlapse/core/error.h"

namespace memlapse::memory {

TEST(Report, SweepWritesOneRowPerPointAndAPolylinePerTechnology) {
  ArraySpec base = ram_spec("sram", 22, 1 << 20, 512);
  const auto rows = sweep({"sram", "sot"}, {0.5, 1, 2}, base, Target::kReadEdp);
  ASSERT_EQ(rows.size(), 6u);
  const std::string csv = sweep_csv(rows);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
  EXPECT_EQ(csv.rfind("tech,capacity_mb,area_mm2", 0), 0u);
  const std::string svg = sweep_svg(rows, "leakage_mw");
  size_t n = 0;
  for (size_t p = svg.find("<polyline"); p != std::string::npos; p = svg.find("<polyline", p + 1)) ++n;
  EXPECT_EQ(n, 2u);
  EXPECT_THROW(sweep_svg(rows, "speed"), Error);
}

}  // namespace memlapse::memory
