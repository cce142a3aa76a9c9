#!/usr/bin/env python3
"""Statistics of a paired A/B benchmark, for bench/ab.sh (standard library only).

    python3 bench/ab_stats.py [--threshold 3%] [--level 0.90] < PAIRS
    python3 bench/ab_stats.py --self-test

PAIRS holds one pair a line, "A B": two throughputs (higher is better) measured back to back,
A = the git revision, B = the working tree; blank lines and lines starting with # are skipped.
For the ratios r = B/A it prints the median, the geometric mean, how many pairs went each way
(with a two-sided sign test), and a distribution-free interval for the median ratio: the order
statistics r(k)..r(n+1-k), the interval that inverting the sign test gives, with the largest k
whose exact binomial coverage is at least --level (it needs at least 5 pairs for 90%).

Verdict at threshold t: "faster" when the whole interval is above 1 + t, "slower" when it is
entirely below 1 - t, otherwise "no difference detected".
Exit status: 0, or 1 when the verdict is "slower", or 2 on bad input or options.
"""
import math
import statistics
import subprocess
import sys


def parse_threshold(text):
    """'3%' -> 0.03, '0.03' -> 0.03; a fraction in [0, 1), else ValueError."""
    t = text.strip()
    percent = t.endswith("%")
    v = float(t[:-1] if percent else t)
    if percent:
        v /= 100
    if not (0 <= v < 1):
        raise ValueError(f"threshold must be a percentage such as 3% (or a fraction such as 0.03), got '{text}'")
    return v


def binom_cdf(k, n):
    """P(X <= k) for X ~ Binomial(n, 1/2)."""
    return sum(math.comb(n, i) for i in range(0, k + 1)) / 2 ** n if k >= 0 else 0.0


