#!/usr/bin/env python3
"""Golden logits for a ModelOpt NVFP4 MiniMax-M2 checkpoint, from Hugging Face
transformers' MiniMaxM2ForCausalLM (an implementation independent of ours).

usage: python3 tests/golden/make_goldens.py CHECKPOINT_DIR OUT_DIR [--prompt-len P] [--new N] [--seed S] [--made-by TEXT]
       (tests/golden/make_all.sh makes every committed checkpoint and golden)
needs: torch, transformers >= 5, safetensors, numpy (optional: nvidia-modelopt, for a
       cross-check of the NVFP4 decode). The C tests need none of these.

What it does:
  1. reads config.json, model.safetensors.index.json and the shards it lists
     (safetensors; F8_E4M3 arrives as torch.float8_e4m3fn);
  2. dequantises every expert matrix with its own decode (not the library's):
        W[n, k] = E2M1[nibble(n, k)] * float(e4m3(weight_scale[n, k // 16])) * weight_scale_2
     low nibble of byte j = column 2j, high nibble = column 2j+1. The product
     is formed in float64, where it is exact, and rounded once to float32;
     if modelopt is importable its NVFP4QTensor.dequantize must agree to 1 ulp;
  3. builds MiniMaxM2Config / MiniMaxM2ForCausalLM in float32, eager attention,
     eager experts, and loads the state dict under transformers 5's names
     (block_sparse_moe -> mlp; experts E.w1/w3 -> experts.gate_up_proj[E] = [w1; w3],
     E.w2 -> experts.down_proj[E]); BF16 tensors are widened to float32 exactly;
  4. draws a prompt (bos, then random ids), continues it greedily for N tokens
     (generate(), KV cache), then runs ONE teacher-forced forward over prompt +
     continuation and records the logits of every position. The step logits of
     generate() must agree with the teacher-forced ones (checked here);
  5. repeats the teacher-forced forward in float64 and records the largest
     |logit(fp32) - logit(fp64)|: the size of float32 noise, which the C test's
     tolerance is chosen against.

Files written to OUT_DIR (raw little-endian, no header):
  tokens.i32   int32 [T]      prompt (first P) then greedy continuation (N), T = P + N
  logits.f32   float32 [T, V] logits after each token of tokens.i32, teacher-forced
                              (row t predicts token t+1; row P-1+j chose continuation token j)
  golden.json  shapes, ids, config summary, versions, fp32-vs-fp64 deviation, top-2 margins
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from safetensors import safe_open

import transformers
from transformers import MiniMaxM2Config, MiniMaxM2ForCausalLM

E2M1 = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6], dtype=np.float64)


def e4m3_decode(b):
    """E4M3 (fn) bytes -> float64, by the bit layout (sign, 4 exp bits bias 7, 3 mantissa bits)."""
    b = b.astype(np.int64)
    s = np.where(b & 0x80, -1.0, 1.0)
    e = (b >> 3) & 15
    m = b & 7
    v = np.where(e == 0, m / 8.0 * 2.0 ** -6, (1 + m / 8.0) * 2.0 ** (e - 7))
    v = np.where((e == 15) & (m == 7), np.nan, v)
    return s * v


def dequant_nvfp4(packed, scale, ws2):
    """packed uint8 [R, C/2], scale E4M3 bytes [R, C/16], ws2 float32 scalar -> float32 [R, C]."""
    r, half = packed.shape
    c = half * 2
    codes = np.empty((r, c), dtype=np.int64)
    codes[:, 0::2] = packed & 0x0F
    codes[:, 1::2] = packed >> 4
    sc = e4m3_decode(scale)
    assert sc.shape == (r, c // 16), (sc.shape, r, c)
    assert not np.isnan(sc).any(), "NaN E4M3 block scale"
    w = E2M1[codes] * np.repeat(sc, 16, axis=1) * np.float64(np.float32(ws2))
    return w.astype(np.float32)


def load_checkpoint(d):
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(d, "model.safetensors.index.json")) as f:
        index = json.load(f)
    tensors = {}
    for shard in sorted(set(index["weight_map"].values())):
        with safe_open(os.path.join(d, shard), framework="pt") as f:
            for name in f.keys():
                if index["weight_map"].get(name) == shard:  # only what the index assigns to this shard
                    tensors[name] = f.get_tensor(name)
    missing = set(index["weight_map"]) - set(tensors)
    assert not missing, f"index lists tensors not in their shards: {sorted(missing)[:5]}"
    return cfg, tensors


def rotary_dim_of(cfg):
    hd = cfg["head_dim"]
    if "rotary_dim" in cfg:
        return int(cfg["rotary_dim"])
    rp = cfg.get("rope_parameters") or {}
    prf = cfg.get("partial_rotary_factor", rp.get("partial_rotary_factor", 1.0))
    return int(round(hd * prf))


def rope_theta_of(cfg):
    if "rope_theta" in cfg:
        return float(cfg["rope_theta"])
    return float(cfg["rope_parameters"]["rope_theta"])


def build_state_dict(cfg, t, check_modelopt):
    L, E = cfg["num_hidden_layers"], cfg["num_local_experts"]
    sd = {}

    def f32(name):
        x = t[name]
        assert x.dtype in (torch.bfloat16, torch.float32, torch.float16), (name, x.dtype)
        return x.to(torch.float32)  # bf16 -> f32 is exact

    sd["model.embed_tokens.weight"] = f32("model.embed_tokens.weight")
    sd["model.norm.weight"] = f32("model.norm.weight")
    sd["lm_head.weight"] = f32("lm_head.weight")
    ulp_worst = 0
    for l in range(L):
        p = f"model.layers.{l}."
        for n in ("input_layernorm", "post_attention_layernorm"):
            sd[p + n + ".weight"] = f32(p + n + ".weight")
        for n in ("q_proj", "k_proj", "v_proj", "o_proj", "q_norm", "k_norm"):
            sd[p + "self_attn." + n + ".weight"] = f32(p + "self_attn." + n + ".weight")
        sd[p + "mlp.gate.weight"] = f32(p + "block_sparse_moe.gate.weight")
        sd[p + "mlp.e_score_correction_bias"] = f32(p + "block_sparse_moe.e_score_correction_bias")
        gate_up, down = [], []
        for e in range(E):
            m = {}
            for w in ("w1", "w2", "w3"):
                q = f"{p}block_sparse_moe.experts.{e}.{w}."
                packed = t[q + "weight"]
                scale = t[q + "weight_scale"]
                ws2 = t[q + "weight_scale_2"]
                assert packed.dtype == torch.uint8 and scale.dtype == torch.float8_e4m3fn, (q, packed.dtype, scale.dtype)
                assert ws2.dtype == torch.float32 and ws2.numel() == 1, (q, ws2.dtype, ws2.shape)
                m[w] = dequant_nvfp4(packed.numpy(), scale.view(torch.uint8).numpy(), ws2.item())
                if check_modelopt is not None:
                    ulp_worst = max(ulp_worst, check_modelopt(packed, scale, ws2, m[w]))
            gate_up.append(np.concatenate([m["w1"], m["w3"]], axis=0))  # [2I, H]: gate rows then up rows
            down.append(m["w2"])  # [H, I]
        sd[p + "mlp.experts.gate_up_proj"] = torch.from_numpy(np.stack(gate_up))
        sd[p + "mlp.experts.down_proj"] = torch.from_numpy(np.stack(down))
    return sd, ulp_worst


def modelopt_checker():
    """Returns f(packed, scale, ws2, ours) -> max ulp distance to ModelOpt's dequantize, or None."""
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from modelopt.torch.quantization.qtensor.nvfp4_tensor import NVFP4QTensor
    except Exception as ex:  # noqa: BLE001 - optional dependency
        print(f"(modelopt not importable, decode not cross-checked: {ex})")
        return None

    def check(packed, scale, ws2, ours):
        r, half = packed.shape
        qt = NVFP4QTensor(torch.Size([r, half * 2]), torch.float32, packed)
        theirs = qt.dequantize(dtype=torch.float32, scale=scale, double_scale=ws2.reshape(()), block_sizes={-1: 16})
        o = torch.from_numpy(ours)
        a = o.view(torch.int32).to(torch.int64)
        b = theirs.contiguous().view(torch.int32).to(torch.int64)
        # equal values count 0 (ModelOpt's table decodes code 8 as +0, ours as -0)
        d = int(torch.where(o == theirs, 0, (a - b).abs()).max().item())
        assert d <= 1, f"our NVFP4 decode differs from ModelOpt's by {d} ulp"
        return d

    return check


