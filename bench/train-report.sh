#!/usr/bin/env bash
# Regenerates perf-reports/training.md and perf-reports/training.svg: training samples/s of Lanes simd,
# Lanes loop, PyTorch and numpy, side by side, at 1 and 2 threads, for W1 = 784-256-128-10 at batch 32,
# 128 and 512 and W2 = 784-1024-1024-10 at batch 256; ratios, 2-thread scaling, where a Lanes step
# spends its time, how close each figure is to the ceiling set by the FMA peak measured in the same
# run, and the issue's targets met or not. All libraries are measured alternately within
# each of TRAIN_REPEATS runs (the order rotates from run to run), so every ratio compares figures taken
# under the same conditions; each figure in the report is the median over the runs.
#
#   bench/train-report.sh                 (about 15 minutes on a quiet 2-core machine)
#
# Settings (environment; defaults in brackets):
#   TRAIN_CONFIGS        hidden-widths:batch list [256,128:32 256,128:128 256,128:512 1024,1024:256]
#   TRAIN_THREADS        thread counts [1 2]
#   TRAIN_REPEATS        alternating runs [3]
#   TRAIN_SAMPLES        samples per epoch [60000]
#   TRAIN_EPOCHS         timed epochs of PyTorch and numpy, after one untimed warm-up epoch [1]
#   TRAIN_LANES_EPOCHS   timed epochs of Lanes simd; it reports the median epoch, so a first epoch still
#                        slowed by JIT compilation (seconds under load) does not count [3]
#   TRAIN_LIBS           what to measure: any of simd loop torch numpy numpy-env [simd loop torch numpy, plus
#                        numpy-env when OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE is set: numpy with this machine's
#                        own OpenBLAS settings, the conditions of the issue's baseline figures]
#   TRAIN_LOOP_CONFIGS   configs the (slow, scalar) loop backend runs [256,128:128]
#   TRAIN_LOOP_SAMPLES   samples per epoch for the loop backend [4096]
#   TRAIN_TORCH_ADAM     torch.optim.Adam implementation: default, foreach or fused [default]
#   TRAIN_PROFILE        hidden-widths:batch of the --profile run, "none" to skip [256,128:128]
#   TRAIN_OUT_DIR        where training.md, training.svg and training-raw.jsonl go [perf-reports]
#   TRAIN_VENV           Python venv with torch and numpy, made by bench/setup-python.sh [bench/.venv]
#   LANES_CMD            Lanes CLI command [bin/lanes]
#
# Smoke run (a minute or two):
#   TRAIN_CONFIGS="256,128:128" TRAIN_THREADS=1 TRAIN_REPEATS=1 TRAIN_SAMPLES=2048 TRAIN_LOOP_SAMPLES=512 \
#       TRAIN_OUT_DIR=/tmp/train bench/train-report.sh
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
. "$bench_dir/../bin/jdk.sh"

configs=${TRAIN_CONFIGS:-"256,128:32 256,128:128 256,128:512 1024,1024:256"}
thread_counts=${TRAIN_THREADS:-"1 2"}
repeats=${TRAIN_REPEATS:-3}
samples=${TRAIN_SAMPLES:-60000}
epochs=${TRAIN_EPOCHS:-1}
lanes_epochs=${TRAIN_LANES_EPOCHS:-3}
default_libs="simd loop torch numpy"
if [ -n "${OPENBLAS_CORETYPE:-}${OPENBLAS_L2_SIZE:-}" ]; then default_libs="$default_libs numpy-env"; fi
libs=${TRAIN_LIBS:-$default_libs}
loop_configs=${TRAIN_LOOP_CONFIGS:-"256,128:128"}
loop_samples=${TRAIN_LOOP_SAMPLES:-4096}
torch_adam=${TRAIN_TORCH_ADAM:-default}
profile=${TRAIN_PROFILE:-"256,128:128"}
out_dir=${TRAIN_OUT_DIR:-"$root/perf-reports"}
venv=${TRAIN_VENV:-"$bench_dir/.venv"}
for lib in $libs; do
  case "$lib" in simd|loop|torch|numpy|numpy-env) ;; *) echo "train-report: unknown TRAIN_LIBS entry '$lib'" >&2; exit 2 ;; esac
