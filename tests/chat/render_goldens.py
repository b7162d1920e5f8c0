#!/usr/bin/env python3
"""Renders tests/chat/conversations.json with Hugging Face's chat-template
renderer (transformers.utils.chat_template_utils.render_jinja_template:
Jinja with trim_blocks, lstrip_blocks and its own tojson) and the template in
tests/chat/chat_template.jinja, writing golden/NAME.txt (the exact bytes) or,
for a conversation the template rejects, golden/NAME.error (its message).

Tool-call arguments given as a JSON string are decoded first, as vLLM does
before it applies a template (missing or "" arguments become {}).

usage: python3 tests/chat/render_goldens.py   (needs: pip install transformers jinja2)
"""
import json
import os

from transformers.utils.chat_template_utils import render_jinja_template

here = os.path.dirname(os.path.abspath(__file__))
template = open(os.path.join(here, "chat_template.jinja"), encoding="utf-8").read()
cases = json.load(open(os.path.join(here, "conversations.json"), encoding="utf-8"))
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
    if bool(case.get("expect_error")) != (ext == ".error"):
        raise SystemExit("%s: expected %s, got %s" % (name, "an error" if case.get("expect_error") else "text", result))
    with open(os.path.join(out_dir, name + ext), "w", encoding="utf-8", newline="") as f:
        f.write(result)
    if tokenizer and ext == ".txt":
        ids = tokenizer.encode(result, add_special_tokens=False).ids
        with open(os.path.join(out_dir, name + ".ids"), "w") as f:
            f.write(" ".join(str(i) for i in ids) + "\n")
    print("%-55s %s" % (name, ext))
