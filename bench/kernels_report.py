#!/usr/bin/env python3
"""Turns JMH JSON from FusedKernelsBench into perf-reports/kernels.md.

Usage: kernels_report.py RESULT.json [RESULT.json ...] --out perf-reports/kernels.md --command "..."

Each JMH result has params kernel, backend and size (element-wise) or shape (row-wise); the primary
score is calls/s and the secondary 'gbs' score is GB/s of compulsory traffic. Ratios compare loop
and simd measured in the same run; bandwidth is compared with the simd 'copy' row of the same size
from the same file (a partial re-run should include copy), or, if that file has none, from the
last file that has one. Later files override earlier ones row by row (group, kernel, size, backend),
so a partial re-run can be merged into a full run.
"""
import json
import platform
import subprocess
import sys
from collections import defaultdict

MEMORY_BOUND = {"copy", "fill", "scale", "axpy", "multiply", "clamp", "relu", "leakyRelu", "reluBackward",
                "mse", "mae", "huber", "sumOfSquares", "sumOfAbs", "sgd", "momentum", "nesterov", "adagrad",
                "rmsprop", "adam", "adamw", "dropout"}
TRANSCENDENTAL = {"sigmoid", "tanh", "softmax", "sigmoidBackward", "tanhBackward", "bce"}


def load(paths):
    rows = []
    for source, p in enumerate(paths):
        with open(p) as f:
            for r in json.load(f):
                params = r.get("params", {})
                score = r["primaryMetric"]["score"]
                gbs = r.get("secondaryMetrics", {}).get("gbs", {}).get("score")
                alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
                where = params.get("size") or params.get("shape")
                rows.append((r["benchmark"].split(".")[-2], params["kernel"], where, params["backend"], score, gbs,
                             alloc, source))
    return rows


def run(*sources):
    """The 1-based file number(s) a row's loop and simd scores come from."""
    return ",".join(str(s + 1) for s in sorted({s for s in sources if s is not None}))


def fmt(x, digits=1):
    return "–" if x is None else f"{x:,.{digits}f}"


def main():
    args = sys.argv[1:]
    out = args[args.index("--out") + 1]
    command = args[args.index("--command") + 1] if "--command" in args else "bench/kernels-report.sh"
    paths = [a for i, a in enumerate(args) if not a.startswith("--") and args[i - 1] not in ("--out", "--command")]
    rows = load(paths)
    by = defaultdict(dict)
    copy_in = {}  # (source file, size) -> simd copy GB/s measured in that file
    for group, kernel, where, backend, score, gbs, alloc, source in rows:
        by[(group, kernel, where)][backend] = (score, gbs, alloc, source)
        if kernel == "copy" and backend == "simd":
            copy_in[(source, where)] = gbs

    def copy_gbs(where, source):
        if (source, where) in copy_in:
            return copy_in[(source, where)]
        earlier = [s for (s, w) in copy_in if w == where and s < source]
        return copy_in[(max(earlier), where)] if earlier else None
    cpu = subprocess.run(["bash", "-c", "lscpu | grep 'Model name' | cut -d: -f2"], capture_output=True,
                         text=True).stdout.strip()
    lines = ["# Fused kernels: loop versus simd", "",
             f"Machine: {cpu}, {platform.system()} {platform.machine()}. One thread. Command: `{command}`.",
             "Scores are JMH throughput (calls/s) in one run; `GB/s` is compulsory traffic (each operand read or",
             "written once per call); `% copy` compares with the simd `copy` kernel of the same size measured in",
             "the same run. `B/op` is JMH `-prof gc` allocation per call (simd).", "",
             "Rows come from the JMH JSON files " + ", ".join(f"({i + 1}) `{p}`" for i, p in enumerate(paths))
             + " (column `run`); a later file's row replaces an earlier one, and `% copy` uses the `copy` row of"
             " the row's own file (or of the last earlier file that has one, when a re-run measured no copy).", "",
             "| group | kernel | size | loop calls/s | simd calls/s | simd/loop | simd GB/s | % copy | simd B/op | target"
             " | run |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    verdicts = []
    for (group, kernel, where) in sorted(by, key=lambda k: (k[0], k[1], int(str(k[2]).split("x")[0]))):
        v = by[(group, kernel, where)]
        loop = v.get("loop", (None, None, None, None))
        simd = v.get("simd", (None, None, None, None))
        ratio = simd[0] / loop[0] if simd[0] and loop[0] else None
        copy = copy_gbs(where, simd[3]) if simd[1] and kernel != "copy" else None
        pct = 100 * simd[1] / copy if copy else None
        target = ""
        if ratio is not None and str(where) == "65536" and kernel in MEMORY_BOUND and kernel != "copy":
            ok = ratio >= 4
            target = f"≥4× loop: {'met' if ok else 'NOT met'}"
            verdicts.append(ok)
        if ratio is not None and kernel in ("sigmoid", "tanh") and str(where) == "65536":
            ok = ratio >= 8
            target = f"≥8× loop: {'met' if ok else 'NOT met'}"
            verdicts.append(ok)
        if ratio is not None and kernel == "softmax" and str(where) == "256x1024":
            ok = ratio >= 8
            target = f"≥8× loop: {'met' if ok else 'NOT met'}"
            verdicts.append(ok)
        if pct is not None and str(where) == "1048576" and kernel in MEMORY_BOUND:
            ok = pct >= 70
            target = (target + "; " if target else "") + f"≥70% copy: {'met' if ok else 'NOT met'}"
            verdicts.append(ok)
        lines.append(f"| {group} | {kernel} | {where} | {fmt(loop[0], 0)} | {fmt(simd[0], 0)} | "
                     f"{fmt(ratio, 2)} | {fmt(simd[1], 2)} | {fmt(pct, 0)} | {fmt(simd[2], 1)} | {target} | "
                     f"{run(loop[3], simd[3])} |")
    lines += ["", f"Targets met: {sum(verdicts)} of {len(verdicts)}.", ""]
    with open(out, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
