"""Writes the seed corpora for tests/fuzz/run.sh into OUT/seeds_NAME/."""
import json, os, struct, sys

out = sys.argv[1]
CONFIG = {
    "architectures": ["MiniMaxM2ForCausalLM"], "model_type": "minimax_m2", "hidden_size": 64,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
    "intermediate_size": 32, "num_local_experts": 4, "num_experts_per_tok": 2, "vocab_size": 96,
    "max_position_embeddings": 512, "rope_theta": 5000000, "rotary_dim": 8, "rms_norm_eps": 1e-06,
    "bos_token_id": 1, "eos_token_id": [2, 3], "scoring_func": "sigmoid", "attn_type_list": [1, 1],
    "quantization_config": {"config_groups": {"group_0": {"weights": {"group_size": 16}}},
                            "quant_algo": "NVFP4", "quant_method": "modelopt"}}


def shard(tensors, meta=True, pad=True):
    """tensors: list of (name, dtype, shape, nbytes)."""
    hdr, off = {}, 0
    if meta:
        hdr["__metadata__"] = {"format": "pt"}
    for name, dt, shape, n in tensors:
        hdr[name] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + n]}
        off += n
    h = json.dumps(hdr, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + bytes((i * 37 + 11) & 255 for i in range(off))


def write(name, i, data):
    d = os.path.join(out, "seeds_" + name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "%02d" % i), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


jsons = [json.dumps(CONFIG, indent=2), '[1, -2.5e3, true, false, null, 0.5, 1E+2, -0]',
         '{"a": "h\\u00e9\\ud83d\\ude00\\n\\u0000x", "b": {"c": [[], {}]}}', '"\\\\\\"\\/\\b\\f\\n\\r\\t"',
         '{"weight_map": {"model.norm.weight": "model-00001-of-00002.safetensors"}}']
for i, j in enumerate(jsons):
    write("json", i, j)
write("config", 0, json.dumps(CONFIG))
write("config", 1, json.dumps(dict(CONFIG, rotary_dim=None, partial_rotary_factor=0.5,
                                   rope_parameters={"rope_theta": 1e4})))
shards = [shard([("a.weight", "BF16", [4, 8], 64), ("b", "F32", [], 4), ("c", "U8", [2, 8], 16),
                 ("d", "F8_E4M3", [2, 1], 2), ("e", "I64", [0], 0)]),
          shard([("x", "F16", [1, 2, 3, 4], 48)], meta=False, pad=False),
          shard([])]
for i, s in enumerate(shards):
    write("safetensors", i, s)

# output parser: the first byte is the mode (bit 0: output starts as content) and the chunking seed
outputs = [
    b"\x00Let me think.\n</think>\n\nHello!",
    b"\x01Sure.<minimax:tool_call>\n<invoke name=\"get_weather\">\n<parameter name=\"city\">Paris</parameter>\n"
    b"<parameter name=\"days\">3</parameter>\n</invoke>\n</minimax:tool_call>",
    b"\x02<think>\nhm\n</think>\n<minimax:tool_call>\n<invoke name=search>\n<parameter name=\"q\">x y</parameter>\n"
    b"<parameter name=\"n\">null</parameter>\n</invoke>\n<invoke name='get_weather'>\n<parameter name=\"opts\">"
    b"{\"a\": [1, 2.5]}</parameter>\n<parameter name=\"maybe\">yes</parameter>\n<parameter name=\"mode\">2.5"
    b"</parameter>\n<parameter name=\"either\">-0</parameter>\n</invoke>\n</minimax:tool_call>\ntail \xe2\x82\xac",
    b"\x03reasoning without end <minimax:tool_call>\n<invoke name=\"x\">",
    b"\x04done</think>text<minimax:tool_call><invoke name=\"search\"><parameter name=\"n\">7</parameter></invoke>",
]
for i, o in enumerate(outputs):
    write("output", i, o)
# tokenizer: any bytes
texts = [
    "Hello, world! It's 2026: 12345 tokens.\r\n\tIndented   spaces\n",
    "]~!b[]~b]system\nYou are helpful.[e~[\n]~b]user\n<think>x</think>",
    "\u4e2d\u6587\u6d4b\u8bd5 \u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 \u0440\u0443\u0441\u0441\u043a\u0438\u0439 "
    "\U0001f600\U0001f468\u200d\U0001f469 e\u0301 \u2019quoted\u2019",
]
for i, t in enumerate(texts):
    write("tokenizer", i, t)
write("tokenizer", len(texts), b"invalid \xff\xfe \xc3 \xed\xa0\x80 \xf4\x90\x80\x80 end\x00nul")
