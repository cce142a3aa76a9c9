#!/usr/bin/env bash
# Regenerates perf-reports/contention.md: Lanes training throughput at 1 and 2 threads when it has the
# machine to itself, beside a process that keeps one CPU busy, and beside one that is busy half the
# time (2 ms on, 2 ms off). On a shared machine the worker threads are not always the only thing that
# wants a CPU; this shows what a user then gets from --threads 2, and whether it ever falls below
# --threads 1. Each run is one `lanes bench train` JVM; the conditions and thread counts alternate
# within each of CONTENTION_REPEATS rounds, and every figure is the median over the rounds.
#
#   bench/contention-report.sh              (about 4 minutes)
#
# Settings (environment; defaults in brackets):
#   CONTENTION_LAYERS    hidden widths [256,128]
#   CONTENTION_BATCH     batch size [128]
#   CONTENTION_SAMPLES   samples per epoch [30000]
#   CONTENTION_REPEATS   rounds [3]
#   CONTENTION_OUT_DIR   where contention.md goes [perf-reports]
#   LANES_CMD            Lanes CLI command [bin/lanes]
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")

layers=${CONTENTION_LAYERS:-256,128}
batch=${CONTENTION_BATCH:-128}
samples=${CONTENTION_SAMPLES:-30000}
repeats=${CONTENTION_REPEATS:-3}
out_dir=${CONTENTION_OUT_DIR:-"$root/perf-reports"}
command_line="bench/contention-report.sh"
for var in CONTENTION_LAYERS CONTENTION_BATCH CONTENTION_SAMPLES CONTENTION_REPEATS CONTENTION_OUT_DIR LANES_CMD; do
  if [ -n "${!var:-}" ]; then command_line="$var='${!var}' $command_line"; fi
done
if [ -n "${LANES_CMD:-}" ]; then read -r -a lanes <<< "$LANES_CMD"; else lanes=("$root/bin/lanes"); fi
"${lanes[@]}" help > /dev/null  # builds the jar now if it is stale, not inside the first measurement

# The neighbour: busy for BUSY seconds, then asleep for IDLE, forever (python3 is on every machine
# these reports run on; numpy's reference runs need it anyway).
neighbour_pid=""
start_neighbour() {
  python3 -c 'import sys, time
busy, idle = float(sys.argv[1]), float(sys.argv[2])
while True:
    t = time.perf_counter()
    while time.perf_counter() - t < busy: pass
    if idle > 0: time.sleep(idle)' "$1" "$2" &
  neighbour_pid=$!
}
stop_neighbour() {
  if [ -n "$neighbour_pid" ]; then kill "$neighbour_pid" 2> /dev/null || true; wait "$neighbour_pid" 2> /dev/null || true; fi
  neighbour_pid=""
}
trap stop_neighbour EXIT

mkdir -p "$bench_dir/target"
log="$bench_dir/target/contention-report.log"
: > "$log"
measure() {  # threads -> samples/s
  "${lanes[@]}" bench train --backend simd --layers "$layers" --batch "$batch" --samples "$samples" --epochs 3 \
      --threads "$1" --optimizer adam --json 2>> "$log" | sed -n 's/.*"samples_per_s": *\([0-9.]*\).*/\1/p' | head -n 1
}

conditions=(alone busy half)
declare -A results
for rep in $(seq 1 "$repeats"); do
  shift_by=$(( (rep - 1) % ${#conditions[@]} ))
  order=("${conditions[@]:shift_by}" "${conditions[@]:0:shift_by}")
  for condition in "${order[@]}"; do
    case "$condition" in
      busy) start_neighbour 1 0 ;;
      half) start_neighbour 0.002 0.002 ;;
    esac
    sleep 0.5
    for t in 1 2; do
      if ! v=$(measure "$t") || [ -z "$v" ]; then
        echo "contention-report: lanes bench train failed ($condition, $t threads); see $log" >&2
        tail -n 20 "$log" >&2
        exit 1
      fi
      results[$condition,$t]="${results[$condition,$t]:-} $v"
      echo "run $rep/$repeats  $condition  threads $t: $v samples/s" >&2
    done
    stop_neighbour
  done
done

median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
describe() {
  case "$1" in
    alone) echo "alone" ;;
    busy) echo "beside a process busy all the time" ;;
    half) echo "beside a process busy half the time (2 ms on, 2 ms off)" ;;
  esac
}

mkdir -p "$out_dir"
out="$out_dir/contention.md"
commit=$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo unknown)
{
  echo "# Training beside other work: 1 and 2 threads"
  echo
  echo "Generated $(date -u '+%Y-%m-%d %H:%M UTC') by \`$command_line\` (commit $commit)."
  echo
  echo "- CPU: $(LC_ALL=C lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) CPUs online"
  echo "- Workload: \`lanes bench train --backend simd --layers $layers --batch $batch --samples $samples --epochs 3 --optimizer adam\`, one JVM per figure; each figure is the median of $repeats rounds, the conditions alternating within each round."
  echo "- The neighbour is a Python busy loop: one process, so with it the machine has one CPU's worth of time fewer to give."
  echo
  echo "| condition | 1 thread | 2 threads | 2 threads / 1 thread | runs, 1 thread | runs, 2 threads |"
  echo "| --- | ---: | ---: | ---: | --- | --- |"
  for condition in "${conditions[@]}"; do
    m1=$(median "${results[$condition,1]}")
    m2=$(median "${results[$condition,2]}")
    ratio=$(awk -v a="$m2" -v b="$m1" 'BEGIN { printf "%.2f", a / b }')
    runs1=$(printf '%s\n' ${results[$condition,1]} | awk '{printf "%s%.0f", (NR > 1 ? ", " : ""), $1}')
    runs2=$(printf '%s\n' ${results[$condition,2]} | awk '{printf "%s%.0f", (NR > 1 ? ", " : ""), $1}')
    printf '| %s | %.0f | %.0f | %s× | %s | %s |\n' "$(describe "$condition")" "$m1" "$m2" "$ratio" "$runs1" "$runs2"
  done
  echo
  echo "Samples per second. Waiting team members yield the CPU every few microseconds (\`ThreadTeam.pause\`), so"
  echo "the neighbour runs in a waiter's place rather than beside the thread doing the work, and chunks a"
  echo "descheduled member has not claimed go to whoever is running."
} > "$out"
echo "wrote $out" >&2