def median_interval(sorted_ratios, level):
    """(lo, hi, k, coverage) of the sign-test interval r(k)..r(n+1-k), or None if n is too small."""
    n = len(sorted_ratios)
    best = None
    for k in range(1, n // 2 + 1):
        coverage = 1 - 2 * binom_cdf(k - 1, n)
        if coverage >= level:
            best = (sorted_ratios[k - 1], sorted_ratios[n - k], k, coverage)
        else:
            break
    return best


def analyse(pairs, threshold, level=0.90):
    ratios = [b / a for a, b in pairs]
    s = sorted(ratios)
    n = len(s)
    plus = sum(r > 1 for r in s)
    minus = sum(r < 1 for r in s)
    m = plus + minus
    p = min(1.0, 2 * binom_cdf(min(plus, minus), m)) if m else 1.0
    interval = median_interval(s, level)
    verdict, exit_code = "no difference detected", 0
    if interval is not None:
        lo, hi = interval[0], interval[1]
        if lo > 1 + threshold:
            verdict = "faster"
        elif hi < 1 - threshold:
            verdict, exit_code = "slower", 1
    return {
        "n": n, "ratios": ratios, "median": statistics.median(s),
        "geomean": math.exp(statistics.fmean(math.log(r) for r in s)),
        "plus": plus, "minus": minus, "ties": n - m, "sign_p": p,
        "interval": interval, "level": level, "threshold": threshold,
        "verdict": verdict, "exit_code": exit_code,
    }


def pct(r):
    return f"{(r - 1) * 100:+.1f}%"


def report(res):
    t = res["threshold"]
    lines = [
        f"pairs              {res['n']}  (ratio B/A: above 1 means B, the working tree, is faster)",
        f"median B/A         {res['median']:.4f}  ({pct(res['median'])})",
        f"geometric mean B/A {res['geomean']:.4f}  ({pct(res['geomean'])})",
        f"sign test          B faster in {res['plus']} of {res['n']} pairs, slower in {res['minus']}"
        f"{', tied in %d' % res['ties'] if res['ties'] else ''} (two-sided p = {res['sign_p']:.3f})",
    ]
    iv = res["interval"]
    if iv is None:
        lines.append(f"interval           none: {res['n']} pairs are too few for a {res['level']:.0%} interval "
                     f"of the median (5 give 94%, 10 give 98%)")
    else:
        lo, hi, k, cov = iv
        lines.append(f"interval           {lo:.4f} .. {hi:.4f}  ({pct(lo)} .. {pct(hi)}): the median B/A lies in it "
                     f"with {cov:.1%} confidence (>= {res['level']:.0%}; order statistics {k} and "
                     f"{res['n'] + 1 - k} of {res['n']}, distribution-free)")
    v = res["verdict"]
    if v == "faster":
        why = f"the whole interval is above {1 + t:.4f}"
    elif v == "slower":
        why = f"the whole interval is below {1 - t:.4f}"
    elif iv is None:
        why = "run more pairs"
    elif iv[0] > 1:
        why = f"B is probably faster, but not shown to be by more than {t:.1%}"
    elif iv[1] < 1:
        why = f"B is probably slower, but not shown to be by more than {t:.1%}"
    else:
        why = "the interval contains 1"
    lines.append(f"verdict            {v} at threshold {t:.1%}: {why}")
    return "\n".join(lines)


def read_pairs(stream):
    pairs = []
    for no, line in enumerate(stream, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        try:
            a, b = (float(x) for x in fields)
        except ValueError:
            raise ValueError(f"line {no}: expected two numbers 'A B', got '{line}'")
        if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
            raise ValueError(f"line {no}: throughputs must be positive and finite, got '{line}'")
        pairs.append((a, b))
    if not pairs:
        raise ValueError("no pairs on standard input")
    return pairs


def self_test():
    failures = []
    checks = 0

    def check(name, got, want):
        nonlocal checks
        checks += 1
        ok = math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12) if isinstance(want, float) else got == want
        if not ok:
            failures.append(f"{name}: got {got!r}, want {want!r}")

    # Exact binomial coverages of the sign-test interval.
    check("coverage n=5", median_interval(list(range(5)), 0.90)[2:], (1, 1 - 2 / 32))
    check("coverage n=10", median_interval(list(range(10)), 0.90)[2:], (2, 1 - 2 * 11 / 1024))
    check("coverage n=20", median_interval(list(range(20)), 0.90)[2], 6)
    check("n=4 has no 90% interval", median_interval(list(range(4)), 0.90), None)

    # Clearly slower: B is 6-12% below A in every pair -> slower, exit 1.
    slow = [(100.0, b) for b in (94, 88, 89, 90, 91, 90, 92, 93, 91, 95)]
    r = analyse(slow, 0.03)
    check("slower median", r["median"], 0.91)
    check("slower interval", r["interval"][:2], (0.89, 0.94))
    check("slower signs", (r["plus"], r["minus"], r["ties"]), (0, 10, 0))
    check("slower sign p", r["sign_p"], 2 / 1024)
    check("slower verdict", (r["verdict"], r["exit_code"]), ("slower", 1))

    # The same ratios the other way round -> faster, exit 0.
    fast = [(b, a) for a, b in slow]
    r = analyse(fast, 0.03)
    check("faster verdict", (r["verdict"], r["exit_code"]), ("faster", 0))

    # Slower, but the interval reaches above 1 - threshold -> no difference, exit 0 (the exit-code rule).
    slight = [(100.0, b) for b in (95, 96, 97, 98, 99, 98.5, 97.5, 96.5, 95.5, 98)]
    r = analyse(slight, 0.03)
    check("slight interval", r["interval"][:2], (0.955, 0.985))
    check("slight verdict", (r["verdict"], r["exit_code"]), ("no difference detected", 0))
    check("slight is slower at 0%", analyse(slight, 0.0)["exit_code"], 1)

    # Noise around 1 -> no difference; geometric mean of 0.5 and 2 is 1.
    noise = [(100.0, b) for b in (97, 104, 99, 102, 100, 96, 103, 101, 98, 105)]
    r = analyse(noise, 0.03)
    check("noise median", r["median"], 1.005)
    check("noise ties", r["ties"], 1)
    check("noise verdict", (r["verdict"], r["exit_code"]), ("no difference detected", 0))
    check("geomean", analyse([(2.0, 1.0), (1.0, 2.0)], 0.03)["geomean"], 1.0)

    # Too few pairs: even a halving is not called slower.
    r = analyse([(100.0, 50.0), (100.0, 50.0)], 0.03)
    check("two pairs", (r["interval"], r["verdict"], r["exit_code"]), (None, "no difference detected", 0))

    check("threshold 3%", parse_threshold("3%"), 0.03)
    check("threshold 0.05", parse_threshold("0.05"), 0.05)
    for bad in ("abc", "150%", "-1%", "1"):
        try:
            parse_threshold(bad)
            check(f"threshold {bad!r} refused", False, True)
        except ValueError:
            check(f"threshold {bad!r} refused", True, True)

    # End to end through main(): the exit codes 1 (slower), 0 and 2 (bad input).
    def run(stdin, *args):
        p = subprocess.run([sys.executable, __file__, *args], input=stdin, capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    text = "\n".join(f"{a} {b}" for a, b in slow)
    code, out, _ = run(text, "--threshold", "3%")
    check("main slower exit", code, 1)
    check("main slower verdict printed", "verdict            slower" in out, True)
    check("main faster exit", run("\n".join(f"{a} {b}" for a, b in fast), "--threshold", "3%")[0], 0)
    check("main bad line exit", run("100 x\n")[0], 2)
    check("main empty exit", run("")[0], 2)
    check("main bad threshold exit", run(text, "--threshold", "3x")[0], 2)

    for f in failures:
        print("FAIL", f)
    print(f"ab_stats self-test: {checks - len(failures)} of {checks} checks passed")
    return 1 if failures or checks < 30 else 0


def main(argv):
    threshold, level = 0.03, 0.90
    i = 0
    try:
        while i < len(argv):
            arg = argv[i]
            if arg == "--self-test":
                return self_test()
            if arg in ("--threshold", "--level") and i + 1 < len(argv):
                if arg == "--threshold":
                    threshold = parse_threshold(argv[i + 1])
                else:
                    level = float(argv[i + 1])
                    if not 0 < level < 1:
                        raise ValueError(f"--level must be between 0 and 1, got {argv[i + 1]}")
                i += 2
            else:
                raise ValueError(f"unknown or incomplete option '{arg}' (see the top of {__file__})")
        pairs = read_pairs(sys.stdin)
    except ValueError as e:
        print(f"ab_stats: {e}", file=sys.stderr)
        return 2
    res = analyse(pairs, threshold, level)
    print(report(res))
    return res["exit_code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
