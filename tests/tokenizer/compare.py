#!/usr/bin/env python3
"""Compares build/minimax-tokenize with Hugging Face `tokenizers` on files
(each file one text; the whole file, and also each line separately with
--lines). Prints per-file mismatches and a summary; exit status 1 on any.

usage: compare.py TOKENIZER_JSON [--special] [--lines] FILE...
"""
import subprocess, sys
from tokenizers import Tokenizer

args = sys.argv[1:]
special = "--special" in args
lines = "--lines" in args
args = [x for x in args if x not in ("--special", "--lines")]
path, files = args[0], args[1:]
tok = Tokenizer.from_file(path)
tok.encode_special_tokens = not special
exe = "build/minimax-tokenize"

def ours(data):
    cmd = [exe, path] + (["--special"] if special else [])
    out = subprocess.run(cmd, input=data, capture_output=True, check=True).stdout.split()
    return [int(x) for x in out]

bad = total = nbytes = 0
for f in files:
    data = open(f, "rb").read()
    if lines:  # every line (with its newline) on its own, in one run of the tool
        ls = data.splitlines(keepends=True)
        ls = [l for l in data.split(b"\n")]
        ls = [l + b"\n" for l in ls[:-1]] + ([ls[-1]] if ls[-1] else [])
        cmd = [exe, path, "--lines"] + (["--special"] if special else [])
        outs = subprocess.run(cmd, input=data, capture_output=True, check=True).stdout.decode().split("\n")
        for k, l in enumerate(ls):
            total += 1
            nbytes += len(l)
            want = tok.encode(l.decode("utf-8"), add_special_tokens=False).ids
            got = [int(x) for x in outs[k].split()]
            if got != want:
                bad += 1
                print("MISMATCH %s line %d: %r" % (f, k + 1, l[:100]))
    for t in [data]:
        total += 1
        nbytes += len(t)
        want = tok.encode(t.decode("utf-8"), add_special_tokens=False).ids
        got = ours(t)
        if got != want:
            bad += 1
            i = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), min(len(got), len(want)))
            print("MISMATCH %s (%d bytes) at token %d: hf %s ours %s" % (f, len(t), i, want[i:i + 5], got[i:i + 5]))
            print("   text near: %r" % tok.decode(want[max(0, i - 3):i + 5]))
print("%d texts, %d bytes, %d mismatches" % (total, nbytes, bad))
sys.exit(1 if bad else 0)
