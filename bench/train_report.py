#!/usr/bin/env python3
"""Turns the raw JSON lines of bench/train-report.sh into perf-reports/training.md and training.svg.

    python3 bench/train_report.py RAW.jsonl META.json PROFILE.txt OUT.md OUT.svg

Raw lines: Lanes (`lib` "lanes", `backend` simd|loop, `layers` "784-256-128-10") and the reference
trainers (`lib` torch|numpy, `network` "784-256-128-10"), each tagged with its run (`rep`), and the FP32
FMA peak of each run (`lib` "fma-peak", `threads`, `gflops`). Every figure is the median over the runs of
samples/s (for a run of several timed epochs, its median epoch) or of GFLOP/s. PROFILE
is the text of one `lanes bench train --profile` run. Standard library only: the SVG is written by hand.
"""
import json
import re
import statistics
import sys
from collections import defaultdict
from html import escape

SERIES = ("simd", "loop", "numpy", "numpy-env", "torch")
LABEL = {"simd": "Lanes simd", "loop": "Lanes loop", "numpy": "numpy", "numpy-env": "numpy (machine env)",
         "torch": "PyTorch"}
COLOR = {"simd": "#1f77b4", "loop": "#9ecae1", "numpy": "#ff7f0e", "numpy-env": "#fdd0a2", "torch": "#d62728"}
W1, W2 = "784-256-128-10", "784-1024-1024-10"


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def series_of(r):
    return r["backend"] if r["lib"] == "lanes" else r["lib"]


def network_of(r):
    return r["layers"] if isinstance(r.get("layers"), str) else r["network"]


def rate_of(r):
    return r.get("median_epoch_samples_per_s") or r["samples_per_s"]


def fmt_rate(x):
    if x is None:
        return "–"
    return f"{x / 1000:.1f}k" if x >= 1000 else f"{x:.0f}"


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}×"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def medians(records):
    runs = defaultdict(list)
    for r in records:
        runs[(series_of(r), network_of(r), r["batch"], r["threads"])].append(rate_of(r))
    return {k: statistics.median(v) for k, v in runs.items()}, runs


def gemm_flop_per_sample(network):
    """FLOP of one sample's GEMMs in a training step: the forward products, the weight gradients, and the
    input gradients of every layer but the first (nothing consumes the gradient of the input data)."""
    sizes = [int(x) for x in network.split("-")]
    products = [a * b for a, b in zip(sizes, sizes[1:])]
    return 2 * (2 * sum(products) + sum(products[1:]))


def fmt_pct(x):
    return "–" if x is None else f"{100 * x:.0f}%"


def parse_profile(text):
    """Rows of (group, seconds, percent, calls, bytes per call or None) and the header's training and kernel seconds."""
    rows = []
    header = re.search(r"where the time went \(([\d.]+) s of training, ([\d.]+) s in kernels\)", text)
    for m in re.finditer(r"^\s+([a-z_]+)\s+([\d.]+) s\s+([\d.]+)%\s+([\d,]+) calls(?:\s+([\d,]+) B/call)?", text, re.M):
        rows.append((m.group(1), float(m.group(2)), float(m.group(3)), int(m.group(4).replace(",", "")),
                     None if m.group(5) is None else int(m.group(5).replace(",", ""))))
    first = text.strip().splitlines()[0] if text.strip() else ""
    return rows, (float(header.group(1)), float(header.group(2))) if header else None, first


def parse_gemm_shapes(text):
    """Rows of (kind, shape, ms per call, GFLOP/s, calls) from the profile's GEMM-by-shape lines."""
    rows = []
    for m in re.finditer(r"^\s+([NT]{2}) (\S+)\s+([\d.]+) ms/call\s+([\d.]+) GFLOP/s\s+([\d,]+) calls(?:\s+([\d,]+) B/call)?",
                         text, re.M):
        rows.append((m.group(1), m.group(2), float(m.group(3)), float(m.group(4)), int(m.group(5).replace(",", "")),
                     None if m.group(6) is None else int(m.group(6).replace(",", ""))))
    return rows


