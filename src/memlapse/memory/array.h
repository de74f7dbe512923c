#pragma once
// The array model: bank -> mats -> subarrays, evaluated analytically (row decoders, wordline and
// bitline RC, voltage/current sense amplifiers, column muxes, write drivers, and an H-tree on
// unrepeated global wires as NVSim's default, or on repeated wires).
// RAM and cache (tag + data) modes; refresh power for eDRAM/DRAM from the retention time.
// A design point that does not fit is a returned status, not an exception (STYLE.md habit 4).
// Example:
//   ArraySpec s = ram_spec("sram", 16, 1 << 20, 512);          // 1 MB, 512-bit words, 16 nm
//   Organization o{.mats_r = 4, .mats_c = 4, .subarrays_per_mat = 4, .rows = 256, .cols = 512, .mux = 4};
//   Evaluation e = evaluate(s, o);   // e.ok, e.figures.read_latency_ns, ...
#include <string>

#include "memlapse/memory/cell.h"
#include "memlapse/memory/technology.h"

namespace memlapse::memory {

enum class AccessMode { kNormal, kFast, kSequential };
const char* to_string(AccessMode m);

// How a cache write's energy is counted.
//  kPhysical (default): every cell of the written line, half of them switching (data-comparison
//    write), plus its bitlines, drivers, decoders and H-tree.
//  kNvsim: NVSim's bookkeeping, to compare with papers that ran it (003): each written cell is
//    charged max(set, reset), and in normal and fast cache modes the subarrays' bitline-and-cell
//    write energy is divided by the associativity (SubArray::CalculatePower), in fast mode the
//    H-tree write energy too (BankWithHtree::CalculatePower). In normal mode the written word is
//    already one line, so this charges 1/assoc of the cells actually written: an accounting
//    convention, not physics.
enum class WriteAccounting { kPhysical, kNvsim };
const char* to_string(WriteAccounting w);
// Contract: parses "physical" or "nvsim"; throws Error naming the value and the choices.
WriteAccounting parse_write_accounting(const std::string& name);

struct ArraySpec {
  Cell cell;
  int node_nm = 16;
  double capacity_bytes = 0;
  int word_bits = 512;          // RAM: bits per access
  bool cache = false;
  int assoc = 16;               // cache: ways
  int line_bytes = 128;         // cache: line (tag granularity); 003 Table IV
  int sector_bytes = 128;       // cache: bytes per access; a whole line as in NVSim, which 003 used
  int address_bits = 40;
  double temperature_k = 350.0; // NVSim / CACTI default operating temperature
  AccessMode mode = AccessMode::kNormal;  // cache access mode
  bool htree_repeaters = false; // H-tree wires: NVSim's default unrepeated global wires, or repeated (CACTI)
  WriteAccounting write_accounting = WriteAccounting::kPhysical;
};

// Contract: a RAM spec for technology `tech` (validated cell, node checked) with default temperature.
ArraySpec ram_spec(const std::string& tech, int node_nm, double capacity_bytes, int word_bits);

struct Organization {
  int mats_r = 1;             // mats along the bank height
  int mats_c = 1;             // mats along the bank width
  int subarrays_per_mat = 1;  // 1, 2 (1x2) or 4 (2x2)
  int rows = 256;             // per subarray
  int cols = 256;             // cells per row
  int mux = 1;                // bitline columns per sense amplifier
  int driver_effort = 4;      // stage effort of wordline/write drivers: 4 latency-first .. 16 area-first
  bool htree_repeaters = false;  // false: unrepeated global H-tree (NVSim default); true: repeated semi-global
};
std::string to_string(const Organization& o);

struct ArrayFigures {
  double area_mm2 = 0;
  double read_latency_ns = 0;
  double write_latency_ns = 0;
  double read_energy_nj = 0;   // per access
  double write_energy_nj = 0;  // per access
  double leakage_mw = 0;       // static power including refresh
  double refresh_mw = 0;       // the refresh part of leakage_mw
  double area_efficiency = 0;  // cell area / total area
  double width_um = 0, height_um = 0;
};

struct Evaluation {
  bool ok = false;
  std::string why;             // reason when !ok
  ArrayFigures figures;        // whole design (data + tag in cache mode)
  ArrayFigures data, tag;      // parts (tag empty in RAM mode)
  Organization org, tag_org;
};

// What one plain array must deliver per access.
struct ArrayDuty {
  double cells = 0;     // number of cells
  int read_bits = 0;    // bits sensed per read
  int write_bits = 0;   // bits written per write
  int out_bits = 0;     // bits routed out per read
  int in_bits = 0;      // bits routed in per write
  int addr_bits = 0;
  // Write-energy bookkeeping (WriteAccounting::kNvsim; all neutral for kPhysical).
  bool worst_case_cell_write = false;  // charge max(set, reset) per written cell
  double write_array_divisor = 1;      // divides the subarrays' bitline-and-cell write energy
  double write_wire_divisor = 1;       // divides the H-tree write energy
};

// Contract: figures of one plain array with organization o for the duty d; !ok with a reason when
// the organization cannot hold d (never throws for a bad organization).
Evaluation evaluate_plain(const Technology& t, const Cell& c, double temperature_k, const ArrayDuty& d,
                          const Organization& o);

// Contract: the duties of the data and tag arrays of spec s (tag duty.cells == 0 in RAM mode);
// throws Error if the capacity/word/cache parameters are inconsistent.
ArrayDuty data_duty(const ArraySpec& s);
ArrayDuty tag_duty(const ArraySpec& s);
int tag_bits(const ArraySpec& s);

// Contract: combines data and tag evaluations by the cache access mode of s (RAM: data only).
Evaluation combine(const ArraySpec& s, const Evaluation& data, const Evaluation& tag);

// Contract: the whole design for RAM spec s (cache specs need a tag organization: see search.h).
Evaluation evaluate(const ArraySpec& s, const Organization& o);

}  // namespace memlapse::memory
