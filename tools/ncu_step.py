#!/usr/bin/env python3
"""Per-kernel share of one decode step from an Nsight Compute CSV.

usage: ncu --csv --metrics gpu__time_duration.sum --clock-control none \
           --cache-control none --log-file X.csv build/minimax-bench ... --kernels fast
       python3 tools/ncu_step.py X.csv [step_ms]

Finds the last complete decode step (k_embed ... k_sample) among the profiled
kernels (and the last one before it that used other kernels: an earlier bench
variant) and prints, per kernel name, launches per step, summed GPU time and
its share of the summed kernel time (and of step_ms, the graph-replay time
from minimax-bench, when given: the rest is launch gaps and ramp-up). ncu runs
every kernel alone, so its durations hold no overlap between kernels."""
import csv, sys

unit = {"nsecond": 1e-3, "ns": 1e-3, "usecond": 1.0, "us": 1.0, "msecond": 1e3, "ms": 1e3, "second": 1e6}
rows = []
with open(sys.argv[1], newline="") as f:
    lines = [l for l in f if l.startswith('"')]
for r in csv.DictReader(lines):
    if r.get("Metric Name") != "gpu__time_duration.sum":
        continue
    name = r["Kernel Name"].split("(")[0].strip()
    if name.startswith("k_gemv"):  # the products differ by shape: name them by grid
        name += " " + r["Grid Size"].replace(" ", "")
    rows.append((name, float(r["Metric Value"].replace(",", "")) * unit.get(r["Metric Unit"], 1.0)))
ends = [i for i, (n, _) in enumerate(rows) if n in ("k_sample", "k_sample_fast")]
steps = []
for e in ends:
    s = max(i for i in range(e + 1) if rows[i][0] in ("k_embed", "k_mg_embed"))
    steps.append(rows[s:e + 1])
if not steps:
    sys.exit("no complete step (k_embed .. k_sample) found")
step_us = float(sys.argv[2]) * 1e3 if len(sys.argv) > 2 else None
# the last step, and the last one of another kernel set (bench variants run in order)
shown = [steps[-1]]
names = lambda st: sorted(set(n for n, _ in st))
for st in reversed(steps):
    if names(st) != names(shown[0]):
        shown.insert(0, st)
        break
for k, step in enumerate(shown):
    tot = sum(t for _, t in step)
    agg = {}
    for n, t in step:
        c, s = agg.get(n, (0, 0.0))
        agg[n] = (c + 1, s + t)
    su = step_us if k == len(shown) - 1 else None
    print("%-34s %6s %10s %9s %8s%s" % ("kernel", "count", "sum us", "us each", "share", "  of step" if su else ""))
    for n, (c, s) in sorted(agg.items(), key=lambda kv: -kv[1][1]):
        print("%-34s %6d %10.1f %9.2f %7.1f%%%s" % (n, c, s, s / c, 100 * s / tot,
              "  %7.1f%%" % (100 * s / su) if su else ""))
    print("%-34s %6d %10.1f" % ("sum of kernels", len(step), tot) +
          ("   step %.1f us: gaps %.1f us (%.1f us per kernel)" % (su, su - tot, (su - tot) / len(step)) if su else ""))
