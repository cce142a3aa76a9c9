#!/usr/bin/env bash
# Regenerates perf-reports/gemm.md: GEMM GFLOP/s of Lanes loop and simd and numpy/OpenBLAS per shape
# and thread count, with ratios and the measured FP32 FMA peak, all from one run on this machine.
# Lanes simd and numpy are measured alternately, shape by shape, in each of GEMM_REPEATS runs, so
# every ratio compares figures taken under the same conditions; the FMA peak is re-measured at the
# start of each run. The loop backend (seconds per call at 1024) is measured once, in the first run.
#
#   bench/gemm-report.sh
#
# Settings (environment; defaults in brackets):
#   GEMM_SHAPES         MxKxN list, M×K·K×N [the nine shapes of the issue]
#   GEMM_THREADS        thread counts [1 2]
#   GEMM_REPEATS        alternating runs [3]
#   GEMM_INNER_REPEATS  timed batches per measurement, median taken [7]
#   GEMM_SECONDS        warm-up and batch length in seconds [0.3]
#   GEMM_LOOP_BIG_FLOP  from this many FLOP per call, loop is timed once after 3 warm-up calls [1e8]
#   GEMM_OUT_DIR        where gemm.md and gemm-raw.jsonl go [perf-reports]
#   GEMM_LANES_TOOL     how Lanes is measured: cli (`lanes bench gemm --json`) or jmh (GemmBench) [cli]
#   GEMM_JMH_ARGS       JMH options per Lanes measurement with jmh [-wi 10 -w 1s -i 3 -r 1s]
#   GEMM_PYTHON         Python with numpy, for numpy's figures and the report [python3; bench/setup-python.sh
#                       makes bench/.venv/bin/python]
#   LANES_CMD           Lanes CLI command [bin/lanes, else the CLI inside bench/target/benchmarks.jar]
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
. "$bench_dir/../bin/jdk.sh"

shapes=${GEMM_SHAPES:-"64x64x64 128x128x128 256x256x256 512x512x512 1024x1024x1024 128x784x256 256x784x1024 256x1024x1024 128x256x10"}
thread_counts=${GEMM_THREADS:-"1 2"}
repeats=${GEMM_REPEATS:-3}
inner=${GEMM_INNER_REPEATS:-7}
seconds=${GEMM_SECONDS:-0.3}
loop_big_flop=${GEMM_LOOP_BIG_FLOP:-1e8}
out_dir=${GEMM_OUT_DIR:-"$root/perf-reports"}
lanes_tool=${GEMM_LANES_TOOL:-cli}
jmh_args=${GEMM_JMH_ARGS:-"-wi 10 -w 1s -i 3 -r 1s"}
case "$lanes_tool" in cli|jmh) ;; *) echo "gemm-report: GEMM_LANES_TOOL must be cli or jmh" >&2; exit 2 ;; esac
python=${GEMM_PYTHON:-python3}
# Checked before building and measuring: the python3 on PATH may lack numpy (a system one, when numpy was
# installed only into bench/.venv), which failed the first numpy measurement, after the build and FMA peak.
if ! "$python" -c 'import numpy' 2>/dev/null; then
  echo "gemm-report: '$python' cannot import numpy; set GEMM_PYTHON to a Python that has it, e.g. after" \
       "bench/setup-python.sh: GEMM_PYTHON=$bench_dir/.venv/bin/python" >&2
  exit 2
fi

command_line="bench/gemm-report.sh"
for var in GEMM_SHAPES GEMM_THREADS GEMM_REPEATS GEMM_INNER_REPEATS GEMM_SECONDS GEMM_LOOP_BIG_FLOP GEMM_OUT_DIR \
    GEMM_LANES_TOOL GEMM_JMH_ARGS GEMM_PYTHON LANES_CMD; do
  if [ -n "${!var:-}" ]; then command_line="$var='${!var}' $command_line"; fi
done

"$bench_dir/run" --build
java=$(find_java25)
jar="$bench_dir/target/benchmarks.jar"
if [ -n "${LANES_CMD:-}" ]; then
  read -r -a lanes <<< "$LANES_CMD"
elif [ -x "$root/bin/lanes" ]; then
  lanes=("$root/bin/lanes")
else
  lanes=("$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC
         -cp "$jar" dev.lanes.cli.Main)
fi

mkdir -p "$out_dir" "$bench_dir/target"
raw="$out_dir/gemm-raw.jsonl"
log="$bench_dir/target/gemm-report.log"
: > "$raw"
: > "$log"

# Runs a measuring command, keeps its JSON lines tagged with the run number, prints its gflops.
record() {
  local rep=$1 tag=$2; shift 2
  local out
  if ! out=$("$@" 2>>"$log" | grep '^{'); then
    echo "gemm-report: failed: $*  (see $log)" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  printf '%s\n' "$out" | sed "s/^{/{\"rep\":$rep$tag,/" >> "$raw"
  printf '%s\n' "$out" | sed -n 's/.*"gflops": *\([0-9.]*\).*/\1/p' | head -n 1
}

