#!/usr/bin/env python3
"""Trains a byte-level BPE tokenizer with Hugging Face `tokenizers`, shaped
like MiniMax-M2's tokenizer.json: Split(MiniMax regex, Isolated) then
ByteLevel(add_prefix_space=false, use_regex=false), ByteLevel decoder, and
the 54 special tokens at ids 200000..200053 (trained tokens have ids below
200000; the specials are put into model.vocab at their ids as well as into
added_tokens, so that `tokenizers` keeps those ids when it loads the file).

usage: train.py CORPUS VOCAB_SIZE OUT.json [--max-mb N] [--string-merges] [--ignore-merges]
  --string-merges  write merges as "a b" strings (default: ["a", "b"] arrays)
  --ignore-merges  set model.ignore_merges (whole pieces found in the vocab skip BPE)
"""
import argparse, json, os, sys, tempfile
from tokenizers import Tokenizer, Regex, models, pre_tokenizers, decoders, trainers
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minimax_spec import PATTERN, SPECIAL, FIRST_SPECIAL_ID

ap = argparse.ArgumentParser()
ap.add_argument("corpus"); ap.add_argument("vocab_size", type=int); ap.add_argument("out")
ap.add_argument("--max-mb", type=float, default=0)
ap.add_argument("--string-merges", action="store_true"); ap.add_argument("--ignore-merges", action="store_true")
a = ap.parse_args()

corpus = a.corpus
if a.max_mb:
    tmp = tempfile.NamedTemporaryFile("wb", delete=False, suffix=".txt")
    tmp.write(open(corpus, "rb").read(int(a.max_mb * (1 << 20))).decode("utf-8", "ignore").encode())
    tmp.close()
    corpus = tmp.name

tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.Sequence([
    pre_tokenizers.Split(Regex(PATTERN), behavior="isolated", invert=False),
    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
tok.decoder = decoders.ByteLevel()
trainer = trainers.BpeTrainer(vocab_size=a.vocab_size, min_frequency=2, show_progress=False,
                              initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
tok.train([corpus], trainer)

j = json.loads(tok.to_str())
vocab = j["model"]["vocab"]
assert max(vocab.values()) < FIRST_SPECIAL_ID
j["added_tokens"] = []
for i, s in enumerate(SPECIAL):
    vocab[s] = FIRST_SPECIAL_ID + i
    j["added_tokens"].append({"id": FIRST_SPECIAL_ID + i, "content": s, "single_word": False, "lstrip": False,
                              "rstrip": False, "normalized": False, "special": True})
j["model"]["ignore_merges"] = bool(a.ignore_merges)
merges = [m if isinstance(m, list) else m.split(" ") for m in j["model"]["merges"]]
j["model"]["merges"] = [" ".join(m) for m in merges] if a.string_merges else merges
text = json.dumps(j, ensure_ascii=False, indent=None, separators=(",", ":"))

check = Tokenizer.from_str(text)
for i, s in enumerate(SPECIAL):
    assert check.token_to_id(s) == FIRST_SPECIAL_ID + i, s
assert check.encode("]~b]system", add_special_tokens=False).ids[0] == 200019
open(a.out, "w", encoding="utf-8").write(text)
print("%s: %d trained tokens, %d merges, %d bytes" % (a.out, len(vocab) - len(SPECIAL), len(merges), len(text.encode())))
