#include "memlapse/characterize/mapping.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"

namespace memlapse {

MappingResult map_to_partitions(const std::vector<MapDataType>& data, const std::vector<MapPartition>& partitions) {
  for (const auto& p : partitions) {
    if (p.settings.empty()) throw Error("partition " + p.name + " has no characterized setting");
    for (std::size_t i = 1; i < p.settings.size(); ++i) {
      const double a = std::fabs(p.settings[i - 1].param - p.nominal_param), b = std::fabs(p.settings[i].param - p.nominal_param);
      if (b < a) throw Error("partition " + p.name + ": settings must run from nominal to most aggressive (parameter " + format_double(p.settings[i].param) + " after " + format_double(p.settings[i - 1].param) + ")");
    }
  }
  MappingResult m;
  m.partition_of.assign(data.size(), -1);
  m.setting_of.assign(partitions.size(), -1);
  m.used_bytes.assign(partitions.size(), 0);
  m.order.resize(data.size());
  std::iota(m.order.begin(), m.order.end(), 0);
  // sort_DNN_data: ascending tolerable rate.
  std::stable_sort(m.order.begin(), m.order.end(), [&](std::size_t a, std::size_t b) { return data[a].tolerable_rate < data[b].tolerable_rate; });
  for (std::size_t d : m.order) {
    const MapDataType& t = data[d];
    int best = -1, best_setting = -1;
    double best_reduction = -1;
    for (std::size_t p = 0; p < partitions.size(); ++p) {
      const MapPartition& part = partitions[p];
      if (part.capacity_bytes > 0 && static_cast<double>(m.used_bytes[p] + t.bytes) > part.capacity_bytes) continue;  // line 7
      int s = -1;  // line 6: the most aggressive tolerable setting (the locked one, once used)
      if (m.setting_of[p] >= 0) {
        if (part.settings[m.setting_of[p]].rate <= t.tolerable_rate) s = m.setting_of[p];
      } else {
        for (std::size_t i = 0; i < part.settings.size(); ++i) {
          if (part.settings[i].rate <= t.tolerable_rate) s = static_cast<int>(i);
        }
      }
      if (s < 0) continue;
      const double reduction = std::fabs(part.settings[s].param - part.nominal_param);
      if (reduction > best_reduction) {  // lines 8-10
        best_reduction = reduction;
        best = static_cast<int>(p);
        best_setting = s;
      }
    }
    if (best < 0) {
      throw Error("no partition can hold " + t.name + " (" + std::to_string(t.bytes) + " bytes, tolerable rate " + format_double(t.tolerable_rate) +
                  "): every partition with room runs at a higher rate; add a nominal partition (rate 0) with enough capacity");
    }
    m.partition_of[d] = best;
    m.setting_of[best] = best_setting;
    m.used_bytes[best] += t.bytes;  // line 11
  }
  return m;
}

}  // namespace memlapse
