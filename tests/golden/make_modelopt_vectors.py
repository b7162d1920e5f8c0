#!/usr/bin/env python3
"""NVFP4 test vectors made by NVIDIA ModelOpt's own quantiser.

The on-disk format (nibble order, scale layout, what multiplies what, the
rounding of block scales and of E2M1 codes) must not be checked only against
our own code: a writer, a loader and a golden script written from the same
notes can share one mistake. So this script quantises a few float32 matrices
with modelopt.torch.quantization.qtensor.nvfp4_tensor.NVFP4QTensor (the code
ModelOpt's HF export runs for every NVFP4 weight: quantize() with block size
16, no TensorRT-LLM path) and dequantises them with its dequantize(), and
tests/test_modelopt.c requires the library to reproduce the bytes.

usage: python3 tests/golden/make_modelopt_vectors.py [OUT_DIR]   (default tests/data/modelopt)
needs: torch, nvidia-modelopt (CPU only; not needed by the C tests)
Committed: tests/data/modelopt/ from the current release (0.47.0) and
tests/data/modelopt_0.41/ from 0.41.0, the release that made the published
checkpoint (run with that wheel's unpacked tree first on PYTHONPATH).

Files, for each case NAME of shape [rows, cols] (all raw little-endian, no header):
  NAME.input.f32    rows*cols float32   the matrix given to ModelOpt
  NAME.packed.u8    rows*cols/2 bytes   NVFP4QTensor._quantized_data (uint8, [rows, cols/2])
  NAME.scales.u8    rows*cols/16 bytes  the float8_e4m3fn block scales, as raw bytes ([rows, cols/16])
  NAME.ws2.f32      1 float32           weight_scale_2 (per-tensor)
  NAME.dequant.f32  rows*cols float32   NVFP4QTensor.dequantize(float32, scale, double_scale)
manifest.json: {"modelopt": version, "torch": version, "block_size": 16, "clamps_block_scales": bool,
                "cases": [{"name", "rows", "cols", "input_dtype", "what"}]}
"""
import json
import os
import sys

import numpy as np
import torch

import modelopt
import modelopt.torch.quantization.qtensor.nvfp4_tensor as nvfp4_module
from modelopt.torch.quantization.qtensor.nvfp4_tensor import NVFP4QTensor

# Older releases (0.41.0, which made the published MiniMax-M2.5 NVFP4 checkpoint)
# ask fp4_compatible() (a CUDA device query) before their TensorRT-LLM path even
# when that path is not requested; on a CPU-only machine it raises. It only
# gates that path, so answer False.
nvfp4_module.fp4_compatible = lambda: False
# ModelOpt before ~0.42 cast block scales to E4M3 without clamping them to
# [2^-9, 448]: a block far below the tensor's maximum got scale 0.
CLAMPS = hasattr(nvfp4_module, "_cast_per_block_scale_to_fp8")

BLOCK = 16


def case_random(g):
    """Plain Gaussian, unit scale."""
    return torch.randn(8, 64, generator=g)


def case_weights_with_zero_block(g):
    """Weight-like scale (0.02), one row with an all-zero 16-block, one with a zero row-half."""
    w = torch.randn(16, 128, generator=g) * 0.02
    w[3, 32:48] = 0.0
    w[9, 64:] = 0.0
    return w


def case_tiny(g):
    """Values around 1e-6 (weight_scale_2 ~ 1e-9): block scales in the normal E4M3 range."""
    return torch.randn(4, 32, generator=g) * 1e-6


def case_wide_dynamic_range(g):
    """Rows scaled from 1e-4 to 1e3 relative to one another: block scales reach E4M3
    subnormals and the 2^-9 clamp (a block whose amax/(6*ws2) is below 2^-9)."""
    w = torch.randn(32, 256, generator=g)
    row_scale = torch.logspace(-4, 3, 32)
    w = w * row_scale[:, None]
    w[0, 0] = 5000.0  # the global maximum, so the small rows fall under 2^-9
    return w