def targets(med, thread_counts):
    """The issue's targets as (description, measured, met, rate needed, (network, batch, threads)), met
    and the rate None when not measured."""
    def get(s, net, batch, t):
        return med.get((s, net, batch, t))

    out = []

    def check(desc, config, peer, bar):
        """Lanes simd at config = (network, batch, threads) against bar × peer at the same config
        (peer ("simd", net, batch, t0) for the scaling target); keeps the rate the target needs."""
        net, batch, t = config
        base = get(*peer) if isinstance(peer, tuple) else get(peer, net, batch, t)
        value = ratio(get("simd", net, batch, t), base)
        out.append((desc, "–" if value is None else f"{value:.2f}× (needs ≥ {bar}×)",
                    None if value is None else value >= bar, None if base is None else bar * base, config))

    check("W1 batch 128, 1 thread: Lanes simd vs numpy", (W1, 128, 1), "numpy", 1.7)
    check("W1 batch 128, 1 thread: Lanes simd vs PyTorch", (W1, 128, 1), "torch", 3)
    check("W1 batch 128, 2 threads: Lanes simd vs numpy (2 threads)", (W1, 128, 2), "numpy", 2)
    if get("numpy-env", W1, 128, 1) is not None:
        check("W1 batch 128, 1 thread: Lanes simd vs numpy (machine env)", (W1, 128, 1), "numpy-env", 1.7)
        check("W1 batch 128, 2 threads: Lanes simd vs numpy (machine env, 2 threads)", (W1, 128, 2), "numpy-env", 2)
    check("W1 batch 128: Lanes simd 2 threads vs 1 thread", (W1, 128, 2), ("simd", W1, 128, 1), 1.6)
    for t in thread_counts:
        for peer in ("torch", "numpy", "numpy-env"):
            if peer == "numpy-env" and get(peer, W2, 256, t) is None:
                continue
            check(f"W2 batch 256, {t} thread{'s' if t > 1 else ''}: Lanes simd vs {LABEL[peer]}", (W2, 256, t), peer, 1.8)
    for batch in (32, 512):
        for t in thread_counts:
            for peer in ("torch", "numpy"):
                check(f"W1 batch {batch}, {t} thread{'s' if t > 1 else ''}: Lanes simd ahead of {LABEL[peer]}",
                      (W1, batch, t), peer, 1)
    return out