done
# The report is written by python3 whatever TRAIN_LIBS says: without one, a Lanes-only run failed only
# after all its measurements.
command -v python3 >/dev/null ||
  { echo "train-report: python3 is needed to write the report (and to make the venv for torch/numpy); none on PATH" >&2; exit 2; }

command_line="bench/train-report.sh"
for var in TRAIN_CONFIGS TRAIN_THREADS TRAIN_REPEATS TRAIN_SAMPLES TRAIN_EPOCHS TRAIN_LANES_EPOCHS TRAIN_LIBS TRAIN_LOOP_CONFIGS \
    TRAIN_LOOP_SAMPLES TRAIN_TORCH_ADAM TRAIN_PROFILE TRAIN_OUT_DIR TRAIN_VENV LANES_CMD; do
  if [ -n "${!var:-}" ]; then command_line="$var='${!var}' $command_line"; fi
done

if [ -n "${LANES_CMD:-}" ]; then read -r -a lanes <<< "$LANES_CMD"; else lanes=("$root/bin/lanes"); fi
needs_python=false
case " $libs " in *" torch "*|*" numpy "*|*" numpy-env "*) needs_python=true ;; esac
if $needs_python; then
  "$bench_dir/setup-python.sh" "$venv" >&2
  py="$venv/bin/python"
fi
java=$(find_java25)
"${lanes[@]}" help > /dev/null  # builds the jar now if it is stale, not inside the first measurement
"$bench_dir/run" --build        # the JMH jar, for dev.lanes.bench.FmaPeak
bench_jar="$bench_dir/target/benchmarks.jar"

mkdir -p "$out_dir" "$bench_dir/target"
raw="$out_dir/training-raw.jsonl"
log="$bench_dir/target/train-report.log"
: > "$raw"
: > "$log"

# Runs a measuring command, keeps its JSON lines tagged with the run number, prints samples/s.
record() {
  local rep=$1; shift
  local out
  if ! out=$("$@" 2>>"$log" | grep '^{'); then
    echo "train-report: failed: $*  (see $log)" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  printf '%s\n' "$out" | sed "s/^{/{\"rep\":$rep,/" >> "$raw"
  printf '%s\n' "$out" | sed -n 's/.*"samples_per_s": *\([0-9.]*\).*/\1/p' | head -n 1
}

in_list() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# The FP32 FMA peak at $2 threads, run $1, as the GEMM report measures it: the report's ceiling
# (samples/s if every multiply-add of a step ran at this peak) comes from the same run.
fma_peak() {
  local rep=$1 t=$2 out
  if ! out=$("$java" --add-modules jdk.incubator.vector -cp "$bench_jar" dev.lanes.bench.FmaPeak --threads "$t" \
      --repeats 3 --seconds 0.2 --json 2>>"$log" | grep '^{'); then
    echo "train-report: failed: FmaPeak --threads $t  (see $log)" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  printf '%s\n' "$out" | sed "s/^{/{\"rep\":$rep,/" >> "$raw"
  printf '%s\n' "$out" | sed -n 's/.*"gflops": *\([0-9.]*\).*/\1/p' | head -n 1
}

measure() {  # rep, lib, hidden widths, batch, threads
  local rep=$1 lib=$2 layers=$3 batch=$4 t=$5
  case "$lib" in
    simd) record "$rep" "${lanes[@]}" bench train --backend simd --layers "$layers" --batch "$batch" \
              --samples "$samples" --epochs "$lanes_epochs" --threads "$t" --optimizer adam --json ;;
    loop) record "$rep" "${lanes[@]}" bench train --backend loop --layers "$layers" --batch "$batch" \
              --samples "$loop_samples" --epochs 1 --threads "$t" --optimizer adam --json ;;
    torch|numpy) record "$rep" "$py" "$bench_dir/train_reference.py" --lib "$lib" --threads "$t" \
              --layers "$layers" --batch "$batch" --samples "$samples" --epochs "$epochs" \
              --torch-adam "$torch_adam" --json ;;
    numpy-env) record "$rep" "$py" "$bench_dir/train_reference.py" --lib numpy --keep-env --threads "$t" \
              --layers "$layers" --batch "$batch" --samples "$samples" --epochs "$epochs" --json ;;
  esac
}

