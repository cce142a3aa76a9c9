#!/usr/bin/env bash
# Runs FusedKernelsBench (loop and simd, one thread, with -prof gc) and writes perf-reports/kernels.md.
# Shorter iterations than the benchmark's defaults so the whole matrix fits in about 15 minutes;
# KERNELS_JMH_ARGS overrides them (e.g. "-wi 10 -w 1s -i 5 -r 1s" for the class defaults).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
args=${KERNELS_JMH_ARGS:-"-wi 6 -w 500ms -i 3 -r 500ms -f 1"}
out=${KERNELS_OUT:-perf-reports}
mkdir -p "$out"
# shellcheck disable=SC2086
bench/run 'FusedKernelsBench' $args -prof gc -rf json -rff "$out/jmh-kernels.json" ${KERNELS_SELECT:-}
python3 bench/kernels_report.py "$out/jmh-kernels.json" --out "$out/kernels.md" \
    --command "bench/kernels-report.sh (JMH $args -prof gc)"
