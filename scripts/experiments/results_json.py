"""Reads a memlapse results.json (docs/experiments.md "Outputs") into the flat shape the table
scripts use: clean_error, format, swept_parameter (the last component of the single axis key) and
per point error_mean, error_std, mismatch_mean, chips, ber (the expected bit error rate of the one
faulty partition, None when there are several) and each axis value under its last key component."""
import json


def load(path):
    with open(path) as f:
        r = json.load(f)
    points = r.get("points", [])
    axes = sorted({k for p in points for k in p.get("values", {})})
    out = {"points": [], "clean_error": None, "format": "?",
           "swept_parameter": axes[0].split(".")[-1] if len(axes) == 1 else None}
    for p in points:
        info = p.get("info", {})
        q = dict(p)
        faulty = [x for x in info.get("partitions", []) if x.get("fault_model") != "none"]
        q["ber"] = faulty[0].get("ber") if len(faulty) == 1 else None
        for k, v in p.get("values", {}).items():
            q[k.split(".")[-1]] = v
        out["points"].append(q)
    if points:
        out["clean_error"] = points[0].get("info", {}).get("clean_error")
        out["format"] = points[0].get("info", {}).get("format", "?")
    return out
