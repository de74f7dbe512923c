#!/usr/bin/env bash
# Issue 4 measurements on one Fashion-MNIST model (default: the quickstart model):
#  (a) 000 Fig. 8's comparison: error vs overall bit error rate under DRAM Error Models 0-3
#      (and uniform), weights in FP32 and in int8; each model's weak-cell fraction is set so
#      that P * F = BER (F = 0.5), i.e. equal overall BER.
#  (b) error vs SRAM supply voltage (004 Fig. 1 operating points), int8.
# Usage: scripts/experiments/fault_models.sh [MODEL_DIR] [CHIPS] [LIMIT]
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:-runs/quickstart/model}
CHIPS=${2:-10}
LIMIT=${3:-5000}   # test examples per evaluation (the first LIMIT of the 10,000)
OUT=runs/faults
B=${MEMLAPSE_BIN:-build/release/bin/memlapse}
P_LIST=2e-5,2e-4,2e-3,2e-2          # weak-cell fraction; BER = P * 0.5 = 1e-5 .. 1e-2
run() {  # name, extra args...
  local name=$1; shift
  "$B" sweep --model "$MODEL" --chips "$CHIPS" --limit "$LIMIT" --seed 1 --out "$OUT/$name" --resume "$@" > "$OUT-$name.log" 2>&1 \
    || { cat "$OUT-$name.log"; exit 1; }
  echo "done $name"
}
mkdir -p "$OUT"
for fmt in fp32 int8; do
  if [ "$fmt" = fp32 ]; then F=(--format fp32); else F=(--format fixed --format-opt bits=8); fi
  run "$fmt-uniform" "${F[@]}" --fault uniform --ber 1e-5,1e-4,1e-3,1e-2
  run "$fmt-model0" "${F[@]}" --fault dram-model0 --sweep P=$P_LIST
  run "$fmt-model1" "${F[@]}" --fault dram-model1 --sweep P_B=$P_LIST
  run "$fmt-model2" "${F[@]}" --fault dram-model2 --sweep P_W=$P_LIST
  run "$fmt-model3" "${F[@]}" --fault dram-model3 --sweep P=$P_LIST
done
# (c) FP32 with EDEN's correction of implausible values (000 §3.2: out-of-range values read as 0),
#     which keeps single exponent flips from turning the whole network into NaN.
for m in uniform model0 model1; do
  if [ "$m" = uniform ]; then A=(--fault uniform --ber 1e-5,1e-4,1e-3,1e-2); else A=(--fault dram-$m --sweep "$( [ $m = model1 ] && echo P_B || echo P )=$P_LIST"); fi
  run "fp32corr-$m" --format fp32 --format-opt correct=zero "${A[@]}"
done
run int8-sram --format fixed --format-opt bits=8 --fault sram --voltage 0.80,0.84,0.88,0.92,0.96,1.0
python3 scripts/experiments/summarize.py "$OUT"/fp32-*/results.json
python3 scripts/experiments/summarize.py "$OUT"/int8-uniform/results.json "$OUT"/int8-model*/results.json
python3 scripts/experiments/summarize.py "$OUT"/fp32corr-*/results.json
python3 scripts/experiments/summarize.py "$OUT"/int8-sram/results.json
