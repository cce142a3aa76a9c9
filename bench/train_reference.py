#!/usr/bin/env python3
"""Reference trainers for `lanes bench train`: the same MLP, data, optimizer and batching, trained with
PyTorch on the CPU and with a lean numpy implementation, so Lanes can be measured against both.

    bench/.venv/bin/python bench/train_reference.py --lib torch,numpy --threads 1,2 \\
        [--layers 256,128] [--batch 128] [--samples 60000] [--epochs 1] [--json]
    bench/.venv/bin/python bench/train_reference.py --check [--lib torch,numpy]

(bench/setup-python.sh creates bench/.venv.) The workload, identical for both libraries and Lanes:
synthetic inputs uniform in [0,1), 784 features, labels drawn uniformly from 10 classes (fixed seed);
MLP 784-hidden...-10 with ReLU, Glorot-uniform weights and zero biases; mean softmax cross-entropy;
Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8); mini-batches of B in a fresh random order every epoch, the
last, partial batch included; float32 throughout. One untimed warm-up epoch, then E timed epochs; the
time covers shuffling, batch gathering, forward, loss, backward and the update.

Every (lib, threads) pair runs in its own child process, because the BLAS and OpenMP runtimes read their
thread counts once, when they load: the child gets OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and
MKL_NUM_THREADS = T, and loses OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which this machine sets and which
force an older, slower OpenBLAS kernel and blocking. The kernel OpenBLAS then picks is recorded.
--keep-env keeps them (numpy as this machine configures it, the conditions of the issue's baseline
figures) and labels the runs `numpy-env`.

--json prints one line per run: lib, backend (= lib), threads, layers (hidden sizes), network, batch,
samples_per_s, ms_per_step, epochs, steps_per_epoch, samples, seconds, epoch_samples_per_s,
median_epoch_samples_per_s, loss, cpu, versions (python, numpy, torch, BLAS). --check trains 2 epochs on
a small learnable task (labels from a fixed random linear map of the inputs) and fails unless the loss
falls; with both libraries it also requires them to agree on the untrained loss and on the losses of the
first steps, which the shared initial weights and batch order make equal up to float32 rounding.
"""
import argparse
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time

FEATURES = 784
CLASSES = 10
LIBS = ("torch", "numpy")
OVERRIDES_TO_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8
CHECK_SAMPLES = 16384  # 256 Adam steps at batch 128: enough for the loss to fall well clear of noise
CHECK_EPOCHS = 2
CHECK_STEPS_COMPARED = 3


# ---------------------------------------------------------------------------------------------- workload

def make_data(np, samples, seed, learnable):
    """Inputs uniform in [0,1). Labels are uniform random classes for the benchmark; for --check they are
    the argmax of a fixed random linear map of the centred inputs, which an MLP can learn."""
    rng = np.random.default_rng(seed)
    x = rng.random((samples, FEATURES), dtype=np.float32)
    if learnable:
        projection = rng.standard_normal((FEATURES, CLASSES)).astype(np.float32)
        y = np.argmax((x - np.float32(0.5)) @ projection, axis=1).astype(np.int64)
    else:
        y = rng.integers(0, CLASSES, size=samples, dtype=np.int64)
    return x, y


def glorot_params(np, sizes, seed):
    """[(W of shape fan_in×fan_out, b)] with W ~ U(±sqrt(6/(fan_in+fan_out))) and b = 0; both libraries
    start from these exact values."""
    rng = np.random.default_rng(seed + 1)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)
        params.append((w, np.zeros(fan_out, dtype=np.float32)))
    return params


def epoch_orders(np, samples, seed):
    """The per-epoch shuffles, shared by both libraries so that their runs are step-for-step the same."""
    rng = np.random.default_rng(seed + 2)
    while True:
        yield rng.permutation(samples)


# ------------------------------------------------------------------------------------------------- numpy