def ceiling_section(med, keys, peak, targets_out, profile_text):
    """How close each figure comes to what the FMA peak allows, and what the unmet targets would need."""
    L = ["## How close to the hardware\n"]
    peak = {t: g for t, g in peak.items() if g > 0}
    if not peak:
        L.append("No FMA peak measured in this run.\n")
        return L
    nets = sorted({n for (n, _, _) in keys}, key=lambda n: (n != W1, n))
    L.append("A training step's multiply-adds bound every figure here: the forward products, the weight gradients and "
             "the input gradients of every layer but the first (nothing uses the gradient of the input data), "
             + ", ".join(f"{gemm_flop_per_sample(n) / 1e6:.2f} MFLOP per sample for {n}" for n in nets)
             + ". At the FP32 FMA peak measured in the same runs (`dev.lanes.bench.FmaPeak`, median: "
             + ", ".join(f"{t} thread{'s' if t > 1 else ''} {peak[t]:.1f} GFLOP/s" for t in sorted(peak))
             + "), that work alone caps training at peak ÷ FLOP per sample, whatever the implementation: the "
               "ceiling below leaves no time at all for the batch gather, the loss, the optimizer or the "
               "training loop. Each library's figure as a share of it:\n")
    shown = [s for s in SERIES if any(k[0] == s for k in med)]
    L.append("| network | batch | threads | ceiling | " + " | ".join(LABEL[s] for s in shown) + " |")
    L.append("| --- | ---: | ---: | ---: |" + " ---: |" * len(shown))
    ceilings = {}
    for (net, batch, t) in keys:
        if t not in peak:
            continue
        c = peak[t] * 1e9 / gemm_flop_per_sample(net)
        ceilings[(net, batch, t)] = c
        L.append(f"| {net} | {batch} | {t} | {fmt_rate(c)} | "
                 + " | ".join(fmt_pct(ratio(med.get((s, net, batch, t)), c)) for s in shown) + " |")
    unmet = [(d, need, cfg) for d, _, met, need, cfg in targets_out if met is False and need is not None and cfg in ceilings]
    if unmet:
        L.append("\nThe targets not met, as the rate each needs in this run and that rate's share of the ceiling:\n")
        for d, need, cfg in unmet:
            lanes = med.get(("simd",) + cfg)
            share = need / ceilings[cfg]
            L.append(f"- {d}: needs {fmt_rate(need)} samples/s, {fmt_pct(share)} of the ceiling "
                     f"(Lanes simd: {fmt_pct(ratio(lanes, ceilings[cfg]))})"
                     + (": more than the FMA peak allows, so no trainer can meet it here." if share > 1 else "."))
    rows, header, first = parse_profile(profile_text)
    prof = re.search(r"train (\S+) batch (\d+), \S+, simd, (\d+) threads?: ([\d,]+) samples/s", first)
    gemm = next((sec for g, sec, _, _, _ in rows if g == "gemm"), None)
    if prof and header and header[0] > 0 and gemm is not None and int(prof.group(3)) in peak:
        net, batch, t = prof.group(1), int(prof.group(2)), int(prof.group(3))
        rate = float(prof.group(4).replace(",", ""))
        rest = (header[0] - gemm) / header[0] / rate  # seconds per sample outside GEMM, as profiled
        bound = 1 / (gemm_flop_per_sample(net) / (peak[t] * 1e9) + rest)
        L.append(f"\nThe profile run above ({net}, batch {batch}, {t} thread{'s' if t > 1 else ''}) spent "
                 f"{100 * (header[0] - gemm) / header[0]:.0f}% of its time outside GEMM (batch gather, optimizer, loss, "
                 f"reductions, the loop itself). With every GEMM at the FMA peak and that time as it was, it would "
                 f"train at about {fmt_rate(bound)} samples/s (about: that share covers the whole profiled fit, the "
                 f"rate its median epoch).")
    L.append("")
    return L


def write_svg(med, keys, path):
    """Grouped horizontal bars, one panel per network (their rates differ by ~10×), each with its own scale."""
    networks = sorted({k[0] for k in keys}, key=lambda n: (n != W1, n))
    bar_h, gap, label_w, plot_w, value_w = 14, 10, 190, 420, 60
    y, parts = 40, []
    for net in networks:
        groups = [k for k in keys if k[0] == net]
        top = max((med.get((s,) + k) or 0) for k in groups for s in SERIES) or 1
        parts.append(f'<text x="10" y="{y}" font-weight="bold">{escape(net)} (samples/s, higher is better)</text>')
        y += 10
        for (_, batch, t) in groups:
            present = [s for s in SERIES if med.get((s, net, batch, t)) is not None]
            if not present:
                continue
            block = len(present) * bar_h
            parts.append(f'<text x="{label_w - 8}" y="{y + block / 2 + 4}" text-anchor="end">batch {batch}, '
                         f'{t} thread{"s" if t > 1 else ""}</text>')
            for s in present:
                v = med[(s, net, batch, t)]
                w = max(1.0, plot_w * v / top)
                parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{COLOR[s]}">'
                             f'<title>{LABEL[s]}: {v:.0f} samples/s</title></rect>')
                parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}" font-size="10">{fmt_rate(v)}</text>')
                y += bar_h
            y += gap
        y += 20
    legend_x = 10
    for s in [s for s in SERIES if any(k[0] == s for k in med)]:
        parts.append(f'<rect x="{legend_x}" y="{y}" width="12" height="12" fill="{COLOR[s]}"/>'
                     f'<text x="{legend_x + 16}" y="{y + 10}">{LABEL[s]}</text>')
        legend_x += 150 if s == "numpy-env" else 110
    height, width = y + 30, label_w + plot_w + value_w + 20
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">\n'
           f'<rect width="100%" height="100%" fill="white"/>\n'
           f'<text x="10" y="20" font-size="14" font-weight="bold">Training throughput, Adam, float32 '
           f'(median of runs)</text>\n' + "\n".join(parts) + "\n</svg>\n")
    with open(path, "w") as f:
        f.write(svg)


