#!/usr/bin/env python3
"""Encoding speed, one thread: Hugging Face `tokenizers` vs build/minimax-tokenize
on the same text and tokenizer. Prints a markdown table row per tokenizer.

usage: bench.py TEXT_FILE TOKENIZER_JSON... [--runs N]
HF runs single-threaded (RAYON_NUM_THREADS=1, one encode() call of the whole
text, add_special_tokens=False, special-token matching on); its BPE cache is
warm after the first run and the best of N runs is reported (cold run too).
Ours: the best of N runs is measured inside the C program (--bench), after
loading, with MINIMAX_TOKENIZE_SPECIAL. Both must give the same ids.
"""
import os, subprocess, sys, time
os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
from tokenizers import Tokenizer

args = sys.argv[1:]
runs = 5
if "--runs" in args:
    i = args.index("--runs"); runs = int(args[i + 1]); del args[i:i + 2]
text_file, toks = args[0], args[1:]
data = open(text_file, "rb").read()
text = data.decode("utf-8")
mb = len(data) / 1e6
# the same text as ~4 KB chunks cut after a newline: HF's usual input size
chunks, cur = [], []
for line in text.splitlines(keepends=True):
    cur.append(line)
    if sum(len(x) for x in cur) > 4096:
        chunks.append("".join(cur)); cur = []
chunks.append("".join(cur))
print("| tokenizer | text | HF whole text, cold / best MB/s | HF 4 KB chunks (encode_batch, 1 thread) best MB/s | ours whole text best MB/s | ours / HF best | ids equal |")
print("|---|---|---|---|---|---|---|")
for path in toks:
    tok = Tokenizer.from_file(path)
    times = []
    for r in range(runs):
        t0 = time.perf_counter(); ids = tok.encode(text, add_special_tokens=False).ids; times.append(time.perf_counter() - t0)
    ctimes = []
    for r in range(runs):
        t0 = time.perf_counter(); tok.encode_batch(chunks, add_special_tokens=False); ctimes.append(time.perf_counter() - t0)
    ours_ids = [int(x) for x in subprocess.run(["build/minimax-tokenize", path, "--special"], input=data,
                                               capture_output=True, check=True).stdout.split()]
    best_ours = 0.0
    for r in range(runs):
        err = subprocess.run(["build/minimax-tokenize", path, "--special", "--bench", "1"], input=data,
                             capture_output=True, check=True).stderr.decode()
        best_ours = max(best_ours, float(err.split(":")[-1].split()[0]))
    hf_best = max(mb / min(times), mb / min(ctimes))
    print("| %s | %.1f MB | %.2f / %.2f | %.2f | %.2f | %.1fx | %s |" % (os.path.basename(path), mb, mb / times[0],
          mb / min(times), mb / min(ctimes), best_ours, best_ours / hf_best, "yes" if ours_ids == ids else "NO"))
