#!/usr/bin/env bash
# Paired A/B benchmark: the working tree (B) against a git revision (A), on the same machine at the
# same time. On a shared, noisy machine absolute figures swing by tens of percent, but two builds run
# back to back see the same conditions, so the ratio B/A of each pair is far steadier than either.
#
#   bench/ab.sh [--pairs N] [--threshold T] <git-rev> -- <lanes arguments...>
#
#   bench/ab.sh --pairs 10 HEAD~1 -- bench train --layers 256,128 --batch 128 --samples 30000 \
#       --epochs 3 --optimizer adam --threads 1 --backend simd
#   bench/ab.sh HEAD~3 -- bench gemm --m 256 --n 1024 --k 1024 --threads 1
#
#   --pairs N      pairs of runs [10]; 5 or more are needed for a 90% interval, 10 give 98%
#   --threshold T  smallest difference that counts, a percentage (3%) or a fraction (0.03) [3%]
#
# How: <git-rev> is checked out in a temporary `git worktree add --detach` (removed on exit) and built
# there with `mvn -q -DskipTests package`; the working tree is built by its own bin/lanes (which
# rebuilds when sources changed). Each pair runs both once, each run a fresh JVM
# `<tree>/bin/lanes <arguments> --json`, in the order A B, B A, A B, ... so drift cancels. The figure
# taken is the JSON's throughput (higher is better): samples_per_s for `bench train`, gflops for
# `bench gemm`. Every build and every run holds `flock /tmp/lanes-bench.lock` (LANES_BENCH_LOCK
# overrides the path), so nothing overlaps another benchmark that takes the same lock.
# bench/ab_stats.py then prints the median and geometric mean of B/A, a sign count, and a
# distribution-free interval (>= 90%) of the median ratio, and the verdict: "faster" (whole interval
# above 1 + T), "slower" (whole interval below 1 - T) or "no difference detected".
#
# Do not edit the working tree's sources while it runs (bin/lanes would rebuild mid-way; ab.sh stops
# if the jar changes). JVM options reach both sides through LANES_JAVA_OPTS.
#
# Exit status: 0 done, including "faster" and "no difference detected"; 1 the working tree is slower
# than <git-rev> by more than T (interval entirely below 1 - T); 2 usage error (bad option, unknown
# revision, a lanes command other than bench train / bench gemm); 3 a build or a run failed.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench_dir")
stats="$bench_dir/ab_stats.py"
lock=${LANES_BENCH_LOCK:-/tmp/lanes-bench.lock}

usage() {
    echo "ab.sh: $1" >&2
    echo "usage: bench/ab.sh [--pairs N] [--threshold 3%] <git-rev> -- <lanes bench arguments...>" >&2
    echo "       e.g. bench/ab.sh HEAD~1 -- bench gemm --m 256 --n 1024 --k 1024 --threads 1" >&2
    exit 2
}

pairs=10
threshold=3%
rev=""
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        --pairs) [ $# -ge 2 ] || usage "--pairs needs a value"; pairs=$2; shift 2 ;;
        --pairs=*) pairs=${1#*=}; shift ;;
        --threshold) [ $# -ge 2 ] || usage "--threshold needs a value"; threshold=$2; shift 2 ;;
        --threshold=*) threshold=${1#*=}; shift ;;
        --) shift; break ;;
        -*) usage "unknown option '$1'" ;;
        *) [ -z "$rev" ] || usage "one git revision expected, got '$rev' and '$1' (put the lanes arguments after --)"
           rev=$1; shift ;;
    esac
done
lanes_args=("$@")

[ -n "$rev" ] || usage "no git revision given"
[ ${#lanes_args[@]} -gt 0 ] || usage "no lanes arguments after -- (e.g. -- bench train --samples 30000)"
[[ "$pairs" =~ ^[0-9]+$ ]] && [ "$pairs" -ge 1 ] || usage "--pairs must be a whole number >= 1, got '$pairs'"
command -v python3 >/dev/null || { echo "ab.sh: python3 is needed for the statistics" >&2; exit 2; }
command -v flock >/dev/null || { echo "ab.sh: flock (util-linux) is needed" >&2; exit 2; }
# Checked now, not after the runs: ab_stats.py refuses a bad threshold with exit 2.
python3 "$stats" --threshold "$threshold" <<< "1 1" >/dev/null 2>&1 ||
    usage "--threshold must be a percentage such as 3% (or a fraction such as 0.03), got '$threshold'"

case "${lanes_args[0]} ${lanes_args[1]:-}" in
    "bench train") field=samples_per_s ;;
    "bench gemm") field=gflops ;;
    *) usage "cannot A/B 'lanes ${lanes_args[*]}': only 'bench train' (samples_per_s) and 'bench gemm' (gflops) are known" ;;