read -r -a lib_order <<< "$libs"
for rep in $(seq 1 "$repeats"); do
  # Rotate the order every run, so no library always runs right after the same one.
  shift_by=$(( (rep - 1) % ${#lib_order[@]} ))
  order=("${lib_order[@]:shift_by}" "${lib_order[@]:0:shift_by}")
  for t in $thread_counts; do
    peak=$(fma_peak "$rep" "$t")  # an assignment, so that a failure stops the script (set -e)
    echo "run $rep/$repeats  threads $t  FMA peak $peak GFLOP/s" >&2
  done
  for config in $configs; do
    layers=${config%%:*} batch=${config##*:}
    for t in $thread_counts; do
      line="run $rep/$repeats  784-${layers//,/-}-10 batch $batch  threads $t:"
      for lib in "${order[@]}"; do
        if [ "$lib" = loop ] && ! in_list "$config" "$loop_configs"; then continue; fi
        line="$line  $lib $(measure "$rep" "$lib" "$layers" "$batch" "$t")"
      done
      echo "$line samples/s" >&2
    done
  done
done

profile_out="$bench_dir/target/train-report-profile.txt"
: > "$profile_out"
if [ "$profile" != none ]; then
  layers=${profile%%:*} batch=${profile##*:}
  profile_command="lanes bench train --profile --backend simd --layers $layers --batch $batch --samples $samples --epochs $lanes_epochs --threads 1"
  echo "profile: $profile_command" >&2
  "${lanes[@]}" bench train --profile --backend simd --layers "$layers" --batch "$batch" --samples "$samples" \
      --epochs "$lanes_epochs" --threads 1 --optimizer adam 2>>"$log" > "$profile_out"
else
  profile_command=""
fi

cpu_description() {  # model, family/model (virtual machines often hide the marketing name), caches, ISA
  local info isa=AVX2
  info=$(LC_ALL=C lscpu)
  field() { printf '%s\n' "$info" | sed -n "s/^$1: *//p" | head -n 1; }
  grep -qw avx512f /proc/cpuinfo 2>/dev/null && isa=AVX-512
  printf '%s (family %s, model %s), %s CPUs online, %s; L1d %s, L2 %s, L3 %s\n' "$(field 'Model name')" \
    "$(field 'CPU family')" "$(field 'Model')" "$(nproc)" "$isa" "$(field 'L1d cache')" "$(field 'L2 cache')" \
    "$(field 'L3 cache')"
}

meta="$bench_dir/target/train-report-meta.json"
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$root" diff --quiet HEAD -- src pom.xml 2>/dev/null; then commit="$commit (with uncommitted changes)"; fi
DATE=$(date -u '+%Y-%m-%d %H:%M UTC') \
CPU="$(cpu_description)" \
JDK="$("$java" -version 2>&1 | grep -v '^WARNING' | sed -n 2p) ($java)" \
COMMIT=$commit COMMAND_LINE=$command_line REPEATS=$repeats SAMPLES=$samples EPOCHS=$epochs LANES_EPOCHS=$lanes_epochs \
LOOP_SAMPLES=$loop_samples TORCH_ADAM=$torch_adam PROFILE_COMMAND=$profile_command LOAD="$(cut -d' ' -f1-3 /proc/loadavg)" \
RAW=$(case "$raw" in "$root"/*) echo "${raw#"$root"/}" ;; *) echo "$raw" ;; esac) \
python3 - "$meta" <<'PY'
import json, os, sys
e = os.environ
json.dump({"date": e["DATE"], "cpu": e["CPU"], "jdk": e["JDK"], "commit": e["COMMIT"],
           "command": e["COMMAND_LINE"], "repeats": int(e["REPEATS"]), "samples": int(e["SAMPLES"]),
           "epochs": int(e["EPOCHS"]), "lanes_epochs": int(e["LANES_EPOCHS"]), "loop_samples": int(e["LOOP_SAMPLES"]), "torch_adam": e["TORCH_ADAM"],
           "profile_command": e["PROFILE_COMMAND"], "load_average_at_end": e["LOAD"], "raw_file": e["RAW"]},
          open(sys.argv[1], "w"), indent=1)
PY
python3 "$bench_dir/train_report.py" "$raw" "$meta" "$profile_out" "$out_dir/training.md" "$out_dir/training.svg"
echo "wrote $out_dir/training.md and $out_dir/training.svg" >&2
