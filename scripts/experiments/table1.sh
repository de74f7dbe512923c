#!/usr/bin/env bash
# 004 Table 1 on Fashion-MNIST (issue 3): a float-trained model quantized after training to
# 8 bits with each of the table's five schemes; robust error at p = 0.05% and 0.5%.
# Usage: scripts/experiments/table1.sh [MODEL_DIR] [CHIPS]   (default: the quickstart model, 25)
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:-runs/quickstart/model}
CHIPS=${2:-25}
OUT=runs/table1
B=${MEMLAPSE_BIN:-build/release/bin/memlapse}
declare -A FMT=(
  [1-global]="--format fixed --format-opt range=global --format-opt round=false"
  [2-per-layer]="--format normal"
  [3-asymmetric]="--format fixed --format-opt symmetric=false --format-opt round=false"
  [4-unsigned]="--format fixed --format-opt symmetric=false --format-opt signed=false --format-opt round=false"
  [5-rquant]="--format rquant"
)
for row in 1-global 2-per-layer 3-asymmetric 4-unsigned 5-rquant; do
  # shellcheck disable=SC2086
  $B sweep --model "$MODEL" ${FMT[$row]} --format-opt bits=8 --ber 0.0005,0.005 --chips "$CHIPS" --seed 1 \
    --out "$OUT/$row" --resume > "$OUT-$row.log" 2>&1 || { cat "$OUT-$row.log"; exit 1; }
  echo "done $row"
done
python3 scripts/experiments/summarize.py "$OUT"/*/results.json
