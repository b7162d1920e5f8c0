#!/usr/bin/env python3
"""Collects a varied training corpus from text installed on a Debian system,
and a held-out set of files (every 40th file) for the goldens.

Sources: message catalogs (/usr/share/locale/**/*.mo: English msgids and
translations into ~100 languages, incl. Korean, Chinese, Japanese, Arabic),
packaged docs (/usr/share/doc, gzipped or plain), man pages (/usr/share/man,
incl. the manpages-ja/zh/fr/ru/de packages), Python sources and docs
(/usr/lib/python3*, python3-doc) and C headers (/usr/include) for code.

usage: make_corpus.py OUTDIR [MAX_MB]   -> OUTDIR/train.txt, OUTDIR/heldout/*.txt
The result depends on the installed packages; the trained tokenizers are
committed, so CI never needs this.
"""
import gettext, gzip, os, re, sys

out = sys.argv[1]
max_bytes = int(float(sys.argv[2]) if len(sys.argv) > 2 else 150) << 20
os.makedirs(os.path.join(out, "heldout"), exist_ok=True)

# bytes per source, so that every kind of text is in
SHARE = {"/usr/share/locale": 0.4, "/usr/share/doc": 0.2, "/usr/share/man": 0.2,
         "/usr/lib/python3.11": 0.15, "/usr/include": 0.05}

def texts():
    for root in ["/usr/share/locale"]:
        for d, _, fs in sorted(os.walk(root)):
            for f in sorted(fs):
                if f.endswith(".mo"):
                    p = os.path.join(d, f)
                    try:
                        cat = gettext.GNUTranslations(open(p, "rb"))._catalog
                        yield root, p, "\n".join(str(k) + "\n" + str(v) for k, v in cat.items() if k)
                    except Exception:
                        pass
    for root in ["/usr/share/doc", "/usr/share/man", "/usr/lib/python3.11", "/usr/include"]:
        for d, _, fs in sorted(os.walk(root)):
            for f in sorted(fs):
                p = os.path.join(d, f)
                if os.path.islink(p) or not os.path.isfile(p):
                    continue
                try:
                    if os.path.getsize(p) > 4 << 20:
                        continue
                    raw = gzip.open(p).read() if f.endswith(".gz") else open(p, "rb").read()
                    t = raw.decode("utf-8")
                except Exception:
                    continue
                if "\0" in t:
                    continue
                if f.endswith((".html", ".htm")):
                    t = re.sub(r"<[^>]+>", "", t)
                yield root, p, t

seen, total, n, per = set(), 0, 0, {}
with open(os.path.join(out, "train.txt"), "w", encoding="utf-8") as train:
    for root, p, t in texts():
        if per.get(root, 0) > SHARE[root] * max_bytes:
            continue
        h = hash(t)
        if h in seen or not t.strip():
            continue
        seen.add(h)
        n += 1
        if n % 40 == 0:
            if len(t) < 200000:
                open(os.path.join(out, "heldout", "%05d.txt" % n), "w", encoding="utf-8").write(t)
            continue
        train.write(t)
        train.write("\n")
        total += len(t.encode())
        per[root] = per.get(root, 0) + len(t.encode())
print("files", n, "train bytes", total, per)