class NumpyMlp:
    """Forward, fused softmax-cross-entropy gradient, backward and Adam on buffers allocated once.

    All parameters live in one flat float32 vector (and their gradients and Adam moments in three more),
    each layer's W and b being views into it, so Adam is ten whole-vector numpy calls per step rather than
    ten per tensor. Activations are kept after ReLU only: relu(z) > 0 exactly where z > 0, which is all the
    backward pass needs. A partial last batch of n rows uses the leading n rows of every buffer."""

    def __init__(self, np, params, batch):
        self.np = np
        self.batch = batch
        self.sizes = [params[0][0].shape[0]] + [w.shape[1] for w, _ in params]
        total = sum(w.size + b.size for w, b in params)
        self.flat_param = np.empty(total, np.float32)
        self.flat_grad = np.zeros(total, np.float32)
        self.m = np.zeros(total, np.float32)
        self.v = np.zeros(total, np.float32)
        self.scratch = np.empty(total, np.float32)
        self.weights, self.biases, self.weight_grads, self.bias_grads = [], [], [], []
        offset = 0
        for w, b in params:
            for source, params_list, grads_list in ((w, self.weights, self.weight_grads),
                                                    (b, self.biases, self.bias_grads)):
                view = self.flat_param[offset:offset + source.size].reshape(source.shape)
                view[...] = source
                params_list.append(view)
                grads_list.append(self.flat_grad[offset:offset + source.size].reshape(source.shape))
                offset += source.size
        self.x = np.empty((batch, self.sizes[0]), np.float32)
        self.y = np.empty(batch, np.int64)
        self.acts = [np.empty((batch, n), np.float32) for n in self.sizes[1:]]
        self.deltas = [np.empty((batch, n), np.float32) for n in self.sizes[1:-1]]
        self.masks = [np.empty((batch, n), np.bool_) for n in self.sizes[1:-1]]
        self.row_stat = np.empty((batch, 1), np.float32)
        self.target_index = np.empty(batch, np.int64)
        self.target_value = np.empty(batch, np.float32)
        self.row_offsets = np.arange(batch, dtype=np.int64) * self.sizes[-1]
        self.ones = np.ones(batch, np.float32)  # bias gradient as a BLAS gemv: faster than a column sum
        self.step_count = 0

    def load_batch(self, x_all, y_all, index):
        n = len(index)
        self.np.take(x_all, index, axis=0, out=self.x[:n])
        self.np.take(y_all, index, out=self.y[:n])
        return n

    def forward(self, n):
        np = self.np
        a = self.x[:n]
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = self.acts[i][:n]
            np.matmul(a, w, out=z)
            z += b
            if i < last:
                np.maximum(z, 0, out=z)
            a = z
        return a

    def softmax_cross_entropy(self, logits, n, with_gradient):
        """Mean loss of the batch; with_gradient turns the logits into d(loss)/d(logits) = (p - onehot)/n."""
        np = self.np
        row_stat = self.row_stat[:n]
        np.max(logits, axis=1, keepdims=True, out=row_stat)
        logits -= row_stat
        flat = logits.reshape(-1)
        target_index = self.target_index[:n]
        np.add(self.row_offsets[:n], self.y[:n], out=target_index)
        target_value = self.target_value[:n]
        np.take(flat, target_index, out=target_value)
        np.exp(logits, out=logits)
        np.sum(logits, axis=1, keepdims=True, out=row_stat)
        # loss_i = log(sum_j exp(z_ij - max_i)) - (z_i,target - max_i)
        loss = (float(np.log(row_stat).sum(dtype=np.float64)) - float(target_value.sum(dtype=np.float64))) / n
        if with_gradient:
            logits /= row_stat
            np.take(flat, target_index, out=target_value)
            target_value -= np.float32(1)
            np.put(flat, target_index, target_value)
            logits *= np.float32(1.0 / n)
        return loss

    def backward(self, n):
        np = self.np
        delta = self.acts[-1][:n]
        for i in range(len(self.weights) - 1, -1, -1):
            below = self.x[:n] if i == 0 else self.acts[i - 1][:n]
            np.matmul(below.T, delta, out=self.weight_grads[i])
            np.matmul(self.ones[:n], delta, out=self.bias_grads[i])
            if i > 0:
                delta_below = self.deltas[i - 1][:n]
                np.matmul(delta, self.weights[i].T, out=delta_below)
                mask = self.masks[i - 1][:n]
                np.greater(below, 0, out=mask)
                np.multiply(delta_below, mask, out=delta_below)
                delta = delta_below

    def adam(self):
        """PyTorch's Adam, p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), in 10 whole-vector passes
        where the direct form takes 14 (and the paper's a_t/eps_t form 12, measured ~15% slower than this).
        The moments are kept divided by their EMA weights, M = m / (1 - b1) and V = v / (1 - b2), so their
        updates M = b1 M + g and V = b2 V + g^2 need no scaling pass, and all scalar factors fold into two
        per-step constants: p -= step * M / (sqrt(V) + eps_t) with r = sqrt((1 - b2) / (1 - b2^t)),
        step = lr (1 - b1) / ((1 - b1^t) r) and eps_t = eps / r."""
        np = self.np
        self.step_count += 1
        t = self.step_count
        r = math.sqrt((1.0 - BETA2) / (1.0 - BETA2 ** t))
        step = np.float32(LR * (1.0 - BETA1) / ((1.0 - BETA1 ** t) * r))
        eps_t = np.float32(EPS / r)
        g, m, v, tmp = self.flat_grad, self.m, self.v, self.scratch
        m *= np.float32(BETA1)
        m += g
        np.multiply(g, g, out=tmp)
        v *= np.float32(BETA2)
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += eps_t
        np.divide(m, tmp, out=tmp)
        tmp *= step
        self.flat_param -= tmp

    def train_step(self, x_all, y_all, index):
        n = self.load_batch(x_all, y_all, index)
        loss = self.softmax_cross_entropy(self.forward(n), n, with_gradient=True)
        self.backward(n)
        self.adam()
        return loss

    def evaluate(self, x_all, y_all):
        total_loss, correct = 0.0, 0
        for start in range(0, len(y_all), self.batch):
            index = self.np.arange(start, min(start + self.batch, len(y_all)))
            n = self.load_batch(x_all, y_all, index)
            logits = self.forward(n)
            correct += int((self.np.argmax(logits, axis=1) == self.y[:n]).sum())
            total_loss += self.softmax_cross_entropy(logits, n, with_gradient=False) * n
        return total_loss / len(y_all), correct / len(y_all)


