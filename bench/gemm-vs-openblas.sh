#!/usr/bin/env bash
# Lanes' GEMM against numpy's OpenBLAS in one JVM (dev.lanes.bench.GemmVsBlas): same operands, time
# slices alternating between the two, so the machine's drift from minute to minute stays out of the
# ratio. Writes gemm-vs-openblas.md and gemm-vs-openblas-raw.jsonl with the command that made them.
#
#   bench/gemm-vs-openblas.sh
#
# Settings (environment; defaults in brackets):
#   GVB_SHAPES    [NN|NT|TN|TT]xMxKxN list [the training step's products and square sizes]
#   GVB_THREADS   thread counts, one JVM each (OpenBLAS reads its thread count when it loads) [1 2]
#   GVB_ROUNDS    alternating rounds per shape [7]
#   GVB_SLICE     seconds per slice [0.2]
#   GVB_OUT_DIR   where the report goes [perf-reports]
#   PYTHON        the Python whose numpy's OpenBLAS is measured [python3]
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
. "$bench_dir/../bin/jdk.sh"

shapes=${GVB_SHAPES:-"NNx128x784x256,TNx784x128x256,NTx128x128x256,NNx128x256x128,TNx256x128x128,NNx256x784x1024,NNx256x256x256,NNx512x512x512,NNx1024x1024x1024"}
thread_counts=${GVB_THREADS:-"1 2"}
rounds=${GVB_ROUNDS:-7}
slice=${GVB_SLICE:-0.2}
out_dir=${GVB_OUT_DIR:-"$root/perf-reports"}
python=${PYTHON:-python3}

command_line="bench/gemm-vs-openblas.sh"
for var in GVB_SHAPES GVB_THREADS GVB_ROUNDS GVB_SLICE GVB_OUT_DIR PYTHON; do
  if [ -n "${!var:-}" ]; then command_line="$var='${!var}' $command_line"; fi
done

# The shared library numpy's OpenBLAS was loaded from, read from the process's own memory map.
blas=$("$python" - <<'PY'
import numpy  # noqa: F401  (loads OpenBLAS)
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "openblas" in l.lower() and "/" in l})
print(libs[0] if libs else "")
PY
)
if [ -z "$blas" ]; then
  echo "gemm-vs-openblas: $python's numpy did not load an OpenBLAS library; set PYTHON to one whose numpy does" >&2
  exit 2
fi

"$bench_dir/run" --build
java=$(find_java25)
jar="$bench_dir/target/benchmarks.jar"
mkdir -p "$out_dir"
raw="$out_dir/gemm-vs-openblas-raw.jsonl"
log="$bench_dir/target/gemm-vs-openblas.log"
: > "$raw"
: > "$log"
for t in $thread_counts; do
  echo "gemm-vs-openblas: $t thread(s)..." >&2
  # Unset as numpy_gemm.py does: this machine's environment forces an older OpenBLAS kernel and blocking.
  if ! env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$t" \
      "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
      -cp "$jar" dev.lanes.bench.GemmVsBlas --blas "$blas" --shapes "$shapes" --threads "$t" \
      --rounds "$rounds" --slice "$slice" --json >> "$raw" 2>> "$log"; then
    # A disagreement between the two products, or a bad setting, is explained on stderr.
    echo "gemm-vs-openblas: failed at $t thread(s) (log: $log):" >&2
    grep -v 'incubator modules' "$log" | tail -n 20 >&2
    exit 1
  fi
done

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
flags=$(grep -m1 -o -w 'avx512f' /proc/cpuinfo || true)
"$python" - "$raw" "$out_dir/gemm-vs-openblas.md" "$command_line" "$(git -C "$root" rev-parse --short HEAD)" \
    "$cpu" "${flags:+AVX-512}" "$("$java" -version 2>&1 | sed -n 2p)" <<'PY'
import json, sys, datetime
raw, out, command, commit, cpu, avx512, jdk = sys.argv[1:8]
rows = [json.loads(l) for l in open(raw) if l.strip()]
when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
first = rows[0] if rows else {}
lines = [
    "# GEMM: Lanes against numpy's OpenBLAS in one process", "",
    f"Generated {when} by `{command}` (commit {commit}).", "",
    f"- CPU: {cpu}, {avx512 or 'AVX2'}; JDK: {jdk}",
    f"- Lanes simd, GEMM tile {first.get('gemm_tile', '?')}; OpenBLAS `{first.get('blas_library', '?')}`, kernel {first.get('blas_core', '?')}",
    f"- Method: `dev.lanes.bench.GemmVsBlas`: both multiply the same operands in one JVM, in time slices of the",
    "  given length that alternate (who goes first alternates too), each after a pause in which the other side's",
    "  threads go to sleep, following a warm-up of at least a second each. Each round gives",
    "  one ratio from two adjacent slices; the table gives medians over rounds and the range of the ratio.",
    "  The two results are checked to agree (relative 1e-4 of the largest |C|) before any figure is printed.",
    "- Shape: op(A) M×K · op(B) K×N; NN, TN, NT say which operands are stored transposed.", "",
    "| shape | threads | Lanes GFLOP/s | OpenBLAS GFLOP/s | Lanes / OpenBLAS | range over rounds |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
]
for r in sorted(rows, key=lambda r: (r["threads"], rows.index(r))):
    shape = f"{r['trans']} {r['m']}×{r['k']}·{r['k']}×{r['n']}"
    lines.append(f"| {shape} | {r['threads']} | {r['lanes_gflops']:.1f} | {r['blas_gflops']:.1f} | "
                 f"{r['ratio']:.2f} | {r['ratio_min']:.2f}–{r['ratio_max']:.2f} |")
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