def scaling_by_run(records, loaded, t1, t2):
    """Lanes simd's W1 batch-128 scaling run by run, beside the FMA peak's own scaling measured at the
    start of the same run: how much of a second core the machine gave at that moment."""
    lanes = defaultdict(dict)
    for r in records:
        if series_of(r) == "simd" and network_of(r) == W1 and r["batch"] == 128 and "rep" in r:
            lanes[r["rep"]][r["threads"]] = rate_of(r)
    peaks = defaultdict(dict)
    for r in loaded:
        if r["lib"] == "fma-peak" and "rep" in r:
            peaks[r["rep"]][r["threads"]] = r["gflops"]
    reps = sorted(rep for rep in lanes if t1 in lanes[rep] and t2 in lanes[rep])
    if not reps:
        return []
    def cell(d):
        return fmt_ratio(ratio(d.get(t2), d.get(t1)))
    out = [f"Run by run, {W1} batch 128 (each run measures the FMA peak first, then every library; the "
           f"machine's other tenants can take part of a core at any moment, and a run's FMA peak shows "
           f"how much of the second one it got when that run began):\n",
           "| run | Lanes simd " + f"{t2} vs {t1} thread(s) | FMA peak {t2} vs {t1} thread(s) |",
           "| ---: | ---: | ---: |"]
    for rep in reps:
        out.append(f"| {rep} | {cell(lanes[rep])} | {cell(peaks.get(rep, {}))} |")
    out.append("")
    return out