# ------------------------------------------------------------------------------------------------- torch

class TorchMlp:
    """The plain PyTorch way: nn.Sequential of Linear and ReLU, F.cross_entropy, torch.optim.Adam."""

    def __init__(self, torch, np, params, batch, adam_impl):
        from torch import nn
        self.torch, self.np, self.batch = torch, np, batch
        self.functional = torch.nn.functional
        layers = []
        for i, (w, b) in enumerate(params):
            linear = nn.Linear(w.shape[0], w.shape[1])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w.T.copy()))
                linear.bias.copy_(torch.from_numpy(b))
            layers.append(linear)
            if i < len(params) - 1:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers)
        options = {"foreach": adam_impl == "foreach", "fused": adam_impl == "fused"} if adam_impl != "default" else {}
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS, **options)
        self.x = torch.empty((batch, params[0][0].shape[0]), dtype=torch.float32)
        self.y = torch.empty(batch, dtype=torch.int64)
        self.source = None

    def _batch(self, x_all, y_all, index):
        """Gathers the batch into preallocated tensors; from_numpy shares memory, so the data is not copied."""
        torch = self.torch
        if self.source is None or self.source[0] is not x_all:
            self.source = (x_all, torch.from_numpy(x_all), torch.from_numpy(y_all))
        index = torch.from_numpy(index)
        n = len(index)
        x, y = self.x[:n], self.y[:n]
        torch.index_select(self.source[1], 0, index, out=x)
        torch.index_select(self.source[2], 0, index, out=y)
        return x, y

    def train_step(self, x_all, y_all, index):
        x, y = self._batch(x_all, y_all, index)
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.functional.cross_entropy(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def evaluate(self, x_all, y_all):
        torch = self.torch
        total_loss, correct = 0.0, 0
        with torch.no_grad():
            for start in range(0, len(y_all), self.batch):
                index = self.np.arange(start, min(start + self.batch, len(y_all)))
                x, y = self._batch(x_all, y_all, index)
                logits = self.model(x)
                correct += int((logits.argmax(dim=1) == y).sum())
                total_loss += self.functional.cross_entropy(logits, y, reduction="sum").item()
        return total_loss / len(y_all), correct / len(y_all)


# ------------------------------------------------------------------------------------------ child process

def run_epoch(trainer, x, y, order, batch, record=0):
    """Returns (mean loss over the epoch's samples, steps, the losses of the first `record` steps)."""
    loss_sum, steps, first = 0.0, 0, []
    for start in range(0, len(order), batch):
        index = order[start:start + batch]
        loss = trainer.train_step(x, y, index)
        if steps < record:
            first.append(loss)
        loss_sum += loss * len(index)
        steps += 1
    return loss_sum / len(order), steps, first


def build_trainer(args, np, params):
    if args.lib == "numpy":
        return NumpyMlp(np, params, args.batch), {}
    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    trainer = TorchMlp(torch, np, params, args.batch, args.torch_adam)
    config = torch.__config__.show()
    mkl = re.search(r"Math Kernel Library Version (\S+)", config)
    return trainer, {"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
                     "torch_adam": args.torch_adam, "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
                     "torch_blas": f"mkl {mkl.group(1)}" if mkl else re.search(r"BLAS_INFO=(\w+)", config).group(1)}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), None)
    except OSError:
        return platform.processor() or None


