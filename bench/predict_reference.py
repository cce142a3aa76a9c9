#!/usr/bin/env python3
"""Reference predictors for `lanes bench predict`: the same MLP run forward with numpy and with PyTorch
on the CPU, one call at a time, as an application serving requests would call it.

    bench/.venv/bin/python bench/predict_reference.py --lib torch,numpy --threads 1,2 --rows 1,64 \\
        [--layers 256,128] [--calls 2000] [--json]

(bench/setup-python.sh creates bench/.venv.) The network: 784-hidden...-10, ReLU, softmax output,
Glorot-uniform weights and zero biases, float32; inputs uniform in [0,1). numpy is the plain expression
form, np.maximum(x @ w + b, 0) per layer (writing into preallocated buffers with out= was slower at one
row, 20 against 17 us here: more Python calls); PyTorch runs torch.nn.Sequential under
torch.inference_mode(). Each (lib, threads) pair runs in a child process
with OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS = T, and without this machine's
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (see train_reference.py). The child warms up for at least
--warm-up seconds and until the time per call stops improving, then times --calls calls one by one.

--json prints one line per (lib, threads, rows): lib, threads, layers (network), rows, calls, median_us,
p99_us, rows_per_s, versions: the fields of `lanes bench predict --json`.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

FEATURES, CLASSES = 784, 10
LIBS = ("torch", "numpy")
OVERRIDES_TO_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def glorot(np, rng, fan_in, fan_out):
    limit = (6.0 / (fan_in + fan_out)) ** 0.5
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def numpy_predictor(np, sizes, rows, seed):
    rng = np.random.default_rng(seed)
    weights = [glorot(np, rng, a, b) for a, b in zip(sizes, sizes[1:])]
    biases = [np.zeros(b, np.float32) for b in sizes[1:]]
    hidden = list(zip(weights[:-1], biases[:-1]))
    w_out, b_out = weights[-1], biases[-1]

    def predict(x):
        for w, b in hidden:
            x = np.maximum(x @ w + b, 0)
        z = x @ w_out + b_out
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return predict, {}


def torch_predictor(sizes, threads, seed):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        linear = torch.nn.Linear(a, b)
        torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers.append(linear)
        layers.append(torch.nn.ReLU() if i < len(sizes) - 2 else torch.nn.Softmax(dim=1))
    model = torch.nn.Sequential(*layers).eval()

    def predict(x):
        with torch.inference_mode():
            return model(x)
    return predict, {"torch": torch.__version__}


def settle(predict, x, minimum_seconds):
    """Rounds of ~0.1 s until the minimum time has passed and no round has beaten the best by 3% for 1 s."""
    start = last_improvement = time.perf_counter()
    best = float("inf")
    while True:
        t0, calls = time.perf_counter(), 0
        while time.perf_counter() - t0 < 0.1 or calls < 2:
            predict(x)
            calls += 1
        now = time.perf_counter()
        per_call = (now - t0) / calls
        if per_call < best * 0.97:
            last_improvement = now
        best = min(best, per_call)
        if (now - start >= minimum_seconds and now - last_improvement >= 1) or now - start >= 20:
            return


def child(args):
    import numpy as np
    sizes = [FEATURES] + args.layers + [CLASSES]
    x = np.random.default_rng(args.seed + 1).random((args.rows, FEATURES), dtype=np.float32)
    if args.lib == "numpy":
        predict, versions = numpy_predictor(np, sizes, args.rows, args.seed)
    else:
        import torch
        predict, versions = torch_predictor(sizes, args.threads, args.seed)
        x = torch.from_numpy(x)
    settle(predict, x, args.warm_up)
    nanos = []
    for _ in range(args.calls):
        t0 = time.perf_counter_ns()
        predict(x)
        nanos.append(time.perf_counter_ns() - t0)
    nanos.sort()
    median = nanos[len(nanos) // 2] / 1e3
    p99 = nanos[min(len(nanos) - 1, len(nanos) * 99 // 100)] / 1e3
    print(json.dumps({"lib": args.lib, "backend": args.lib, "threads": args.threads,
                      "layers": "-".join(map(str, sizes)), "rows": args.rows, "calls": args.calls,
                      "median_us": round(median, 3), "p99_us": round(p99, 3),
                      "rows_per_s": round(args.rows / (median / 1e6), 1),
                      "versions": {"python": platform.python_version(), "numpy": np.__version__, **versions}}),
          flush=True)


def run_child(args, lib, threads, rows):
    env = dict(os.environ)
    for v in OVERRIDES_TO_UNSET:
        env.pop(v, None)
    for var in THREAD_VARS:
        env[var] = str(threads)
    command = [sys.executable, os.path.abspath(__file__), "--child", "--lib", lib, "--threads", str(threads),
               "--rows", str(rows), "--layers", ",".join(map(str, args.layers)), "--calls", str(args.calls),
               "--seed", str(args.seed), "--warm-up", str(args.warm_up)]
    completed = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"predict_reference: {lib} at {threads} thread(s), {rows} rows failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def parse_list(text, name, convert, allowed=None):
    try:
        values = [convert(v.strip()) for v in text.split(",") if v.strip()]
    except ValueError:
        raise SystemExit(f"predict_reference: bad {name} '{text}'")
    if not values or (allowed and any(v not in allowed for v in values)):
        raise SystemExit(f"predict_reference: {name} must be a comma-separated list of {allowed or 'values'}")
    return values


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--lib", default="torch,numpy")
    p.add_argument("--threads", default="1")
    p.add_argument("--rows", default="1")
    p.add_argument("--layers", default="256,128")
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--warm-up", type=float, default=2.0, help="minimum warm-up seconds [2]")
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    args.layers = parse_list(args.layers, "--layers", int)
    if any(w < 1 for w in args.layers) or args.calls < 10:
        raise SystemExit("predict_reference: --layers must be positive and --calls at least 10")
    if args.child:
        args.threads, args.rows = int(args.threads), int(args.rows)
        child(args)
        return
    for threads in parse_list(args.threads, "--threads", int):
        for rows in parse_list(args.rows, "--rows", int):
            for lib in parse_list(args.lib, "--lib", str, LIBS):
                r = run_child(args, lib, threads, rows)
                print(json.dumps(r) if args.json else
                      f"{r['lib']:>5}  threads {threads}  {r['layers']}  {rows} rows: median {r['median_us']:.2f} us,"
                      f" p99 {r['p99_us']:.2f} us ({r['rows_per_s']:,.0f} rows/s)", flush=True)


if __name__ == "__main__":
    main()
