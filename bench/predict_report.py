#!/usr/bin/env python3
"""Writes perf-reports/predict.md from the JSON lines bench/predict-report.sh collected."""
import json
import platform
import statistics
import sys

raw, out, command, load, commit, cpu = sys.argv[1:7]
runs = [json.loads(line) for line in open(raw) if line.strip()]
libs = [lib for lib in ("simd", "numpy", "torch") if any(r["backend"] == lib for r in runs)]
name = {"simd": "Lanes simd", "numpy": "numpy", "torch": "PyTorch"}
threads = sorted({r["threads"] for r in runs})
rows = sorted({r["rows"] for r in runs})


def median(lib, t, n, key):
    values = [r[key] for r in runs if r["backend"] == lib and r["threads"] == t and r["rows"] == n]
    return statistics.median(values) if values else None


def fmt(v, unit=""):
    return "–" if v is None else f"{v:,.2f}{unit}" if v < 100 else f"{v:,.0f}{unit}"


network = runs[0]["layers"]
versions = next((r["versions"] for r in runs if r.get("versions")), {})
lines = [
    "# Prediction latency",
    "",
    f"One call of a {network} MLP's forward pass (ReLU, softmax output, float32), timed call by call after the"
    " JIT or the library has warmed up: what an application serving requests waits for. Each figure is the"
    " median over the runs of each run's median call; p99 is the median of the runs' 99th percentiles.",
    "",
    f"Command: `{command}` (the libraries alternate within each run), at commit {commit}, on {cpu}."
    f" Load at the end: `{load.strip()}`.",
    f"Versions: Python {versions.get('python', '?')}, numpy {versions.get('numpy', '?')}, torch"
    f" {next((r['versions'].get('torch') for r in runs if r.get('versions', {}).get('torch')), '?')}.",
    "",
    "| threads | rows | " + " | ".join(f"{name[l]} µs (p99)" for l in libs)
    + "".join(f" | Lanes vs {name[l]}" for l in libs if l != "simd") + " | Lanes heap B/call |",
    "| ---: | ---: | " + " | ".join("---:" for _ in libs) + "".join(" | ---:" for l in libs if l != "simd") + " | ---: |",
]
for t in threads:
    for n in rows:
        cells = [f"{fmt(median(l, t, n, 'median_us'))} ({fmt(median(l, t, n, 'p99_us'))})" for l in libs]
        lanes = median("simd", t, n, "median_us")
        ratios = []
        for l in libs:
            if l == "simd":
                continue
            other = median(l, t, n, "median_us")
            ratios.append("–" if lanes is None or other is None else f"{other / lanes:.2f}×")
        heap = median("simd", t, n, "heap_bytes_per_call")
        lines.append(f"| {t} | {n} | " + " | ".join(cells) + "".join(f" | {r}" for r in ratios)
                     + f" | {'–' if heap is None else int(heap)} |")
lines += [
    "",
    "\"Lanes vs X\" is X's median time over Lanes': above 1, Lanes answers sooner. Lanes figures come from"
    " `bin/lanes bench predict --rows R --threads T --json`, the others from"
    " `bench/.venv/bin/python bench/predict_reference.py --lib numpy|torch --rows R --threads T --json`"
    " (see its docstring for how each library is called); every raw line is in `perf-reports/predict-raw.jsonl`.",
    "",
]
open(out, "w").write("\n".join(lines))