def child(args):
    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from numpy_gemm import blas_info
    sizes = [FEATURES] + args.layers + [CLASSES]
    samples = args.samples if args.samples is not None else (CHECK_SAMPLES if args.check else 60000)
    x, y = make_data(np, samples, args.seed, learnable=args.check)
    trainer, versions = build_trainer(args, np, glorot_params(np, sizes, args.seed))
    orders = epoch_orders(np, samples, args.seed)
    result = {"lib": args.lib, "backend": args.lib, "threads": args.threads, "layers": args.layers,
              "network": "-".join(map(str, sizes)), "batch": args.batch, "samples": samples,
              "optimizer": "adam", "dtype": "float32", "seed": args.seed}
    if args.check:
        initial_loss, initial_accuracy = trainer.evaluate(x, y)
        epoch_losses, first_steps = [], None
        for _ in range(CHECK_EPOCHS):
            loss, _, first = run_epoch(trainer, x, y, next(orders), args.batch, record=CHECK_STEPS_COMPARED)
            epoch_losses.append(loss)
            first_steps = first if first_steps is None else first_steps
        final_loss, final_accuracy = trainer.evaluate(x, y)
        result.update(check=True, initial_loss=initial_loss, first_step_losses=first_steps, epoch_losses=epoch_losses,
                      final_loss=final_loss, initial_accuracy=initial_accuracy, final_accuracy=final_accuracy)
    else:
        run_epoch(trainer, x, y, next(orders), args.batch)  # warm-up, untimed
        seconds, steps, epoch_rates, loss = 0.0, 0, [], None
        for _ in range(args.epochs):
            order = next(orders)
            start = time.perf_counter()
            loss, epoch_steps, _ = run_epoch(trainer, x, y, order, args.batch)
            elapsed = time.perf_counter() - start
            seconds += elapsed
            steps += epoch_steps
            epoch_rates.append(round(samples / elapsed, 1))
        result.update(samples_per_s=round(samples * args.epochs / seconds, 1),
                      ms_per_step=round(1000.0 * seconds / steps, 4), epochs=args.epochs,
                      steps_per_epoch=steps // args.epochs, seconds=round(seconds, 4),
                      epoch_samples_per_s=epoch_rates, median_epoch_samples_per_s=statistics.median(epoch_rates),
                      loss=round(loss, 6))
    result["cpu"] = cpu_model()
    result["versions"] = {"python": platform.python_version(), "numpy": np.__version__, **versions,
                          "blas": blas_info() if args.lib == "numpy" else None}
    result["unset_env"] = [v for v in args.unset_env.split(",") if v]
    if args.keep_env:
        result["lib"] = result["backend"] = args.lib + "-env"
        result["kept_env"] = {v: os.environ[v] for v in OVERRIDES_TO_UNSET if v in os.environ}
    print(json.dumps(result), flush=True)


