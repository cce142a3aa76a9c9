#!/usr/bin/env python3
"""Turns the JSON lines of bench/compare-backends-report.sh into perf-reports/backends.md.

    python3 bench/backends_report.py RAW.jsonl OUT.md DATE CPU JDK COMMIT COMMAND LOAD

RAW holds `lanes bench compare-backends --json` lines, each tagged `superword` true (a normal run) or
false (the JVM ran with -XX:-UseSuperWord). How much slower the loop backend gets without SuperWord says
whether C2 auto-vectorized that loop.
"""
import json
import sys

VECTORIZED, SCALAR = 1.5, 1.15  # loop time without / with SuperWord at or above which, at or below which


def duration(s):
    if s is None:
        return "–"
    for unit, scale in (("ns", 1e-9), ("µs", 1e-6), ("ms", 1e-3)):
        if s < scale * 1000:
            return f"{s / scale:.3g} {unit}"
    return f"{s:.3g} s"


def verdict(slowdown):
    if slowdown is None:
        return "–"
    if slowdown >= VECTORIZED:
        return "yes"
    if slowdown <= SCALAR:
        return "no"
    return "partly"


def main(raw, out, date, cpu, jdk, commit, command, load):
    with open(raw) as f:
        lines = [json.loads(l) for l in f if l.strip().startswith("{")]
    normal = {r["item"]: r for r in lines if r["superword"]}
    without = {r["item"]: r for r in lines if not r["superword"]}
    L = ["# Loop versus vectorized: Lanes' two backends\n",
         f"Generated {date} by `{command}` (commit {commit}); {cpu}; {jdk}; load average at the end {load}.\n",
         "Time per call (median of timed batches after a warm-up that waits for the time to settle) of the same "
         "work on the `loop` backend (plain scalar Java, left to C2) and the `simd` backend (Vector API). "
         "`loop, no SuperWord` is the loop backend in a JVM run with `-XX:-UseSuperWord`, C2's auto-vectorizer "
         f"off: a loop at least {VECTORIZED}× slower without it is one C2 auto-vectorizes (`yes`), one within "
         f"{SCALAR}× is one it leaves scalar (`no`).\n",
         "| work item | loop | simd | simd speed-up | loop, no SuperWord | C2 auto-vectorizes the loop? |",
         "| --- | ---: | ---: | ---: | ---: | --- |"]
    for item, r in normal.items():
        w = without.get(item)
        slowdown = w["loop_s"] / r["loop_s"] if w else None
        L.append(f"| {item} | {duration(r['loop_s'])} | {duration(r['simd_s'])} | {r['speedup']:.2f}× | "
                 f"{duration(w['loop_s']) if w else '–'} | {verdict(slowdown)}"
                 f"{f' ({slowdown:.2f}×)' if slowdown else ''} |")
    groups = {"yes": [], "partly": [], "no": []}
    for item, r in normal.items():
        w = without.get(item)
        if w:
            groups[verdict(w["loop_s"] / r["loop_s"])].append((item, w["loop_s"] / r["loop_s"]))
    if any(groups.values()):
        def span(g):
            return f"{min(x for _, x in g):.2f}–{max(x for _, x in g):.2f}×"
        parts = []
        if groups["yes"]:
            parts.append(f"C2 auto-vectorizes {len(groups['yes'])} of the {len(normal)} loops "
                         f"({', '.join(i for i, _ in groups['yes'])}; {span(groups['yes'])} slower without SuperWord)")
        if groups["partly"]:
            parts.append(f"{len(groups['partly'])} {'is' if len(groups['partly']) == 1 else 'are'} in between ({', '.join(i for i, _ in groups['partly'])}; "
                         f"{span(groups['partly'])}), too close to call on a shared machine")
        if groups["no"]:
            parts.append(f"C2 leaves {len(groups['no'])} of the {len(normal)} loops scalar "
                         f"({span(groups['no'])} without SuperWord)")
        L.append("\nOn this JDK, " + "; ".join(parts) + ". Where the verdict is `no`, the simd speed-up is over scalar code.")
    if normal:
        import math
        geo = math.exp(sum(math.log(r["speedup"]) for r in normal.values()) / len(normal))
        L.append(f"\nGeometric mean simd speed-up over {len(normal)} items: {geo:.2f}×. Threads: "
                 f"{next(iter(normal.values()))['threads']} for GEMM and the training epoch; the other kernels run "
                 "on the calling thread.")
    with open(out, "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 9:
        sys.exit(__doc__)
    main(*sys.argv[1:])
