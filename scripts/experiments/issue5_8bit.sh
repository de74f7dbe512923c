#!/usr/bin/env bash
# Issue 5, first block (004 Table 3 shape, 8 bits): NORMAL, RQUANT, CLIPPING_0.1, RANDBET_0.1 (p=1%)
# trained with QAT on Fashion-MNIST (simplenet width W, GroupNorm with 004 App. E reparam), then
# robust error at p = 0.5, 1, 1.5 % over CHIPS chips on the full test set. Resumable: rerun to continue.
# Usage: scripts/experiments/issue5_8bit.sh [WIDTH] [EPOCHS] [CHIPS]
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:-0.25}
EPOCHS=${2:-12}
CHIPS=${3:-25}
OUT=runs/issue5
B=${MEMLAPSE_BIN:-build/release/bin/memlapse}
mkdir -p "$OUT"
declare -A TRAIN=(
  [normal]="--quant normal --bits 8"
  [rquant]="--quant rquant --bits 8"
  [clip0.1]="--quant rquant --bits 8 --clip 0.1"
  [randbet0.1]="--quant rquant --bits 8 --clip 0.1 --randbet 0.01"
)
for name in normal rquant clip0.1 randbet0.1; do
  # shellcheck disable=SC2086
  "$B" train --model simplenet --arch-opt width="$W" --epochs "$EPOCHS" --seed 1 ${TRAIN[$name]} \
    --out "$OUT/$name/model" --resume > "$OUT/$name-train.log" 2>&1 || { tail -5 "$OUT/$name-train.log"; exit 1; }
  "$B" sweep --model "$OUT/$name/model" --ber 0.005,0.01,0.015 --chips "$CHIPS" --seed 1 \
    --out "$OUT/$name/sweep" --resume > "$OUT/$name-sweep.log" 2>&1 || { tail -5 "$OUT/$name-sweep.log"; exit 1; }
  echo "done $name"
done
python3 scripts/experiments/summarize.py "$OUT"/*/sweep/results.json
