#!/usr/bin/env python3
"""Checks the pre-tokenizer (hand-written matcher + generated Unicode
tables) against Hugging Face `tokenizers`' Split(regex) on every Unicode
scalar value, each in contexts that tell the regex's classes apart:
  "x"+c (joins iff c in [Ll Lm Lo M]), c+"x" (splits iff c is N or CR/LF),
  "!!"+c (joins iff c is not white space, L or N; with L it splits),
  "X"+c+"'S" (A/B runs and the contraction), c+c, " "+c+"\\t", and c in
  each letter position of the contractions ("a'"+c, "a'r"+c, "a'"+c+"e",
  "a'l"+c: only s S U+017F t T m M d D, r R, v V, e E, l L may match).
Only Lu and Lt are not told apart: the pattern treats them the same.

usage: check_unicode.py TOKENIZER_JSON   (any tokenizer.json with the pattern)
"""
import subprocess, sys, os
from tokenizers import pre_tokenizers, Regex
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minimax_spec import PATTERN

split = pre_tokenizers.Split(Regex(PATTERN), behavior="isolated", invert=False)
exe, path = "build/minimax-tokenize", sys.argv[1]
bad = 0
cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
CH = 20000
for start in range(0, len(cps), CH):
    text = "".join("x%s%sx!!%sX%s'S%s%s %s\ta'%s a'r%s a'%se a'l%s\n" % ((chr(c),) * 11) for c in cps[start:start + CH])
    want = [len(p.encode("utf-8", "surrogatepass")) for p, _ in split.pre_tokenize_str(text)]
    got = [int(x) for x in subprocess.run([exe, path, "--pieces"], input=text.encode("utf-8"),
                                          capture_output=True, check=True).stdout.split()]
    if got != want:
        bad += 1
        # locate the first differing code point
        off = i = 0
        while i < min(len(got), len(want)) and got[i] == want[i]:
            off += got[i]; i += 1
        prefix = text.encode()[:off].decode("utf-8", "ignore")
        print("MISMATCH near U+%04X" % ord(prefix[-1] if prefix else text[0]), repr(text.encode()[off:off + 40]))
print("checked %d code points in %d chunks, %d chunks differ" % (len(cps), (len(cps) + CH - 1) // CH, bad))
sys.exit(1 if bad else 0)
