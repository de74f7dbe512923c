#!/usr/bin/env python3
"""Prints a Markdown table (error mean ± std per swept value) from memlapse results.json files."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_json import load  # noqa: E402

rows = []
keys = []
by_ber = all(all(p.get("ber") is not None for p in load(x)["points"]) for x in sys.argv[1:])
by_ber = by_ber and len({load(x)["swept_parameter"] or "ber" for x in sys.argv[1:]}) > 1
for path in sys.argv[1:]:
    r = load(path)
    key = r["swept_parameter"] or "ber"
    cells = {}
    for p in r["points"]:
        # Columns are the bit error rate when every file reports one, else the swept value.
        v = p["ber"] if by_ber else p.get(key, p["ber"])
        if p.get("error_mean") is not None:
            cells[v] = f"{100 * p['error_mean']:.2f} ± {100 * p['error_std']:.2f}"
        else:
            cells[v] = f"mismatch {100 * p['mismatch_mean']:.2f}"
        if v not in keys:
            keys.append(v)
    clean = r.get("clean_error")
    name = path.split("/")[-2]
    rows.append((name, r.get("format", "?"), clean, r["points"][0]["chips"] if r["points"] else 0, cells, key))
key = "ber" if by_ber else (rows[0][5] if rows else "ber")
print(f"| run | format | clean err % | chips | " + " | ".join(f"{key}={k:g}" for k in keys) + " |")
print("|" + "---|" * (4 + len(keys)))
for name, fmt, clean, chips, cells, _ in rows:
    c = "" if clean is None else f"{100 * clean:.2f}"
    print(f"| {name} | {fmt} | {c} | {chips} | " + " | ".join(cells.get(k, "") for k in keys) + " |")