# Prints one JSON line for Lanes GEMM: backend $1, threads $2, shape $3 (MxKxN), then either the
# CLI's or JMH's own options.
lanes_gemm() {
  local backend=$1 t=$2 shape=$3 m k n; shift 3
  IFS=x read -r m k n <<< "$shape"
  if [ "$lanes_tool" = cli ]; then
    "${lanes[@]}" bench gemm --m "$m" --n "$n" --k "$k" --threads "$t" --backend "$backend" --json "$@"
  else
    local result="$bench_dir/target/gemm-report-jmh.json"
    "$java" -jar "$jar" GemmBench -p "shape=$shape" -p "backend=$backend" -p "threads=$t" -f 1 "$@" \
        -rf json -rff "$result" >> "$log"
    "$python" - "$result" "$backend" "$t" "$m" "$n" "$k" <<'PY'
import json, sys
path, backend, t, m, n, k = sys.argv[1:]
run = json.load(open(path))[0]
gflop = run["secondaryMetrics"]["gflop"]
raw = [x for fork in gflop["rawData"] for x in fork]
print(json.dumps({"backend": backend, "threads": int(t), "m": int(m), "n": int(n), "k": int(k),
                  "gflops": round(gflop["score"], 3), "min_gflops": round(min(raw), 3),
                  "max_gflops": round(max(raw), 3), "repeats": len(raw), "tool": "jmh",
                  "jmh": f"-wi {run['warmupIterations']} -w {run['warmupTime']} "
                          f"-i {run['measurementIterations']} -r {run['measurementTime']}"}))
PY
  fi
}

is_big() {  # true when 2·M·N·K of shape $1 (MxKxN) reaches GEMM_LOOP_BIG_FLOP
  awk -v s="$1" -v big="$loop_big_flop" 'BEGIN { split(s, d, "x"); exit !(2 * d[1] * d[2] * d[3] >= big + 0) }'
}

for rep in $(seq 1 "$repeats"); do
  for t in $thread_counts; do
    g=$(record "$rep" "" "$java" --add-modules jdk.incubator.vector -cp "$jar" dev.lanes.bench.FmaPeak \
        --threads "$t" --repeats "$inner" --seconds "$seconds" --json)
    echo "run $rep/$repeats  threads $t  FMA peak $g GFLOP/s" >&2
    for shape in $shapes; do
      if [ "$lanes_tool" = cli ]; then simd_args=(--repeats "$inner" --seconds "$seconds"); else read -r -a simd_args <<< "$jmh_args"; fi
      simd=$(record "$rep" ',"lib":"lanes"' lanes_gemm simd "$t" "$shape" "${simd_args[@]}")
      numpy=$(record "$rep" "" "$python" "$bench_dir/numpy_gemm.py" --shapes "$shape" --threads "$t" \
          --repeats "$inner" --seconds "$seconds")
      loop="-"
      if [ "$rep" = 1 ]; then
        if [ "$lanes_tool" = jmh ]; then
          if is_big "$shape"; then loop_args=(-wi 1 -w 1s -i 1 -r 1s); else loop_args=("${simd_args[@]}"); fi
        elif is_big "$shape"; then loop_args=(--repeats 1 --seconds 0)
        else loop_args=(--repeats 3 --seconds "$seconds"); fi
        loop=$(record "$rep" ',"lib":"lanes"' lanes_gemm loop "$t" "$shape" "${loop_args[@]}")
      fi
      echo "run $rep/$repeats  threads $t  $shape  simd $simd  numpy $numpy  loop $loop GFLOP/s" >&2
    done
  done
done

cpu_description() {  # model, family/model (virtual machines often hide the marketing name), caches, ISA
  local info isa=AVX2
  info=$(LC_ALL=C lscpu)
  field() { printf '%s\n' "$info" | sed -n "s/^$1: *//p" | head -n 1; }
  grep -qw avx512f /proc/cpuinfo 2>/dev/null && isa=AVX-512
  printf '%s (family %s, model %s), %s CPUs online, %s; L1d %s, L2 %s, L3 %s\n' "$(field 'Model name')" \
    "$(field 'CPU family')" "$(field 'Model')" "$(nproc)" "$isa" "$(field 'L1d cache')" "$(field 'L2 cache')" \
    "$(field 'L3 cache')"
}

meta="$bench_dir/target/gemm-report-meta.json"
if [ "$lanes_tool" = cli ]; then
  lanes_command="${lanes[*]##*/} bench gemm ... --json"
else
  lanes_command="JMH GemmBench ($jmh_args; loop from $loop_big_flop FLOP: -wi 1 -w 1s -i 1 -r 1s)"
fi
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$root" diff --quiet HEAD -- src pom.xml 2>/dev/null; then commit="$commit (with uncommitted changes)"; fi
DATE=$(date -u '+%Y-%m-%d %H:%M UTC') \
CPU="$(cpu_description)" \
JDK="$("$java" -version 2>&1 | grep -v '^WARNING' | sed -n 2p) ($java)" \
COMMIT=$commit COMMAND_LINE=$command_line REPEATS=$repeats INNER=$inner \
LANES_COMMAND=$lanes_command SECONDS_=$seconds \
RAW=$(case "$raw" in "$root"/*) echo "${raw#"$root"/}" ;; *) echo "$raw" ;; esac) \
"$python" - "$meta" <<'PY'
import json, os, sys
e = os.environ
json.dump({"date": e["DATE"], "cpu": e["CPU"], "jdk": e["JDK"], "commit": e["COMMIT"],
           "command": e["COMMAND_LINE"], "lanes_command": e["LANES_COMMAND"], "repeats": int(e["REPEATS"]),
           "inner_repeats": int(e["INNER"]), "seconds": e["SECONDS_"], "raw_file": e["RAW"]},
          open(sys.argv[1], "w"), indent=1)
PY
"$python" "$bench_dir/gemm_report.py" "$raw" "$meta" "$out_dir/gemm.md"
echo "gemm-report: wrote $out_dir/gemm.md and $raw" >&2
