#!/usr/bin/env bash
# Issue 5's measurements (004 Tables 2-4, 8 shapes; 004 §5.3 PATTBET; 004 App. G.1 BN vs GN;
# 000 §3.2 curricular retraining). QAT on Fashion-MNIST, simplenet width W (GroupNorm with 004
# App. E reparam unless noted), robust error over CHIPS chips on the full test set.
# Resumable: every step skips finished work (train --resume, sweep --resume); rerun to continue.
# Usage: scripts/experiments/issue5.sh [PHASE...]   (phases: table3 pattbet eden table4 bn; default all)
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${W:-0.25}
EPOCHS=${EPOCHS:-12}
CHIPS=${CHIPS:-25}
OUT=${OUT:-runs/issue5}
B=${MEMLAPSE_BIN:-build/release/bin/memlapse}
mkdir -p "$OUT"
RATES=0.005,0.01,0.015
# Test examples for the later phases' sweeps (0 = all 10,000); table3 always uses the full set.
LIMIT=${LIMIT:-5000}

# train NAME ARGS...: trains (or resumes) $OUT/NAME/model.
train() {
  local name=$1; shift
  "$B" train --model simplenet --arch-opt width="$W" --epochs "$EPOCHS" --seed 1 "$@" \
    --out "$OUT/$name/model" --resume > "$OUT/$name-train.log" 2>&1 || { tail -5 "$OUT/$name-train.log"; exit 1; }
}
# sweep NAME SWEEPNAME ARGS...: evaluates $OUT/NAME/model into $OUT/NAME/SWEEPNAME.
sweep() {
  local name=$1 sname=$2; shift 2
  "$B" sweep --model "$OUT/$name/model" --seed 1 "$@" \
    --out "$OUT/$name/$sname" --resume > "$OUT/$name-$sname.log" 2>&1 || { tail -5 "$OUT/$name-$sname.log"; exit 1; }
  echo "done $name/$sname"
}

table3() {  # 8 bits: NORMAL, RQUANT, CLIPPING_0.1, CLIPPING_0.05, RANDBET_0.1 (p = 1%)
  train normal --quant normal --bits 8;                                  sweep normal sweep --ber $RATES --chips "$CHIPS"
  train rquant --quant rquant --bits 8;                                  sweep rquant sweep --ber $RATES --chips "$CHIPS"
  train clip0.1 --quant rquant --bits 8 --clip 0.1;                      sweep clip0.1 sweep --ber $RATES --chips "$CHIPS"
  train randbet0.1 --quant rquant --bits 8 --clip 0.1 --randbet 0.01;    sweep randbet0.1 sweep --ber $RATES --chips "$CHIPS"
  train clip0.05 --quant rquant --bits 8 --clip 0.05;                    sweep clip0.05 sweep --ber $RATES --chips "$CHIPS"
}
table4() {  # 4 bits: CLIPPING_0.1 vs RANDBET_0.1 (p = 1%)
  train clip0.1-4b --quant rquant --bits 4 --clip 0.1;                   sweep clip0.1-4b sweep --ber $RATES --chips "$CHIPS" --limit "$LIMIT"
  train randbet0.1-4b --quant rquant --bits 4 --clip 0.1 --randbet 0.01; sweep randbet0.1-4b sweep --ber $RATES --chips "$CHIPS" --limit "$LIMIT"
}
bn() {  # 004 App. G.1: BatchNorm vs GroupNorm (clip0.1), 8 bits, p = 0.5%
  train clip0.1-bn --quant rquant --bits 8 --clip 0.1 --arch-opt norm=bn
  sweep clip0.1-bn sweep --ber 0.005 --chips "$CHIPS" --limit "$LIMIT"
  sweep clip0.1 gn-limit --ber 0.005 --chips "$CHIPS" --limit "$LIMIT"
  sweep clip0.1-bn sweep-batchstats --ber 0.005 --chips "$CHIPS" --bn-batch-stats on --limit "$LIMIT"
}
pattbet() {  # 004 §5.3: one fixed pattern at 2.5%; own pattern vs random patterns
  train pattbet0.025 --quant rquant --bits 8 --clip 0.1 --pattbet 0.025
  sweep pattbet0.025 own --ber 0.01,0.025 --own-pattern --limit "$LIMIT"
  sweep pattbet0.025 random --ber 0.01,0.025 --chips "$CHIPS" --limit "$LIMIT"
  sweep randbet0.1 at2.5 --ber 0.01,0.025 --chips "$CHIPS" --limit "$LIMIT"
}
eden() {  # 000 §3.2: baseline vs non-curricular vs curricular retraining (6 epochs from rquant), int8
  # Curricular: the rate rises every epoch in 4 steps (0, 1/4, 1/2, 3/4, 1, 1 of the target);
  # 000 raises it every 2 epochs -- one epoch here to fit the CPU budget.
  local EPOCHS=6  # train() reads it (bash's dynamic scope)
  local R="--lr 0.01 --init $OUT/rquant/model --quant rquant --bits 8 --correct zero --curricular-every 1"
  local M0=0.002,0.005,0.01,0.02,0.03,0.04,0.06 M1=0.002,0.005,0.01,0.02,0.03,0.05  # BER = P/2, P_B/2
  sweep rquant eden-m0 --correct zero --fault dram-model0 --sweep P=$M0 --chips "$CHIPS" --limit 2000
  sweep rquant eden-m1 --correct zero --fault dram-model1 --sweep P_B=$M1 --chips "$CHIPS" --limit 2000
  # shellcheck disable=SC2086
  { train eden-m0-flat $R --curricular dram-model0:0.04 --curricular-steps 0
    train eden-m0-curr $R --curricular dram-model0:0.04
    train eden-m1-flat $R --curricular dram-model1:0.02 --curricular-steps 0
    train eden-m1-curr $R --curricular dram-model1:0.02
    # A lower target (BER 0.5%): less clean error lost to robustness.
    train eden-m0-flat-lo $R --curricular dram-model0:0.01 --curricular-steps 0
    train eden-m0-curr-lo $R --curricular dram-model0:0.01; }
  for m in flat curr flat-lo curr-lo; do
    sweep eden-m0-$m sweep --fault dram-model0 --sweep P=$M0 --chips "$CHIPS" --limit 2000
    [[ $m == *-lo ]] && continue
    sweep eden-m1-$m sweep --fault dram-model1 --sweep P_B=$M1 --chips "$CHIPS" --limit 2000
  done
}

for phase in "${@:-table3 pattbet eden bn table4}"; do
  for p in $phase; do "$p"; done
done