def case_exact_ties(g):
    """weight_scale_2 = 1 (amax 2688) and power-of-two block maxima, so W/(scale*ws2)
    lands exactly on every E2M1 rounding bound (0.25 0.75 1.25 1.75 2.5 3.5 5), on
    the representable values, and on both signs of each."""
    ties = [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0]
    exact = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0]
    rows, cols = 8, 64
    w = torch.zeros(rows, cols)
    w[0, 0] = 2688.0  # block (0,0) scale 448, ws2 = 2688/2688 = 1
    for r in range(rows):
        for b in range(cols // BLOCK):
            if r == 0 and b == 0:
                blk = [2688.0] + [448.0 * t for t in ties] + [-448.0 * t for t in ties] + [-2688.0]
            else:
                p = 2.0 ** ((r + b) % 7 - 3)  # block max 6p -> scale exactly p
                vals = ties if (r + b) % 2 == 0 else exact
                sign = 1.0 if r % 2 == 0 else -1.0
                blk = [6.0 * p] + [sign * p * t for t in vals] + [-sign * p * t for t in vals] + [-6.0 * p * 0.5]
            w[r, b * BLOCK:(b + 1) * BLOCK] = torch.tensor(blk[:BLOCK])
    return w


def case_negative_near_zero(g):
    """Each block: one value that sets the scale, the rest small negatives (and +0,
    -0): -x/(scale) below 0.25 must encode as -0 (code 8), not +0."""
    w = -torch.rand(8, 32, generator=g) * 0.2  # scaled to <= 0.2 of the block max of 6 -> 0..0.2
    w[:, 0] = 6.0
    w[:, 16] = -3.0
    w[1, 5] = 0.0
    w[2, 7] = -0.0
    w[3, 3] = -0.25  # exactly the bound: rounds to -0
    w[4, 3] = -0.2500001
    return w


def case_heavy_tail(g):
    """Student-t-like heavy tails (normal / sqrt(chi2/3)): outliers inside blocks."""
    z = torch.randn(48, 48, generator=g)
    c = (torch.randn(48, 48, 3, generator=g) ** 2).sum(-1) / 3.0
    return z / torch.sqrt(c + 1e-3) * 0.05


def case_scale_ties(g):
    """Block maxima placed within +-2 ulp of the values whose block scale
    amax/(6*ws2) is an E4M3 rounding tie: the fp32 order of that division decides
    the scale byte (bmax/6/ws2 rounds differently from bmax/(6*ws2) for some)."""
    ws2 = torch.tensor(1000.0) / 2688.0  # ModelOpt's fp32 arithmetic for amax 1000
    codes = torch.arange(0x08, 0x7E, dtype=torch.uint8)  # normal positive E4M3 codes
    vals = codes.view(torch.float8_e4m3fn).float()
    mids = (vals[:-1] + vals[1:]) / 2  # 117 ties
    maxima = []
    for m in mids:
        centre = (m * (6.0 * ws2)).float().reshape(1).numpy().view(np.int32)[0]
        for k in range(-2, 3):
            maxima.append(float(np.array([centre + k], dtype=np.int32).view(np.float32)[0]))
    blocks = len(maxima) + 1
    cols = 16 * 16
    rows = (blocks + 15) // 16
    w = (torch.rand(rows, cols, generator=g) * 2 - 1)
    flat = w.view(rows, cols // 16, 16)
    flat[0, 0] *= 999.0
    flat[0, 0, 5] = -1000.0  # the global amax: ws2 = 1000/2688
    for i, b in enumerate(maxima):
        r, c = divmod(i + 1, 16)
        pos = int(torch.randint(0, 16, (1,), generator=g))
        flat[r, c] = flat[r, c] * (0.9 * b)
        flat[r, c, pos] = b if i % 2 == 0 else -b
    for i in range(len(maxima) + 1, rows * 16):  # leftover blocks: ordinary values
        r, c = divmod(i, 16)
        flat[r, c] *= 3.0
    return w


def case_bf16_input(g):
    """BF16 weights, as ModelOpt's export quantises them (the model is BF16): the
    tensor handed to quantize() is bfloat16; the file holds its exact float32 widening."""
    return (torch.randn(16, 96, generator=g) * 0.03).to(torch.bfloat16)


CASES = [
    ("random", case_random),
    ("zero_block", case_weights_with_zero_block),
    ("tiny", case_tiny),
    ("wide_range", case_wide_dynamic_range),
    ("exact_ties", case_exact_ties),
    ("neg_near_zero", case_negative_near_zero),
    ("heavy_tail", case_heavy_tail),
    ("scale_ties", case_scale_ties),
    ("bf16_input", case_bf16_input),
]


def write(path, arr):
    arr = np.ascontiguousarray(arr)
    assert arr.dtype.byteorder in ("<", "=", "|")
    with open(path, "wb") as f:
        f.write(arr.astype(arr.dtype.newbyteorder("<")).tobytes())


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "data", "modelopt")
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(20261126)
    manifest = {
        "modelopt": modelopt.__version__,
        "torch": torch.__version__,
        "block_size": BLOCK,
        "clamps_block_scales": CLAMPS,
        "producer": "tests/golden/make_modelopt_vectors.py: NVFP4QTensor.quantize(w, 16) and .dequantize(float32)",
        "cases": [],
    }
    for name, fn in CASES:
        src = fn(g).contiguous()  # float32, or bfloat16 for the bf16 case
        w = src.to(torch.float32)  # exact widening
        rows, cols = w.shape
        # quantize() works on new tensors, but pass a copy so `src` stays the input.
        qt, scale, ws2 = NVFP4QTensor.quantize(src.clone(), BLOCK)
        packed = qt._quantized_data
        assert packed.dtype == torch.uint8 and tuple(packed.shape) == (rows, cols // 2)
        assert scale.dtype == torch.float8_e4m3fn and tuple(scale.shape) == (rows, cols // BLOCK)
        deq = qt.dequantize(dtype=torch.float32, scale=scale, double_scale=ws2, block_sizes={-1: BLOCK})
        assert deq.dtype == torch.float32 and tuple(deq.shape) == (rows, cols)
        write(os.path.join(out, name + ".input.f32"), w.numpy())
        write(os.path.join(out, name + ".packed.u8"), packed.numpy())
        write(os.path.join(out, name + ".scales.u8"), scale.view(torch.uint8).numpy())
        write(os.path.join(out, name + ".ws2.f32"), np.array([ws2.float().item()], dtype=np.float32))
        write(os.path.join(out, name + ".dequant.f32"), deq.numpy())
        sb = scale.view(torch.uint8)
        manifest["cases"].append({"name": name, "rows": rows, "cols": cols, "input_dtype": str(src.dtype).replace("torch.", ""), "what": fn.__doc__.split("\n")[0]})
        print(f"{name:14s} [{rows}x{cols}] ws2={ws2.item():.6g} scale bytes min=0x{sb.min().item():02x} "
              f"max=0x{sb.max().item():02x} max|deq-w|={(deq - w).abs().max().item():.3g}")
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