def make_model(cfg, dtype):
    rd = rotary_dim_of(cfg)
    hd = cfg["head_dim"]
    mc = MiniMaxM2Config(
        vocab_size=cfg["vocab_size"],
        hidden_size=cfg["hidden_size"],
        intermediate_size=cfg["intermediate_size"],
        num_hidden_layers=cfg["num_hidden_layers"],
        num_attention_heads=cfg["num_attention_heads"],
        num_key_value_heads=cfg["num_key_value_heads"],
        head_dim=hd,
        max_position_embeddings=cfg.get("max_position_embeddings", 196608),
        rms_norm_eps=cfg.get("rms_norm_eps", 1e-6),
        num_experts_per_tok=cfg["num_experts_per_tok"],
        num_local_experts=cfg["num_local_experts"],
        tie_word_embeddings=False,
        bos_token_id=cfg.get("bos_token_id"),
        eos_token_id=cfg.get("eos_token_id"),
        pad_token_id=None,
        rope_parameters={"rope_type": "default", "rope_theta": rope_theta_of(cfg), "partial_rotary_factor": rd / hd},
        attn_implementation="eager",
    )
    mc._experts_implementation = "eager"
    torch.manual_seed(0)
    model = MiniMaxM2ForCausalLM(mc).to(dtype).eval()
    return mc, model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("out")
    ap.add_argument("--prompt-len", type=int, default=16)
    ap.add_argument("--new", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--made-by", default="", help="how the checkpoint was made (recorded in golden.json)")
    a = ap.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    cfg, t = load_checkpoint(a.checkpoint)
    sd, ulp = build_state_dict(cfg, t, modelopt_checker())
    mc, model = make_model(cfg, torch.float32)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not k.endswith("inv_freq")]
    assert not missing and not unexpected, (missing, unexpected)
    V = cfg["vocab_size"]
    # RoPE as transformers computes it (the C reference may compute its angles in double).
    rd = rotary_dim_of(cfg)
    assert model.model.rotary_emb.inv_freq.numel() == rd // 2

    g = torch.Generator().manual_seed(a.seed)
    bos = cfg.get("bos_token_id")
    prompt = torch.randint(0, V, (a.prompt_len,), generator=g)
    if bos is not None and bos < V:
        prompt[0] = bos
    ids = prompt[None, :]

    with torch.no_grad():
        gen = model.generate(
            ids, attention_mask=torch.ones_like(ids), max_new_tokens=a.new, min_new_tokens=a.new, do_sample=False,
            num_beams=1, output_logits=True, return_dict_in_generate=True, eos_token_id=None, pad_token_id=0,
        )
        tokens = gen.sequences[0]
        assert tokens.numel() == a.prompt_len + a.new
        step_logits = torch.stack([x[0] for x in gen.logits])  # [N, V]
        logits = model(tokens[None, :]).logits[0]  # [T, V], teacher-forced
        P = a.prompt_len
        step_dev = (step_logits - logits[P - 1:P - 1 + a.new]).abs().max().item()
        assert step_dev < 1e-3, f"generate()'s step logits differ from the teacher-forced ones by {step_dev}"
        # greedy tokens are the argmax of the teacher-forced rows (generate() agreed within step_dev)
        am = logits[P - 1:P - 1 + a.new].argmax(-1)
        top2 = logits[P - 1:P - 1 + a.new].topk(2, dim=-1).values
        margins = (top2[:, 0] - top2[:, 1]).tolist()
        for j in range(a.new):
            if am[j].item() != tokens[P + j].item():
                assert margins[j] < 1e-4, f"step {j}: argmax {am[j]} vs generated {tokens[P + j]}"

        sd64 = {k: v.to(torch.float64) for k, v in sd.items()}
        _, model64 = make_model(cfg, torch.float64)
        model64.load_state_dict(sd64, strict=False)
        logits64 = model64(tokens[None, :]).logits[0]
        dev64 = (logits.double() - logits64).abs().max().item()

    os.makedirs(a.out, exist_ok=True)
    tokens.to(torch.int32).numpy().astype("<i4").tofile(os.path.join(a.out, "tokens.i32"))
    logits.to(torch.float32).numpy().astype("<f4").tofile(os.path.join(a.out, "logits.f32"))
    import safetensors

    info = {
        "producer": "tests/golden/make_goldens.py (transformers MiniMaxM2ForCausalLM, float32, eager attention)",
        "checkpoint_made_by": a.made_by,
        "prompt_seed": a.seed,
        "versions": {"transformers": transformers.__version__, "torch": torch.__version__,
                     "safetensors": safetensors.__version__, "numpy": np.__version__},
        "config": {k: cfg.get(k) for k in ("hidden_size", "num_hidden_layers", "num_attention_heads",
                                           "num_key_value_heads", "head_dim", "intermediate_size",
                                           "num_local_experts", "num_experts_per_tok", "vocab_size",
                                           "rms_norm_eps", "bos_token_id", "eos_token_id")},
        "rotary_dim": rd,
        "rope_theta": rope_theta_of(cfg),
        "router_dtype": str(t["model.layers.0.block_sparse_moe.gate.weight"].dtype).replace("torch.", ""),
        "prompt_len": P,
        "new_tokens": a.new,
        "num_tokens": int(tokens.numel()),
        "vocab_size": V,
        "tokens": [int(x) for x in tokens.tolist()],
        "files": {"tokens": "tokens.i32 int32 [num_tokens]",
                  "logits": "logits.f32 float32 [num_tokens, vocab_size], row t = logits after tokens[0..t]"},
        "greedy_top2_margins": [round(m, 6) for m in margins],
        "max_abs_logit": float(logits.abs().max().item()),
        "fp32_vs_fp64_max_abs_dlogit": dev64,
        "generate_vs_teacher_forced_max_abs_dlogit": step_dev,
        "nvfp4_decode_vs_modelopt_max_ulp": ulp,
    }
    with open(os.path.join(a.out, "golden.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print(f"{a.out}: T={tokens.numel()} V={V} max|logit|={info['max_abs_logit']:.3f} "
          f"fp32-vs-fp64={dev64:.3g} gen-vs-tf={step_dev:.3g} min margin={min(margins):.4g} decode-ulp={ulp}")


if __name__ == "__main__":
    sys.exit(main())
