#!/usr/bin/env bash
# Issue 12 measurements on one Fashion-MNIST model (default: the quickstart model), resumable:
#  (a) coarse tolerable uniform BER at <1 point loss, 95%: int8 (fixed 8), int8 with 000's
#      correction, FP32 with correction; the equivalent dVDD/dtRCD of 000 Table 3;
#  (b)+(c) per-layer tolerance (each layer alone faulty) and Algorithm 1 onto four DRAM
#      partitions (configs/memory/000_four_dram.toml), verified on the placed network;
#  (d) one boost -> characterize round, curricular and plain retraining side by side.
# Usage: scripts/experiments/characterize.sh [MODEL_DIR] [RESOLUTION]
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:-runs/quickstart/model}
RES=${2:-2}
OUT=runs/characterize
B=${MEMLAPSE_BIN:-build/release/bin/memlapse}
run() {  # name, extra args...
  local name=$1; shift
  mkdir -p "$OUT/$name"
  local resume=(); [ -e "$OUT/$name/results.db" ] && resume=(--resume)
  /usr/bin/time -f "%e s" "$B" characterize --model "$MODEL" --resolution "$RES" --out "$OUT/$name" "${resume[@]}" "$@" \
    > "$OUT/$name.log" 2> "$OUT/$name.err" || { tail "$OUT/$name.err"; exit 1; }
  echo "done $name: $(tail -1 "$OUT/$name.err")"
}
run int8 --bits 8
run int8-zero --bits 8 --correct zero
run fp32-zero --format fp32 --format-opt correct=zero
run int8-map --bits 8 --mode map --fine isolated --memory configs/memory/000_four_dram.toml
run int8-boost-curricular --bits 8 --boost-rounds 1 --boost-epochs 2
run int8-boost-plain --bits 8 --boost-rounds 1 --boost-epochs 2 --set characterize.boost_curricular=false
grep -h -A30 "coarse characterization\|fine-grained\|mapping onto\|boost ->" "$OUT"/*.log