esac
json_given=0
for a in "${lanes_args[@]}"; do [ "$a" = --json ] && json_given=1; done
[ $json_given = 1 ] || lanes_args+=(--json)

sha=$(git -C "$root" rev-parse --verify --quiet "$rev^{commit}") ||
    usage "unknown revision '$rev' (git rev-parse cannot resolve it to a commit in $root)"
short=$(git -C "$root" rev-parse --short "$sha")
head_short=$(git -C "$root" rev-parse --short HEAD)
dirty=""
[ -z "$(git -C "$root" status --porcelain --untracked-files=no)" ] || dirty=" + uncommitted changes"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lanes-ab.XXXXXX")
wt="$tmp/rev-$short"
cleanup() {
    if [ -d "$wt" ]; then
        git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    git -C "$root" worktree prune >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "ab.sh: $1" >&2; exit 3; }

# --- builds -------------------------------------------------------------------------------------
echo "A = $rev ($short), built in a temporary worktree"
echo "B = working tree $root ($head_short$dirty)"
git -C "$root" worktree add --quiet --detach "$wt" "$sha" 2>"$tmp/wt.log" ||
    { cat "$tmp/wt.log" >&2; fail "git worktree add failed for '$rev'"; }
[ -x "$wt/bin/lanes" ] || usage "revision '$rev' ($short) has no bin/lanes to run"

echo "building A: (cd $wt && mvn -q -DskipTests package)"
if ! (cd "$wt" && flock "$lock" mvn -q -DskipTests package) >"$tmp/build-a.log" 2>&1; then
    tail -n 30 "$tmp/build-a.log" >&2
    fail "building '$rev' ($short) failed (last lines above)"
fi
echo "building B if its sources changed: $root/bin/lanes help"
if ! (cd "$root" && flock "$lock" bin/lanes help) >"$tmp/build-b.log" 2>&1; then
    tail -n 30 "$tmp/build-b.log" >&2
    fail "building the working tree failed (last lines above)"
fi

jar_stamp() { find "$root/target" -maxdepth 1 -name 'lanes-*.jar' -printf '%p %T@\n' 2>/dev/null | sort; }
stamp=$(jar_stamp)

# --- runs ---------------------------------------------------------------------------------------
# run_one TREE LABEL: one fresh JVM; prints the throughput, or reports the failure and exits 3.
run_one() {
    local tree=$1 label=$2 rc=0 value
    (cd "$tree" && flock "$lock" bin/lanes "${lanes_args[@]}") >"$tmp/out" 2>"$tmp/err" || rc=$?
    value=$(python3 -c '
import json, sys
field = sys.argv[1]
lines = [l for l in open(sys.argv[2]) if l.lstrip().startswith("{")]
try:
    v = float(json.loads(lines[-1])[field])
    assert v > 0
    print(repr(v))
except Exception:
    pass
' "$field" "$tmp/out")
    if [ $rc -ne 0 ] || [ -z "$value" ]; then
        {
            echo "ab.sh: run of $label printed no JSON line with a positive \"$field\" (exit status $rc)"
            echo "  command: (cd $tree && flock $lock bin/lanes ${lanes_args[*]})"
            [ "$tree" = "$root" ] || echo "  ($tree is a worktree of $short, removed on exit)"
            echo "  stdout (last 5 lines):"; tail -n 5 "$tmp/out" | sed 's/^/    /'
            echo "  stderr (last 20 lines):"; tail -n 20 "$tmp/err" | sed 's/^/    /'
        } >&2
        exit 3
    fi
    printf '%s\n' "$value"
}

echo "command: bin/lanes ${lanes_args[*]}   (figure: $field, higher is better)"
echo "pairs: $pairs, order alternating (A B, B A, ...), threshold $threshold"
[ "$pairs" -ge 5 ] || echo "note: fewer than 5 pairs give no 90% interval; the verdict will be 'no difference detected'"
printf '%4s  %-5s  %14s  %14s  %8s\n' pair order "A ($short)" "B (tree)" B/A
: >"$tmp/pairs"
for ((i = 1; i <= pairs; i++)); do
    if ((i % 2)); then
        a=$(run_one "$wt" "A ($rev)"); b=$(run_one "$root" "B (working tree)"); order="A B"
    else
        b=$(run_one "$root" "B (working tree)"); a=$(run_one "$wt" "A ($rev)"); order="B A"
    fi
    [ "$(jar_stamp)" = "$stamp" ] || fail "the working tree's jar was rebuilt during the A/B (sources changed?); start again"
    echo "$a $b" >>"$tmp/pairs"
    awk -v i="$i" -v o="$order" -v a="$a" -v b="$b" \
        'BEGIN { printf "%4d  %-5s  %14.3f  %14.3f  %8.4f\n", i, o, a, b, b / a }'
done

echo
rc=0
python3 "$stats" --threshold "$threshold" <"$tmp/pairs" || rc=$?
exit $rc
