#!/usr/bin/env python3
"""numpy `a @ b` (float32, OpenBLAS sgemm) GFLOP/s on the Lanes GEMM shapes: the native-BLAS
reference for perf-reports/gemm.md.

    python3 bench/numpy_gemm.py [--shapes MxKxN,...] [--threads 1,2] [--repeats 7] [--seconds 0.3]

Shapes are M×K·K×N written MxKxN. Prints one JSON object per line:
{lib, threads, m, n, k, gflops, min_gflops, max_gflops, repeats, numpy, blas, unset_env}.

OpenBLAS reads its thread count once, when it loads, so each thread count runs in its own child
process with OPENBLAS_NUM_THREADS set before numpy is imported. OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE are removed from the child's environment: this machine sets them (Haswell, 512 KiB),
which forces an AVX2 kernel and mis-sized blocking on a CPU OpenBLAS would otherwise drive with its
AVX-512 kernel. The kernel actually used is recorded in `blas` on every line.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

DEFAULT_SHAPES = ("64x64x64,128x128x128,256x256x256,512x512x512,1024x1024x1024,"
                  "128x784x256,256x784x1024,256x1024x1024,128x256x10")
OVERRIDES_TO_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def parse_shapes(text):
    shapes = []
    for item in text.split(","):
        parts = item.strip().lower().split("x")
        if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
            raise SystemExit(f"numpy_gemm: shape must be MxKxN with positive sizes, got '{item}'")
        shapes.append(tuple(int(p) for p in parts))
    return shapes


def blas_info():
    """Which BLAS numpy runs and how: threadpoolctl when installed, else OpenBLAS's own
    introspection functions via ctypes, else numpy's build configuration."""
    try:
        from threadpoolctl import threadpool_info
        blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if blas:
            return {"source": "threadpoolctl", **{k: blas[0].get(k) for k in
                    ("internal_api", "version", "architecture", "num_threads", "threading_layer")}}
    except ImportError:
        pass
    info = openblas_via_ctypes()
    if info:
        return info
    import io
    import contextlib
    import numpy
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        numpy.show_config()
    return {"source": "numpy.show_config", "config": out.getvalue()}


def openblas_via_ctypes():
    import ctypes
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
    except OSError:
        return None
    for path in paths:
        lib = ctypes.CDLL(path)
        # numpy wheels ship scipy-openblas with prefixed, ILP64-suffixed symbols; a system OpenBLAS has plain ones.
        for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "")):
            try:
                corename = getattr(lib, f"{prefix}get_corename{suffix}")
                config = getattr(lib, f"{prefix}get_config{suffix}")
                num_threads = getattr(lib, f"{prefix}get_num_threads{suffix}")
            except AttributeError:
                continue
            corename.restype = config.restype = ctypes.c_char_p
            num_threads.restype = ctypes.c_int
            return {"source": "openblas", "library": os.path.basename(path),
                    "corename": corename().decode(), "config": config().decode(),
                    "num_threads": num_threads()}
    return None


def measure(np, m, k, n, repeats, seconds):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, size=(m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, size=(k, n)).astype(np.float32)
    c = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k
    # Warm up for `seconds` (at least 3 calls), then time batches that each take about `seconds`.
    calls, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or calls < 3:
        np.matmul(a, b, out=c)
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    batch = max(1, math.ceil(seconds / per_call))
    gflops = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for _ in range(batch):
            np.matmul(a, b, out=c)
        gflops.append(flops * batch / (time.perf_counter_ns() - start))
    return gflops


def worker(args):
    import numpy as np
    blas = blas_info()
    unset = [v for v in args.unset_env.split(",") if v]
    for m, k, n in parse_shapes(args.shapes):
        g = measure(np, m, k, n, args.repeats, args.seconds)
        print(json.dumps({"lib": "numpy", "threads": args.threads, "m": m, "n": n, "k": k,
                          "gflops": round(statistics.median(g), 3), "min_gflops": round(min(g), 3),
                          "max_gflops": round(max(g), 3), "repeats": args.repeats,
                          "numpy": np.__version__, "blas": blas, "unset_env": unset}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shapes", default=DEFAULT_SHAPES, help="comma-separated MxKxN (M×K·K×N)")
    p.add_argument("--threads", default="1,2", help="comma-separated OpenBLAS thread counts")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--seconds", type=float, default=0.3, help="length of the warm-up and of each repeat")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--unset-env", default="", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.repeats < 1 or args.seconds <= 0:
        raise SystemExit("numpy_gemm: --repeats must be >= 1 and --seconds > 0")
    parse_shapes(args.shapes)
    if args.worker:
        args.threads = int(args.threads)
        worker(args)
        return
    for threads in (int(t) for t in args.threads.split(",")):
        if threads < 1:
            raise SystemExit("numpy_gemm: thread counts must be >= 1")
        env = dict(os.environ)
        unset = [v for v in OVERRIDES_TO_UNSET if env.pop(v, None) is not None]
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
        subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", "--threads", str(threads),
                        "--shapes", args.shapes, "--repeats", str(args.repeats),
                        "--seconds", str(args.seconds), "--unset-env", ",".join(unset)],
                       env=env, check=True)


if __name__ == "__main__":
    main()
