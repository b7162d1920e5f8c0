#!/usr/bin/env python3
"""Renders tests/chat/conversations.json with Hugging Face's chat-template
renderer (transformers.utils.chat_template_utils.render_jinja_template:
Jinja with trim_blocks, lstrip_blocks and its own tojson) and the template in
tests/chat/chat_template.jinja, writing golden/NAME.txt (the exact bytes) or,
for a conversation the template rejects, golden/NAME.error (its message).

It also generates random_conversations.json (seeded, so the same every run):
random mixes of roles, reasoning, tool calls, tool results, markers and
non-ASCII text in the strings, and numbers of every magnitude in schemas and
arguments; those render to golden/R*.txt or golden/R*.error the same way.

Tool-call arguments given as a JSON string are decoded first, as vLLM does
before it applies a template (missing or "" arguments become {}).

usage: python3 tests/chat/render_goldens.py   (needs: pip install transformers jinja2)
"""
import json
import os
import random

from transformers.utils.chat_template_utils import render_jinja_template

here = os.path.dirname(os.path.abspath(__file__))
template = open(os.path.join(here, "chat_template.jinja"), encoding="utf-8").read()
cases = json.load(open(os.path.join(here, "conversations.json"), encoding="utf-8"))

PIECES = ["hello", "world", " ", "\n", "\n\n", "é", "中文", "😀", "\"", "'", "\\", "<think>", "</think>", "]~b]",
          "[e~[", "<minimax:tool_call>", "</minimax:tool_call>", "<invoke name=\"x\">", "{\"a\": 1}", "\t", "&<>",
          "Ω", "ß", "null", "123", "-4.5", ""]


def rand_text(rng, max_pieces=6):
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, max_pieces)))


def rand_number(rng):
    k = rng.randint(0, 5)
    if k == 0:
        return rng.randint(-10**rng.randint(0, 25), 10**rng.randint(0, 25))
    if k == 1:
        return rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)
    if k == 2:
        return float(rng.randint(-1000, 1000))
    if k == 3:
        return rng.choice([0.1, 0.5, 1e16, 1e15, 1e-5, 1e-4, 123456789.0, -0.0, 2.5e-320])
    return round(rng.uniform(-100, 100), rng.randint(0, 6))


def rand_value(rng, depth=0):
    k = rng.randint(0, 6 if depth < 2 else 4)
    if k == 0:
        return rand_text(rng)
    if k == 1:
        return rand_number(rng)
    if k == 2:
        return rng.choice([True, False, None])
    if k == 3:
        return rand_text(rng, 2)
    if k == 4:
        return rand_number(rng)
    if k == 5:
        return [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rand_text(rng, 2) or "k": rand_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def rand_case(rng, i):
    msgs = []
    if rng.random() < 0.6:
        m = {"role": "system"}
        if rng.random() < 0.7:
            m["content"] = rand_text(rng)
        if rng.random() < 0.4:
            m["current_date"] = rng.choice(["2025-01-01", "", "Tuesday"])
        if rng.random() < 0.4:
            m["current_location"] = rng.choice(["Paris", "", "東京"])
        msgs.append(m)
    called = False
    for _ in range(rng.randint(0, 8)):
        r = rng.random()
        if r < 0.3:
            msgs.append({"role": "user", "content": rand_text(rng)})
        elif r < 0.65:
            m = {"role": "assistant"}
            if rng.random() < 0.8:
                m["content"] = rand_text(rng)
            if rng.random() < 0.5:
                m["reasoning_content"] = rand_text(rng)
            if rng.random() < 0.5:
                calls = []
                for _ in range(rng.randint(1, 3)):
                    args = {rand_text(rng, 2) or "p": rand_value(rng) for _ in range(rng.randint(0, 4))}
                    if rng.random() < 0.3:
                        args = json.dumps(args, ensure_ascii=rng.random() < 0.5)
                    calls.append({"type": "function", "function": {"name": rng.choice(["f", "get_weather", "ü"]),
                                                                   "arguments": args}})
                m["tool_calls"] = calls
                called = True
            msgs.append(m)
        elif r < 0.9 and (called or rng.random() < 0.1):
            msgs.append({"role": "tool", "content": rand_text(rng)})
        else:
            msgs.append({"role": "system", "content": rand_text(rng)})
    case = {"name": "R%02d_random" % i, "messages": msgs, "add_generation_prompt": rng.random() < 0.5}
    if rng.random() < 0.5:
        case["tools"] = [{"type": "function", "function": {
            "name": rng.choice(["f", "get_weather"]), "description": rand_text(rng),
            "parameters": {"type": "object", "properties": {
                rand_text(rng, 2) or "x": {"type": rng.choice(["string", "integer", "number"]),
                                           "default": rand_value(rng)} for _ in range(rng.randint(0, 3))}}}}
                         for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.2:
        case["model_identity"] = rand_text(rng)
    return case


rng = random.Random(20261126)
random_cases = [rand_case(rng, i) for i in range(40)]
with open(os.path.join(here, "random_conversations.json"), "w", encoding="utf-8") as f:
    json.dump(random_cases, f, ensure_ascii=False, indent=1)
    f.write("\n")
for c in random_cases:
    c["random"] = True
cases = cases + random_cases
out_dir = os.path.join(here, "golden")
os.makedirs(out_dir, exist_ok=True)


def decode_arguments(messages):
    for m in messages:
        for tc in m.get("tool_calls") or []:
            fn = tc.get("function", tc)
            args = fn.get("arguments")
            if not args:
                fn["arguments"] = {}
            elif isinstance(args, str):
                fn["arguments"] = json.loads(args)


# Token ids of each render with tokenizer_small.json (a small BPE shaped like
# MiniMax-M2's, trained by tests/tokenizer/train.py), special tokens matched:
# what the C token form must produce when the caller's text holds no markers.
tokenizer = None
tok_path = os.path.join(here, "tokenizer_small.json")
if os.path.exists(tok_path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(tok_path)

for case in cases:
    name = case["name"]
    for ext in (".txt", ".error", ".ids"):
        if os.path.exists(os.path.join(out_dir, name + ext)):
            os.remove(os.path.join(out_dir, name + ext))
    kwargs = {}
    if "model_identity" in case:
        kwargs["model_identity"] = case["model_identity"]
    try:
        messages = json.loads(json.dumps(case["messages"]))
        decode_arguments(messages)
        rendered, _ = render_jinja_template(
            [messages],
            tools=case.get("tools"),
            chat_template=template,
            add_generation_prompt=bool(case.get("add_generation_prompt")),
            **kwargs,
        )
        result, ext = rendered[0], ".txt"
    except Exception as e:  # the template (or argument decoding) rejects it
        result, ext = "%s: %s\n" % (type(e).__name__, e), ".error"
    if not case.get("random") and bool(case.get("expect_error")) != (ext == ".error"):
        raise SystemExit("%s: expected %s, got %s" % (name, "an error" if case.get("expect_error") else "text", result))
    with open(os.path.join(out_dir, name + ext), "w", encoding="utf-8", newline="") as f:
        f.write(result)
    if tokenizer and ext == ".txt":
        ids = tokenizer.encode(result, add_special_tokens=False).ids
        with open(os.path.join(out_dir, name + ".ids"), "w") as f:
            f.write(" ".join(str(i) for i in ids) + "\n")
    print("%-55s %s" % (name, ext))
