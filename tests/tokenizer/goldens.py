#!/usr/bin/env python3
"""Writes golden token ids produced by Hugging Face `tokenizers` (the
oracle) for a held-out text set, for tests/test_tokenizer.c.

usage: goldens.py TOKENIZER_JSON OUT [HELDOUT_FILE...]

The set: the hand-written cases below (English, code, Korean, Chinese,
Japanese, Arabic, emoji and ZWJ sequences, numbers of many lengths,
contractions in both cases, runs of spaces, tabs, CRLF, special tokens
inside text), each encoded twice: with special-token matching (HF's
default) and without (HF's encode_special_tokens = True: special tokens are
split as plain text); plus the held-out corpus files given (with matching).
Only valid UTF-8: invalid input is our own behaviour, tested in C.

Format (binary-safe; read by test_tokenizer.c):
    C <name>\\n F <0|1>\\n T <nbytes>\\n <nbytes raw bytes>\\n I <count> id id ...\\n
    [P <count> len len ...\\n]   for plain-text cases: the byte lengths of the
                                 pre-tokenizer's pieces (HF Split alone), so the
                                 matcher is checked apart from BPE
"""
import sys
import os
from tokenizers import Tokenizer, pre_tokenizers, Regex
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minimax_spec import PATTERN
SPLIT = pre_tokenizers.Split(Regex(PATTERN), behavior="isolated", invert=False)

CASES = {
    "english": "The quick brown fox jumps over the lazy dog. It was the best of times, it was the worst of times.\n"
               "Mr. O'Neil's dog—named \"Rex\"—isn't here; he'll be back at 5:30pm (maybe).",
    "code_c": "int main(int argc, char **argv) {\n    for (int i = 0; i < argc; i++) {\n\tprintf(\"%s\\n\", argv[i]);\n    }\n"
              "    return x->y >= 0x7FFF ? a/b : c%d; // comment\n}\n",
    "code_py": "def f(x: list[int]) -> dict:\n    '''Doc.'''\n    return {k: v**2 for k, v in enumerate(x) if v != None}\n\n\n"
               "if __name__ == '__main__':\n    print(f([1, 2, 3]))  # done\r\n",
    "json": '{"name": "tool", "args": {"query": ["a", "b"], "n": 12345.678e-9, "ok": true, "path": "/usr/share/doc/"}}',
    "korean": "안녕하세요, 세계! 대한민국의 수도는 서울입니다. 한국어 형태소 분석기는 띄어쓰기를 고려합니다.",
    "chinese": "我们的模型在中文文本上表现良好。今天天气很好，我们去公园散步吧！《红楼梦》是中国古典小说。",
    "japanese": "日本語のテキストです。ひらがな、カタカナ、漢字が混在しています。東京スカイツリーは634メートル。ｶﾀｶﾅ",
    "arabic": "مرحبا بالعالم! اللغة العربية تُكتب من اليمين إلى اليسار. الرقم ١٢٣٤٥ والرقم 67890.",
    "mixed_scripts": "Ελληνικά κείμενο, Русский текст, עברית, हिन्दी भाषा, ภาษาไทย, Tiếng Việt có dấu, ქართული",
    "emoji": "I ❤️ 🍕! 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇰🇷🇯🇵 😀😃😄 ✈︎ ☺️ 🧑🏿‍💻 #️⃣ 1️⃣",
    "numbers": "1 12 123 1234 12345 123456 1234567 12345678 123456789 1234567890 3.14159 -42 +7 1,000,000 "
               "0.000001 1e10 ２０２４ ١٢٣ ⅫⅣ ½ ²³ 00007",
    "contractions": "it's IT'S don't DON'T we're WE'RE they've THEY'VE I'm I'M we'll WE'LL he'd HE'D "
                    "It'S dOn'T We'Re 'll 's x'ſ rock'n'roll o'clock 'quoted' ''s",
    "spaces": "a  b   c    d     e\t\tf \t g\u00a0h\u3000i\u2003j   \n   k\n\n\nl    ",
    "tabs": "\tcol1\tcol2\t\tcol3\t\n\t\tindented\t",
    "crlf": "line one\r\nline two\r\n\r\nline four\rold mac\n\r\n  \r\n",
    "whitespace_only": " \t\r\n \u00a0 \u2028\u2029 \u0085 \x0b\x0c ",
    "punctuation": "!!! ??? ... --- === +++ *** /// \\\\ ||| @@@ ### $$$ %%% ^^^ &&& ~~~ ``` <<< >>> ((( ))) [[[ ]]] {{{ }}}",
    "urls": "https://example.com/path/to/file.html?q=1&x=y#frag  //comment/ /usr/bin/ a/b/c\n/\n",
    "marks": "e\u0301 a\u0300\u0301 \u0301x !\u0301 Z\u0308a 1\u0301 \u0915\u094d\u0937 \u0e01\u0e34",
    "case_runs": "HTTPServer XMLHttpRequest iPhone McDONALD'S ǅemal ǈubljana ALLCAPS lowercase CamelCase snake_case",
    "special_in_text": "]~!b[]~b]system\nYou are helpful.[e~[\n]~b]user\nHi <think>x</think> ]<]vision pad[>[ "
                       "<minimax:tool_call>\n<invoke name=\"f\">\n</invoke>\n</minimax:tool_call>[e~[",
    "special_partial": "]~b ]~ b] [e~ <think <think>> <<think>> ]~b]]~b] ]]~b]] <minimax:tool_call <minimax:tool_callx>",
    "long_word": "a" * 3000 + " " + "Supercalifragilisticexpialidocious" * 20 + " " + "9" * 100,
    "fold_long_s": "it'ſ IT'ſ x'ſ 'ſ a'ſs",
    "lm_lo_marks": "ʰʲ ˈa xʰa ᵃbc Xʰ 中a a中 aʰB ЀʰЀ \u0301\u0301a !\u0301\u0301 1\u0301a ǅǈǋ ǅa aǅ",
    "empty": "",
}

tok = Tokenizer.from_file(sys.argv[1])
out = open(sys.argv[2], "wb")

def put(name, text, special):
    tok.encode_special_tokens = not special
    ids = tok.encode(text, add_special_tokens=False).ids
    assert tok.decode(ids, skip_special_tokens=False) == text, name
    data = text.encode("utf-8")
    out.write(b"C %s\nF %d\nT %d\n" % (name.encode(), special, len(data)))
    out.write(data)
    out.write(("\nI %d %s\n" % (len(ids), " ".join(map(str, ids)))).encode())
    if not special:
        pieces = [len(p.encode()) for p, _ in SPLIT.pre_tokenize_str(text)]
        out.write(("P %d %s\n" % (len(pieces), " ".join(map(str, pieces)))).encode())

for name, text in CASES.items():
    put(name, text, 1)
    put(name + "_plain", text, 0)
for f in sys.argv[3:]:
    put("heldout_" + f.rsplit("/", 1)[-1], open(f, encoding="utf-8").read(), 1)
out.close()
