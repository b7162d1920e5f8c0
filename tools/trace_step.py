#!/usr/bin/env python3
"""One decode step's timeline from a step trace (minimax-bench --trace FILE).

    python3 tools/trace_step.py FILE [--src src/kernels.cu] [--layer N] [--blocks]

The trace holds one record per block (kernels.cu "step trace"): the global
timer before its PDL_WAIT, and when the wait returned, when it last
triggered its dependents and when it exited, with the PDL_WAIT's source line
and gridDim.x. Records of one kernel body and grid are one launch per layer:
the k-th record of block b (in time order) belongs to the k-th launch.

For each launch:
  start   the first block's timer before its wait (the launch reached an SM)
  release the first block's wait returned (the kernel ahead had completed)
  end     the last block's exit
Per kernel of the layer, medians over the layers:
  exposed   end - end of the launch before it: what it adds to the step
  dep       release - end of the launch before it: from the last block of the
            kernel ahead leaving to the wait returning here (completion,
            memory flush, the wait's own latency)
  work      end - release
  early     release - start: how long its blocks sat waiting (launched early)
--blocks: per kernel, how its blocks spread after the release (us from the
launch's release, medians over the layers): exits at the 10th, 50th and
90th percentile and the last; triggers (PDL_TRIGGER) first, median, last.
A wide exit spread is a tail with DRAM idling (uneven work or SMs); a
kernel whose blocks trigger late holds its dependents back.
The source must be the kernels.cu the traced build used (the same commit).
"""
import struct
import sys
import re
from collections import defaultdict


def kernel_names(src_path):
    """PDL_WAIT line -> the enclosing function's name."""
    names = {}
    cur = "?"
    with open(src_path) as f:
        for n, line in enumerate(f, 1):
            if ("__global__" in line or "__device__" in line) and not line.lstrip().startswith("#"):
                calls = [c for c in re.findall(r"\b(\w+)\s*\(", line) if c != "__launch_bounds__"]
                if calls:
                    cur = calls[0]
            if "PDL_WAIT()" in line and not line.lstrip().startswith("#define"):
                names[n] = cur
    return names


