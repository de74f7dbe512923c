#!/usr/bin/env python3
"""Issue 5's tables from runs/issue5 (scripts/experiments/issue5.sh): 004 Tables 3/4 shape (clean
error and robust error RErr per p), PATTBET (004 §5.3), BatchNorm vs GroupNorm (004 App. G.1) and
000's highest tolerable bit error rate per retraining scheme. Missing runs are listed as such."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_json  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/issue5"


def load(run, sweep="sweep"):
    path = os.path.join(OUT, run, sweep, "results.json")
    if not os.path.exists(path):
        return None
    r = results_json.load(path)
    return r if r.get("points") and all(p.get("error_mean") is not None for p in r["points"]) else None


def cell(r, ber):
    for p in (r or {}).get("points", []):
        if p.get("ber") is not None and abs(p["ber"] - ber) < 1e-12:
            return f"{100 * p['error_mean']:.2f} ± {100 * p['error_std']:.2f}"
    return "—"


def robust_table(title, runs):
    print(f"### {title}\n")
    if "4 bits" in title:
        print("First 5000 test examples.\n")
    print("| model | clean Err % | RErr p=0.5% | RErr p=1% | RErr p=1.5% | chips |")
    print("|---|---|---|---|---|---|")
    for label, run in runs:
        r = load(run)
        if r is None:
            print(f"| {label} | not measured | | | | |")
            continue
        print(f"| {label} | {100 * r['clean_error']:.2f} | {cell(r, 0.005)} | {cell(r, 0.01)} | {cell(r, 0.015)} | {r['points'][0]['chips']} |")
    print()


robust_table("8 bits (004 Table 3 shape)", [("NORMAL", "normal"), ("RQUANT", "rquant"), ("CLIPPING_0.1", "clip0.1"),
                                            ("CLIPPING_0.05", "clip0.05"), ("RANDBET_0.1, p=1%", "randbet0.1")])
robust_table("4 bits (004 Table 4 shape)", [("CLIPPING_0.1", "clip0.1-4b"), ("RANDBET_0.1, p=1%", "randbet0.1-4b")])

print("### PATTBET trained at p=2.5% (004 §5.3)\n")
print("| model | evaluated on | p=1% | p=2.5% | chips |")
print("|---|---|---|---|---|")
for label, run, sweep in [("PATTBET", "pattbet0.025", "own"), ("PATTBET", "pattbet0.025", "random"),
                          ("RANDBET_0.1, p=1%", "randbet0.1", "at2.5")]:
    r = load(run, sweep)
    what = {"own": "its own pattern", "random": "random patterns"}.get(sweep, "random patterns")
    chips = r["points"][0]["chips"] if r else ""
    print(f"| {label} | {what} | {cell(r, 0.01)} | {cell(r, 0.025)} | {chips} |")
print("\n(first 5000 test examples)")
print()

print("### BatchNorm vs GroupNorm, 8 bits, CLIPPING_0.1, p=0.5% (004 App. G.1 / Table 8 shape)\n")
print("First 5000 test examples.\n")
print("| norm | evaluation statistics | clean Err % | RErr p=0.5% |")
print("|---|---|---|---|")
for label, run, sweep, stats in [("GroupNorm", "clip0.1", "gn-limit", "—"), ("BatchNorm", "clip0.1-bn", "sweep", "running"),
                                 ("BatchNorm", "clip0.1-bn", "sweep-batchstats", "batch")]:
    r = load(run, sweep)
    print(f"| {label} | {stats} | {'' if r is None else '%.2f' % (100 * r['clean_error'])} | {cell(r, 0.005)} |")
print()

print("### 000 retraining: highest BER with mean error within 1 point of the baseline's clean error\n")
print("Int8 RQUANT, zeroing correction, 2000 test examples, BER = P·F (F = 0.5).\n")
for model, key, base_sweep in [("Error Model 0 (uniform weak cells)", "m0", "eden-m0"),
                               ("Error Model 1 (bitline-aligned weak cells)", "m1", "eden-m1")]:
    base = load("rquant", base_sweep)
    if base is None:
        print(f"{model}: not measured\n")
        continue
    limit = base["clean_error"] + 0.01
    target = {"m0": "P=0.04, BER 2%", "m1": "P_B=0.02, BER 1%"}[key]
    rows = [("baseline (no retraining)", base), (f"non-curricular retraining ({target})", load(f"eden-{key}-flat")),
            (f"curricular retraining ({target})", load(f"eden-{key}-curr"))]
    if key == "m0":
        rows += [("non-curricular retraining (P=0.01, BER 0.5%)", load("eden-m0-flat-lo")),
                 ("curricular retraining (P=0.01, BER 0.5%)", load("eden-m0-curr-lo"))]
    bers = [p["ber"] for p in base["points"]]
    print(f"**{model}** — baseline clean error {100 * base['clean_error']:.2f}%, threshold {100 * limit:.2f}%\n")
    print("| scheme | clean Err % | highest tolerable BER | same, vs its own clean Err | " + " | ".join(f"BER {b:g}" for b in bers) + " |")
    print("|---|---|---|---|" + "---|" * len(bers))
    for label, r in rows:
        if r is None:
            print(f"| {label} | not measured | | |" + " |" * len(bers))
            continue
        def highest(lim):
            # The highest BER of the leading run of tolerable points (errors grow with the BER).
            best = None
            for p in r["points"]:
                if p["error_mean"] > lim:
                    break
                best = p["ber"]
            return "none" if best is None else f"{best:g}"
        print(f"| {label} | {100 * r['clean_error']:.2f} | {highest(limit)} | {highest(r['clean_error'] + 0.01)} | " +
              " | ".join(f"{100 * p['error_mean']:.2f}" for p in r["points"]) + " |")
    print()
