"""Writes tests/chat/tokenizer_tiny.json from tests/chat/tokenizer_small.json:
the same tokenizer cut to ids < 512 so that it fits the tiny test checkpoints
(vocab_size 512). It keeps the 256 byte tokens and the first merges (ids
256..399) and moves the 54 MiniMax-M2 added tokens (chat markers included)
from 200000.. to 400..453. Run from the repository root."""
import json

LIMIT = 400
src = json.load(open("tests/chat/tokenizer_small.json", encoding="utf-8"))
vocab = {t: i for t, i in src["model"]["vocab"].items() if i < LIMIT}
merges = []
for m in src["model"]["merges"]:
    a, b = m if isinstance(m, list) else m.split(" ", 1)
    if a in vocab and b in vocab and a + b in vocab:
        merges.append(m)
added = []
for t in src["added_tokens"]:
    t = dict(t)
    t["id"] = LIMIT + t["id"] - 200000
    added.append(t)
    vocab[t["content"]] = t["id"]
src["model"]["vocab"] = vocab
src["model"]["merges"] = merges
src["added_tokens"] = added
with open("tests/chat/tokenizer_tiny.json", "w", encoding="utf-8") as f:
    json.dump(src, f, ensure_ascii=False, separators=(",", ":"))
print(len(vocab), "tokens,", len(merges), "merges")
