#!/usr/bin/env python3
"""Turns the raw JSON lines of bench/gemm-report.sh into perf-reports/gemm.md.

    python3 bench/gemm_report.py RAW.jsonl META.json OUT.md

Every figure in the table is the median over the report's runs of each run's own median. Raw lines:
Lanes (`lib` "lanes", `backend` loop|simd), numpy (`lib` "numpy") and the FMA peak (`lib`
"fma-peak"), each tagged with the run (`rep`) it came from.
"""
import json
import statistics
import sys
from collections import defaultdict

# Targets of the GEMM issue: (what, shapes it applies to, check).
TARGET_SHAPES_VS_NUMPY = {(256, 256, 256), (512, 512, 512), (1024, 1024, 1024),
                          (128, 784, 256), (256, 784, 1024), (256, 1024, 1024), (128, 256, 10)}
SCALING_SHAPES = {(512, 512, 512), (1024, 1024, 1024)}
PEAK_SHAPE = (1024, 1024, 1024)


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def fmt(x, digits=1):
    return "–" if x is None else f"{x:.{digits}f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main(raw_path, meta_path, out_path):
    records = load(raw_path)
    with open(meta_path) as f:
        meta = json.load(f)
    runs = defaultdict(list)   # (series, threads, (m, k, n)) -> per-run medians
    peak_runs = defaultdict(list)
    blas = None
    for r in records:
        lib = r.get("lib")
        if lib == "fma-peak":
            peak_runs[r["threads"]].append(r["gflops"])
            continue
        series = r["backend"] if lib == "lanes" else lib
        if lib == "numpy" and blas is None:
            blas = r.get("blas"), r.get("numpy"), r.get("unset_env")
        runs[(series, r["threads"], (r["m"], r["k"], r["n"]))].append(r["gflops"])

    def median(series, threads, shape):
        values = runs.get((series, threads, shape))
        return statistics.median(values) if values else None

    peak = {t: statistics.median(v) for t, v in peak_runs.items()}
    shapes = list(dict.fromkeys(s for (_, _, s) in runs))
    threads = sorted({t for (_, t, _) in runs})

    lines = ["# GEMM: Lanes loop and simd versus numpy/OpenBLAS", ""]
    lines.append(f"Generated {meta['date']} by `{meta['command']}`.")
    lines.append("")
    lines.append("| | |")
    lines.append("| --- | --- |")
    lines.append(f"| CPU | {meta['cpu']} |")
    lines.append(f"| JDK | {meta['jdk']} |")
    lines.append(f"| Lanes | commit {meta['commit']}, measured with `{meta['lanes_command']}` |")
    tiles = sorted({r["gemm_tile"] for r in records
                    if r.get("lib") == "lanes" and r.get("backend") == "simd" and r.get("gemm_tile")})
    if tiles:
        lines.append(f"| Lanes simd GEMM tile | {', '.join(tiles)} (on AVX2 it depends on the JVM's flags; see the README) |")
    if blas:
        info, numpy_version, unset = blas
        kernel = info.get("corename") or info.get("architecture") or "?"
        config = info.get("config") or info.get("version") or ""
        if info.get("source") == "numpy.show_config":
            config = "see numpy.show_config() in the raw file"
        lines.append(f"| numpy | {numpy_version}, OpenBLAS kernel {kernel} ({config.strip()}); "
                     f"unset for its runs: {', '.join(unset) or 'nothing'} |")
    lines.append(f"| runs | {meta['repeats']} alternating runs (FMA peak, then per shape Lanes simd and numpy); "
                 f"loop once. Each figure: median over runs of each run's own figure (numpy, FMA peak and the "
                 f"Lanes CLI: median of {meta['inner_repeats']} timed batches of about {meta['seconds']} s; "
                 f"JMH: its score) |")
    lines.append("")
    lines.append("Measured FP32 FMA peak (Vector API, `dev.lanes.bench.FmaPeak`): "
                 + ", ".join(f"{t} thread{'s' if t > 1 else ''}: {fmt(peak.get(t))} GFLOP/s" for t in sorted(peak))
                 + ".")
    lines.append("")
    lines.append("GFLOP/s (2·M·N·K per call). Shape is M×K·K×N; C = A·B, no transposes.")
    lines.append("")
    lines.append("| shape | threads | loop | simd | numpy | simd/numpy | simd/loop | simd % of FMA peak | simd vs 1 thread |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for shape in shapes:
        m, k, n = shape
        for t in threads:
            loop, simd, numpy = median("loop", t, shape), median("simd", t, shape), median("numpy", t, shape)
            pct = ratio(simd, peak.get(t))
            scale = ratio(simd, median("simd", 1, shape)) if t != 1 else None
            lines.append(f"| {m}×{k}·{k}×{n} | {t} | {fmt(loop, 2)} | {fmt(simd)} | {fmt(numpy)} | "
                         f"{fmt(ratio(simd, numpy), 2)} | {fmt(ratio(simd, loop), 0)} | "
                         f"{'–' if pct is None else f'{100 * pct:.0f}%'} | {fmt(scale, 2)} |")
    lines.append("")
    lines += targets(median, peak, shapes)
    lines += unsteady(records)
    lines.append("")
    lines.append(f"Raw measurements, one JSON object per line: `{meta['raw_file']}`.")
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")


def targets(median, peak, shapes):
    out = ["## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]

    def row(what, value, ok):
        out.append(f"| {what} | {value} | {'–' if ok is None else ('yes' if ok else 'no')} |")

    for shape in shapes:
        m, k, n = shape
        name = f"{m}×{k}·{k}×{n}"
        if shape in TARGET_SHAPES_VS_NUMPY:
            r = ratio(median("simd", 1, shape), median("numpy", 1, shape))
            row(f"simd ≥ 0.9× numpy, 1 thread, {name}", fmt(r, 2) + "×" if r else "–", None if r is None else r >= 0.9)
        if shape in SCALING_SHAPES:
            r = ratio(median("simd", 2, shape), median("simd", 1, shape))
            row(f"simd 2 threads ≥ 1.8× 1 thread, {name}", fmt(r, 2) + "×" if r else "–", None if r is None else r >= 1.8)
        if shape == PEAK_SHAPE:
            r = ratio(median("simd", 1, shape), peak.get(1))
            row(f"simd ≥ 75% of FMA peak, 1 thread, {name}", f"{100 * r:.0f}%" if r else "–", None if r is None else r >= 0.75)
    return out


def unsteady(records, limit=1.5):
    """Measurements whose timed batches disagree by more than `limit`×: an unfinished JIT warm-up or
    other work on the machine; their medians deserve a re-run before anyone quotes them."""
    flagged = []
    for r in records:
        lo, hi = r.get("min_gflops"), r.get("max_gflops")
        if lo and hi and hi / lo > limit:
            what = r.get("backend", r["lib"])
            shape = f" {r['m']}×{r['k']}·{r['k']}×{r['n']}" if "m" in r else ""
            flagged.append(f"- run {r.get('rep', '?')}, {what}{shape}, {r['threads']} thread"
                           f"{'s' if r['threads'] > 1 else ''}: {lo:.3g} to {hi:.3g} GFLOP/s")
    if not flagged:
        return []
    return ["", f"## Unsteady measurements (fastest batch > {limit}× the slowest)", ""] + flagged


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: gemm_report.py RAW.jsonl META.json OUT.md")
    main(*sys.argv[1:])