# ------------------------------------------------------------------------------------------ parent process

def run_child(args, lib, threads):
    env = dict(os.environ)
    unset = [] if args.keep_env else [v for v in OVERRIDES_TO_UNSET if env.pop(v, None) is not None]
    for var in THREAD_VARS:
        env[var] = str(threads)
    command = [sys.executable, os.path.abspath(__file__), "--child", "--lib", lib, "--threads", str(threads),
               "--layers", ",".join(map(str, args.layers)), "--batch", str(args.batch), "--epochs", str(args.epochs),
               "--seed", str(args.seed), "--torch-adam", args.torch_adam, "--unset-env", ",".join(unset)]
    if args.samples is not None:
        command += ["--samples", str(args.samples)]
    if args.check:
        command.append("--check")
    if args.keep_env:
        command.append("--keep-env")
    completed = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"train_reference: {lib} at {threads} thread(s) failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def describe(r):
    head = f"{r['lib']:>5}  threads {r['threads']}  {r['network']}  batch {r['batch']}"
    if r.get("check"):
        losses = " -> ".join(f"{v:.4f}" for v in [r["initial_loss"]] + r["epoch_losses"] + [r["final_loss"]])
        return (f"{head}: loss {losses} (initial, epoch means, final); "
                f"accuracy {r['initial_accuracy']:.3f} -> {r['final_accuracy']:.3f}")
    blas = (r["versions"].get("blas") or {}).get("corename")
    return (f"{head}: {r['samples_per_s']:.0f} samples/s, {r['ms_per_step']:.3f} ms/step "
            f"({r['epochs']} timed epoch(s) of {r['samples']}){'  [OpenBLAS ' + blas + ']' if blas else ''}")


def check_failures(r):
    """Why a --check run does not show real learning, or nothing."""
    losses = [r["initial_loss"]] + r["epoch_losses"] + [r["final_loss"]]
    if not all(math.isfinite(v) for v in losses):
        return [f"non-finite loss in {losses}"]
    failures = []
    if abs(r["initial_loss"] - math.log(CLASSES)) > 0.5:
        failures.append(f"untrained loss {r['initial_loss']:.4f} is far from ln {CLASSES} = {math.log(CLASSES):.4f}")
    if not r["epoch_losses"][1] < r["epoch_losses"][0]:
        failures.append(f"epoch losses {r['epoch_losses']} do not decrease")
    # Margins sized for >= 64 steps (the defaults give 256); uniform random labels could not pass the accuracy one.
    if not r["final_loss"] < 0.95 * r["initial_loss"]:
        failures.append(f"final loss {r['final_loss']:.4f} is not below 95% of initial {r['initial_loss']:.4f}")
    if not r["final_accuracy"] > r["initial_accuracy"] + 0.08:
        failures.append(f"accuracy {r['initial_accuracy']:.3f} -> {r['final_accuracy']:.3f} is not clearly better")
    return failures


