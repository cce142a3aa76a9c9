#!/usr/bin/env bash
# Regenerates perf-reports/predict.md: the latency of one prediction call (784-256-128-10 by default)
# for Lanes simd, numpy and PyTorch, side by side, at 1 and 2 threads, for batches of 1 to 512 rows:
# what an application embedding Lanes waits for per request. The libraries run alternately within each
# of PREDICT_REPEATS runs (the order rotating), and each figure is the median over the runs of each
# run's median call.
#
#   bench/predict-report.sh                 (about 5 minutes on a quiet 2-core machine)
#
# Settings (environment; defaults in brackets):
#   PREDICT_ROWS      rows per call [1 8 64 512]
#   PREDICT_THREADS   thread counts [1 2]
#   PREDICT_REPEATS   alternating runs [3]
#   PREDICT_LAYERS    hidden widths [256,128]
#   PREDICT_CALLS     timed calls per measurement [2000]
#   PREDICT_LIBS      any of simd torch numpy [simd torch numpy]
#   PREDICT_OUT_DIR   where predict.md and predict-raw.jsonl go [perf-reports]
#   PREDICT_VENV      Python venv with torch and numpy, made by bench/setup-python.sh [bench/.venv]
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
rows_list=${PREDICT_ROWS:-"1 8 64 512"}
thread_counts=${PREDICT_THREADS:-"1 2"}
repeats=${PREDICT_REPEATS:-3}
layers=${PREDICT_LAYERS:-256,128}
calls=${PREDICT_CALLS:-2000}
libs=${PREDICT_LIBS:-"simd torch numpy"}
out_dir=${PREDICT_OUT_DIR:-"$root/perf-reports"}
venv=${PREDICT_VENV:-"$bench_dir/.venv"}
for lib in $libs; do
  case "$lib" in simd|torch|numpy) ;; *) echo "predict-report: unknown PREDICT_LIBS entry '$lib'" >&2; exit 2 ;; esac
done
command -v python3 >/dev/null || { echo "predict-report: python3 is needed to write the report" >&2; exit 2; }
command_line="bench/predict-report.sh"
for var in PREDICT_ROWS PREDICT_THREADS PREDICT_REPEATS PREDICT_LAYERS PREDICT_CALLS PREDICT_LIBS PREDICT_OUT_DIR PREDICT_VENV; do
  if [ -n "${!var:-}" ]; then command_line="$var='${!var}' $command_line"; fi
done
case " $libs " in *" torch "*|*" numpy "*) "$bench_dir/setup-python.sh" "$venv" >&2; py="$venv/bin/python" ;; esac
lanes="$root/bin/lanes"
"$lanes" help > /dev/null  # builds the jar now if it is stale, not inside the first measurement

# One benchmark at a time on this machine: wait for any other holder of the lock (bench/ab.sh takes it too).
if command -v flock >/dev/null 2>&1; then
  exec 8>/tmp/lanes-bench.lock
  flock 8
fi

mkdir -p "$out_dir" "$bench_dir/target"
raw="$out_dir/predict-raw.jsonl"
log="$bench_dir/target/predict-report.log"
: > "$raw"
: > "$log"

record() {  # rep, command...: keeps the JSON line tagged with the run number, prints the median
  local rep=$1; shift
  local out
  if ! out=$("$@" 2>>"$log" | grep '^{'); then
    echo "predict-report: failed: $*  (see $log)" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  printf '%s\n' "$out" | sed "s/^{/{\"rep\":$rep,/" >> "$raw"
  printf '%s\n' "$out" | sed -n 's/.*"median_us": *\([0-9.]*\).*/\1/p' | head -n 1
}

read -r -a lib_order <<< "$libs"
for rep in $(seq 1 "$repeats"); do
  shift_by=$(( (rep - 1) % ${#lib_order[@]} ))
  order=("${lib_order[@]:shift_by}" "${lib_order[@]:0:shift_by}")
  for t in $thread_counts; do
    for rows in $rows_list; do
      for lib in "${order[@]}"; do
        case "$lib" in
          simd) us=$(record "$rep" "$lanes" bench predict --backend simd --layers "$layers" --rows "$rows" \
                     --threads "$t" --calls "$calls" --json) ;;
          *) us=$(record "$rep" "$py" "$bench_dir/predict_reference.py" --lib "$lib" --threads "$t" --rows "$rows" \
                     --layers "$layers" --calls "$calls" --json) ;;
        esac
        echo "run $rep/$repeats  $lib  threads $t  rows $rows: median $us us" >&2
      done
    done
  done
done

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$root" diff --quiet HEAD -- src pom.xml 2>/dev/null || commit="$commit (with uncommitted changes)"
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
python3 "$bench_dir/predict_report.py" "$raw" "$out_dir/predict.md" "$command_line" "$(uptime)" "$commit" "${cpu:-an unknown CPU}, $(nproc) CPUs"
echo "wrote $out_dir/predict.md" >&2