GEMV_ROLE = {512: "q|k|v (norm)", 384: "o_proj", 64: "router (norm)", 6252: "lm_head"}


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    path, src, want_layer = args[0], "src/kernels.cu", None
    if "--src" in args:
        src = args[args.index("--src") + 1]
    if "--layer" in args:
        want_layer = int(args[args.index("--layer") + 1])
    want_blocks = "--blocks" in args
    data = open(path, "rb").read()
    if data[:8] != b"mmtrace1":
        print("%s: not a step trace" % path)
        return 1
    n, size = struct.unpack_from("<II", data, 8)
    recs = []
    for i in range(n):
        t0, dw, dt, de, lsm, grid, blk = struct.unpack_from("<QIIIIII", data, 16 + i * size)
        recs.append((t0, t0 + dw, t0 + dt if dt else 0, t0 + de, lsm >> 16, grid, blk))
    names = kernel_names(src)
    ts = sorted(set(r[0] for r in recs))
    res = min((b - a for a, b in zip(ts, ts[1:]) if b > a), default=0)
    print("records %d, timer step seen %d ns" % (n, res))

    # launches: per (line, grid), the k-th record of each block in time order
    per_key = defaultdict(list)
    for r in sorted(recs):
        per_key[(r[4], r[5])].append(r)
    launches = []
    for key, rs in per_key.items():
        seen = defaultdict(int)
        groups = defaultdict(list)
        for r in rs:
            k = seen[r[6]]
            seen[r[6]] += 1
            groups[k].append(r)
        for k, g in groups.items():
            name = names.get(key[0], "line%d" % key[0])
            if "gemv" in name:
                name = GEMV_ROLE.get(key[1], name + "/%d" % key[1])
            trig = sorted(x[2] for x in g if x[2])
            ends = sorted(x[3] for x in g)
            launches.append({
                "name": name, "grid": key[1], "blocks": len(g),
                "start": min(x[0] for x in g), "release": min(x[1] for x in g),
                "release_last": max(x[1] for x in g), "trig": trig[-1] if trig else 0,
                "end": ends[-1], "ends": ends, "trigs": trig,
            })
    launches.sort(key=lambda L: L["start"])
    t_first = launches[0]["start"]
    step_ns = max(L["end"] for L in launches) - t_first
    print("launches %d, first start to last exit %.1f us" % (len(launches), step_ns / 1e3))

    # layers: from one q|k|v launch to the next
    idx = [i for i, L in enumerate(launches) if L["name"] == "q|k|v (norm)"]
    layers = [launches[a:b] for a, b in zip(idx, idx[1:] + [len(launches)])]
    if not layers:
        print("no q|k|v launches found: is the source the traced build's?")
        return 1
    def names(ly):
        return [L["name"] for L in ly]

    shape = names(layers[len(layers) // 2])
    same = [ly for ly in layers if names(ly) == shape]
    per = [ly[0]["release"] for ly in same]
    print("layers %d (of one shape: %d): %s" % (len(layers), len(same), " -> ".join(shape)))

    def med(v):
        v = sorted(v)
        return v[len(v) // 2] if v else 0.0

    lay = [(b[0]["release"] - a[0]["release"]) / 1e3 for a, b in zip(layers, layers[1:])]
    print("layer (q|k|v release to the next's): median %.2f us, min %.2f, max %.2f" % (med(lay), min(lay), max(lay)))
    print()
    print("%-20s %7s %9s %7s %7s %7s %7s" % ("kernel", "blocks", "exposed", "dep", "work", "early", "spread"))
    tot = 0.0
    for j, nm in enumerate(shape):
        # (launch, end of the launch before it): q|k|v against the layer before's down
        if j > 0:
            pairs = [(ly[j], ly[j - 1]["end"]) for ly in same]
        else:
            pairs = [(b[0], a[-1]["end"]) for a, b in zip(layers, layers[1:]) if names(a) == shape and names(b) == shape]
        ex = [(L["end"] - pe) / 1e3 for L, pe in pairs]
        dep = [(L["release"] - pe) / 1e3 for L, pe in pairs]
        wk = [(L["end"] - L["release"]) / 1e3 for L, _ in pairs]
        ea = [(L["release"] - L["start"]) / 1e3 for L, _ in pairs]
        sp = [(L["release_last"] - L["release"]) / 1e3 for L, _ in pairs]
        tot += med(ex)
        print("%-20s %7d %9.2f %7.2f %7.2f %7.2f %7.2f" %
              (nm, same[0][j]["blocks"], med(ex), med(dep), med(wk), med(ea), med(sp)))
    print("%-20s %7s %9.2f" % ("sum", "", tot))
    if want_blocks:
        def q(v, f):  # the value at fraction f of sorted v
            return v[min(len(v) - 1, int(f * len(v)))]

        print()
        print("blocks, us from the release: exits p10 / p50 / p90 / last; triggers first / p50 / last")
        for j, nm in enumerate(shape):
            ex = [[(q(L["ends"], f) - L["release"]) / 1e3 for f in (0.1, 0.5, 0.9, 1.0)] for L in (ly[j] for ly in same)]
            tr = [[(q(L["trigs"], f) - L["release"]) / 1e3 for f in (0.0, 0.5, 1.0)] for L in (ly[j] for ly in same)
                  if L["trigs"]]
            cols = ["%7.2f" % med([e[c] for e in ex]) for c in range(4)]
            cols += ["%7.2f" % med([t[c] for t in tr]) for c in range(3)] if tr else ["%7s" % "-"] * 3
            print("%-20s %s" % (nm, " ".join(cols)))
    if want_layer is not None and 0 <= want_layer < len(layers):
        ly = layers[want_layer]
        z = ly[0]["start"]
        print()
        print("layer %d, us from its q|k|v start: start / release / last release / last trigger / end" % want_layer)
        for L in ly:
            print("%-20s %7.2f %7.2f %7.2f %7.2f %7.2f" %
                  (L["name"], (L["start"] - z) / 1e3, (L["release"] - z) / 1e3, (L["release_last"] - z) / 1e3,
                   (L["trig"] - z) / 1e3 if L["trig"] else float("nan"), (L["end"] - z) / 1e3))
    tail = layers[-1][len(shape):] if names(layers[-1][:len(shape)]) == shape else []
    if tail:
        print()
        print("after the layers:", ", ".join("%s %.1f us" % (L["name"], (L["end"] - L["release"]) / 1e3) for L in tail))
    return 0


if __name__ == "__main__":
    sys.exit(main())