def main(raw_path, meta_path, profile_path, out_md, out_svg):
    loaded = load(raw_path)
    records = [r for r in loaded if r["lib"] != "fma-peak"]
    peak_runs = defaultdict(list)
    for r in loaded:
        if r["lib"] == "fma-peak":
            peak_runs[r["threads"]].append(r["gflops"])
    peak = {t: statistics.median(v) for t, v in peak_runs.items()}
    with open(meta_path) as f:
        meta = json.load(f)
    with open(profile_path) as f:
        profile_text = f.read()
    med, runs = medians(records)
    keys = sorted({(n, b, t) for (_, n, b, t) in med}, key=lambda k: (k[0] != W1, k[0], k[1], k[2]))
    thread_counts = sorted({t for (_, _, t) in keys})
    L = []
    L.append("# Training throughput: Lanes against PyTorch and numpy\n")
    L.append(f"Generated {meta['date']} by `{meta['command']}` (commit {meta['commit']}).\n")
    L.append(f"- CPU: {meta['cpu']}")
    L.append(f"- JDK: {meta['jdk']}")
    tiles = sorted({r["gemm_tile"] for r in records if r["lib"] == "lanes" and r.get("gemm_tile")})
    if tiles:
        L.append(f"- Lanes simd GEMM tile: {', '.join(tiles)} (on AVX2 it depends on the JVM's flags; see the README)")
    versions = next((r["versions"] for r in records if r["lib"] == "torch"), None)
    np_versions = next((r["versions"] for r in records if r["lib"] == "numpy"), None)
    if np_versions:
        blas = np_versions.get("blas") or {}
        blas_text = " ".join(str(blas[k]) for k in ("internal_api", "version", "corename") if blas.get(k))
        L.append(f"- Python {np_versions.get('python')}, numpy {np_versions.get('numpy')} (BLAS: {blas_text or '?'})")
    if versions:
        L.append(f"- PyTorch {versions.get('torch')} ({versions.get('torch_blas', '?')}, "
                 f"CPU capability {versions.get('torch_cpu_capability', '?')}), Adam: {meta['torch_adam']}")
    L.append(f"- Workload: synthetic MNIST-shaped data (784 features, 10 classes), Adam lr 1e-3, "
             f"{meta['samples']} samples per epoch ({meta['loop_samples']} for Lanes loop), one untimed warm-up "
             f"epoch then {meta['epochs']} timed epoch(s) for PyTorch and numpy and {meta['lanes_epochs']} for Lanes "
             f"simd (its rate is its median epoch: the JIT may still be compiling during the first); every figure "
             f"is the median of {meta['repeats']} alternating runs.")
    L.append(f"- Load average when the run ended: {meta['load_average_at_end']} (anything above ~0.5 on this "
             f"machine means the figures are not from a quiet machine).\n")

    L.append("## Samples per second\n")
    env = any(k[0] == "numpy-env" for k in med)
    if env:
        kept = next((r.get("kept_env") for r in records if r["lib"] == "numpy-env"), {}) or {}
        L.append("`numpy` runs with OpenBLAS's own choice of kernel for this CPU; `numpy (machine env)` keeps this "
                 "machine's environment (" + ", ".join(f"{k}={v}" for k, v in kept.items()) + "), which forces an "
                 "older kernel and blocking: the conditions under which the issue's baseline figures were taken.\n")
    L.append("| network | batch | threads | Lanes simd | Lanes loop | numpy |" + (" numpy (machine env) |" if env else "")
             + " PyTorch | simd / numpy |" + (" simd / numpy (machine env) |" if env else "")
             + " simd / PyTorch | simd / loop |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if env else "") + " ---: | ---: |"
             + (" ---: |" if env else "") + " ---: | ---: |")
    for (net, batch, t) in keys:
        v = {s: med.get((s, net, batch, t)) for s in SERIES}
        L.append(f"| {net} | {batch} | {t} | {fmt_rate(v['simd'])} | {fmt_rate(v['loop'])} | {fmt_rate(v['numpy'])} | "
                 + (f"{fmt_rate(v['numpy-env'])} | " if env else "")
                 + f"{fmt_rate(v['torch'])} | {fmt_ratio(ratio(v['simd'], v['numpy']))} | "
                 + (f"{fmt_ratio(ratio(v['simd'], v['numpy-env']))} | " if env else "")
                 + f"{fmt_ratio(ratio(v['simd'], v['torch']))} | {fmt_ratio(ratio(v['simd'], v['loop']))} |")
    spread = [(k, min(v), max(v)) for k, v in runs.items() if len(v) > 1]
    if spread:
        worst = max(spread, key=lambda x: (x[2] - x[1]) / x[2])
        L.append(f"\nLargest spread between runs: {LABEL[worst[0][0]]}, {worst[0][1]} batch {worst[0][2]}, "
                 f"{worst[0][3]} thread(s): {fmt_rate(worst[1])} to {fmt_rate(worst[2])}.")
    L.append("\n![samples per second](training.svg)\n")

    if len(thread_counts) > 1:
        t1, t2 = thread_counts[0], thread_counts[1]
        L.append(f"## Scaling from {t1} to {t2} threads\n")
        shown = [s for s in SERIES if s != "numpy-env" or env]
        L.append("| network | batch | " + " | ".join(LABEL[s] for s in shown) + " |")
        L.append("| --- | ---: |" + " ---: |" * len(shown))
        for (net, batch) in sorted({(n, b) for (n, b, _) in keys}, key=lambda k: (k[0] != W1, k)):
            cells = [fmt_ratio(ratio(med.get((s, net, batch, t2)), med.get((s, net, batch, t1)))) for s in shown]
            L.append(f"| {net} | {batch} | " + " | ".join(cells) + " |")
        L.append("")
        L.extend(scaling_by_run(records, loaded, t1, t2))

    rows, header, first = parse_profile(profile_text)
    L.append("## Where a Lanes training step spends its time\n")
    if rows:
        L.append(f"`{meta['profile_command']}`: {first}\n")
        L.append("| kernel group | seconds | share of kernel time | calls | heap bytes per call |")
        L.append("| --- | ---: | ---: | ---: | ---: |")
        for g, sec, pct, calls, b in rows:
            L.append(f"| {g} | {sec:.3f} | {pct:.1f}% | {calls:,} | {'–' if b is None else f'{b:,}'} |")
        if header:
            outside = header[0] - header[1]
            L.append(f"\n{header[0]:.2f} s of training, {header[1]:.2f} s of it inside kernels; the other "
                     f"{outside:.2f} s ({100 * outside / header[0]:.0f}%) is the training loop itself (batch gathering, "
                     f"layer bookkeeping) and the profiler's own timer calls.\n")
        shapes = parse_gemm_shapes(profile_text)
        if shapes:
            L.append("GEMM calls by shape (NN: forward pass; TN: weight gradient Xᵀ·dZ; NT: input gradient dZ·Wᵀ), "
                     "slowest total first:\n")
            L.append("| kind | M×K·K×N | ms per call | GFLOP/s | calls | heap bytes per call |")
            L.append("| --- | --- | ---: | ---: | ---: | ---: |")
            for kind, shape, ms, gf, calls, b in shapes:
                L.append(f"| {kind} | {shape} | {ms:.3f} | {gf:.1f} | {calls:,} | {'–' if b is None else f'{b:,}'} |")
            L.append("")
    else:
        L.append("No profile run (TRAIN_PROFILE=none).\n")

    targets_out = targets(med, thread_counts)
    L += ceiling_section(med, keys, peak, targets_out, profile_text)

    L.append("## Targets of the issue\n")
    L.append("| target | measured | met |")
    L.append("| --- | --- | --- |")
    for desc, measured, met, _, _ in targets_out:
        L.append(f"| {desc} | {measured} | {'–' if met is None else ('yes' if met else '**no**')} |")
    allocs = [r["alloc_bytes_per_step"] for r in records
              if r["lib"] == "lanes" and r["backend"] == "simd" and r.get("alloc_bytes_per_step") is not None]
    if allocs:
        zero = sum(1 for a in allocs if a == 0)
        L.append(f"| 0 B heap allocation per steady-state training step | {zero} of {len(allocs)} Lanes simd runs "
                 f"allocated 0 B a step (median over each run's steps, training thread); the largest "
                 f"{max(allocs):,} B | {'yes' if zero == len(allocs) else '**no**'} |")
    else:
        L.append("| 0 B heap allocation per steady-state training step | not measured here: JMH `TrainStepBench` with "
                 "`-prof gc` (`gc.alloc.rate.norm`), see below | – |")
    L.append("")
    L.append("## How to reproduce\n")
    L.append(f"    {meta['command']}\n")
    L.append("Each Lanes figure comes from `bin/lanes bench train --backend simd|loop --layers H --batch B --samples N "
             "--threads T --optimizer adam --json`, each reference figure from `bench/.venv/bin/python "
             "bench/train_reference.py --lib torch|numpy --threads T --layers H --batch B --samples N --json` "
             "(see `bench/README-reference.md`); every raw line is in "
             f"`{meta['raw_file']}`. Allocation per step: `bench/run TrainStepBench -prof gc`.")
    with open(out_md, "w") as f:
        f.write("\n".join(L) + "\n")
    write_svg(med, keys, out_svg)


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