def cross_check_failures(runs):
    """With both libraries on the same weights, data and batch order, the untrained loss and the losses of the
    first steps must agree to float32 rounding: the first step's loss tests the forward pass and the loss, the
    next ones the gradients and Adam's update. Afterwards float32 rounding differences grow, slowly."""
    by_lib = {r["lib"]: r for r in runs if r["threads"] == runs[0]["threads"]}
    if set(by_lib) != set(LIBS):
        return []
    a, b = by_lib["torch"], by_lib["numpy"]
    failures = []
    pairs = [("initial_loss", a["initial_loss"], b["initial_loss"], 1e-5)]
    pairs += [(f"loss of step {i + 1}", u, v, 1e-5) for i, (u, v) in
              enumerate(zip(a["first_step_losses"], b["first_step_losses"]))]
    pairs.append(("final_loss", a["final_loss"], b["final_loss"], 0.03))
    for name, u, v, tolerance in pairs:
        if not math.isclose(u, v, rel_tol=tolerance):
            failures.append(f"{name}: torch {u:.6f} vs numpy {v:.6f} (relative tolerance {tolerance})")
    return failures


def parse_list(text, name, convert, allowed=None):
    try:
        values = [convert(v.strip()) for v in text.split(",") if v.strip()]
    except ValueError:
        raise SystemExit(f"train_reference: bad {name} '{text}'")
    if not values or (allowed and any(v not in allowed for v in values)):
        raise SystemExit(f"train_reference: {name} must be a comma-separated list of {allowed or 'values'}")
    return values


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--lib", default="torch,numpy", help="torch, numpy, or both comma-separated [torch,numpy]")
    p.add_argument("--threads", default="1", help="thread count(s), comma-separated [1]")
    p.add_argument("--layers", default="256,128", help="hidden layer widths [256,128]")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--samples", type=int, default=None, help=f"[60000; {CHECK_SAMPLES} with --check]")
    p.add_argument("--epochs", type=int, default=1, help="timed epochs after the warm-up epoch [1]")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--torch-adam", choices=("default", "foreach", "fused"), default="default",
                   help="torch.optim.Adam implementation [default: PyTorch's own choice]")
    p.add_argument("--json", action="store_true", help="one JSON line per run")
    p.add_argument("--check", action="store_true", help=f"train {CHECK_EPOCHS} epochs on a learnable task, "
                                                        "assert the loss falls")
    p.add_argument("--keep-env", action="store_true", help="keep this machine's OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE "
                                                           "(runs are labelled numpy-env / torch-env)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--unset-env", default="", help=argparse.SUPPRESS)
    args = p.parse_args()
    args.layers = parse_list(args.layers, "--layers", int)
    if any(w < 1 for w in args.layers) or args.batch < 1 or args.epochs < 1 or (args.samples or 1) < 1:
        raise SystemExit("train_reference: --layers, --batch, --samples and --epochs must be positive")
    if args.child:
        args.threads = int(args.threads)
        child(args)
        return
    libs = parse_list(args.lib, "--lib", str, LIBS)
    thread_counts = parse_list(args.threads, "--threads", int)
    if any(t < 1 for t in thread_counts):
        raise SystemExit("train_reference: thread counts must be >= 1")
    runs, failures = [], []
    for threads in thread_counts:
        for lib in libs:
            r = run_child(args, lib, threads)
            runs.append(r)
            print(json.dumps(r) if args.json else describe(r), flush=True)
            if args.check:
                failures += [f"{lib} threads {threads}: {f}" for f in check_failures(r)]
    if args.check:
        failures += [f"torch vs numpy: {f}" for f in cross_check_failures(runs)]
        for f in failures:
            print(f"CHECK FAILED: {f}", file=sys.stderr)
        if failures:
            raise SystemExit(1)
        print(f"check passed: {len(runs)} run(s) learned"
              f"{'; torch and numpy agree' if {r['lib'] for r in runs} == set(LIBS) else ''}", file=sys.stderr)


if __name__ == "__main__":
    main()
