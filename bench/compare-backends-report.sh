#!/usr/bin/env bash
# Regenerates perf-reports/backends.md: `lanes bench compare-backends` (loop versus simd on GEMM, every
# fused kernel and a training epoch) run twice, once as usual and once with C2's auto-vectorizer
# (SuperWord) switched off, so the table can say which plain loops of the loop backend C2 auto-vectorizes
# on this JDK: a loop that SuperWord vectorizes gets clearly slower without it; one it leaves scalar
# does not change. The Vector API code of the simd backend does not go through SuperWord.
#
#   bench/compare-backends-report.sh       (about 8 minutes)
#
# Settings (environment; defaults in brackets):
#   BACKENDS_THREADS   threads for GEMM and training [1]
#   BACKENDS_ONLY      only items whose name contains this, or of this group [all]
#   BACKENDS_QUICK     1 for compare-backends --quick (smoke runs only) [0]
#   BACKENDS_OUT_DIR   where backends.md and backends-raw.jsonl go [perf-reports]
#   LANES_CMD          Lanes CLI command [bin/lanes]
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
. "$bench_dir/../bin/jdk.sh"

threads=${BACKENDS_THREADS:-1}
only=${BACKENDS_ONLY:-}
quick=${BACKENDS_QUICK:-0}
out_dir=${BACKENDS_OUT_DIR:-"$root/perf-reports"}
command_line="bench/compare-backends-report.sh"
for var in BACKENDS_THREADS BACKENDS_ONLY BACKENDS_QUICK BACKENDS_OUT_DIR LANES_CMD; do
  if [ -n "${!var:-}" ]; then command_line="$var='${!var}' $command_line"; fi
done
if [ -n "${LANES_CMD:-}" ]; then read -r -a lanes <<< "$LANES_CMD"; else lanes=("$root/bin/lanes"); fi
args=(bench compare-backends --json --threads "$threads")
[ -n "$only" ] && args+=(--only "$only")
[ "$quick" = 1 ] && args+=(--quick)
java=$(find_java25)
"${lanes[@]}" help > /dev/null  # builds the jar now if it is stale

mkdir -p "$out_dir" "$bench_dir/target"
raw="$out_dir/backends-raw.jsonl"
log="$bench_dir/target/compare-backends-report.log"
: > "$log"
echo "compare-backends: as usual" >&2
"${lanes[@]}" "${args[@]}" 2>>"$log" | grep '^{' | sed 's/^{/{"superword":true,/' > "$raw"
echo "compare-backends: with -XX:-UseSuperWord" >&2
LANES_JAVA_OPTS="${LANES_JAVA_OPTS:-} -XX:-UseSuperWord" "${lanes[@]}" "${args[@]}" 2>>"$log" | grep '^{' \
    | sed 's/^{/{"superword":false,/' >> "$raw"

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$root" diff --quiet HEAD -- src pom.xml 2>/dev/null; then commit="$commit (with uncommitted changes)"; fi
python3 "$bench_dir/backends_report.py" "$raw" "$out_dir/backends.md" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(LC_ALL=C lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) CPUs" \
    "$("$java" -version 2>&1 | grep -v '^WARNING' | sed -n 2p)" "$commit" "$command_line" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrote $out_dir/backends.md" >&2
