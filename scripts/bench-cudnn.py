#!/usr/bin/env python3
"""cuDNN conv2d through PyTorch at the kernel benchmark's shapes (tests/bench/kernels), fp32 with
TF32 off and with TF32 on, after warm-up, median of many runs; GFLOPS = 2 n k oh ow c r s / time,
relative error ||out - ref|| / ||ref|| against the same convolution in float64 on the GPU (fresh
random inputs per shape). Two times per shape:
- ms: CUDA events around INNER back-to-back calls, divided by INNER: the GPU queue stays full,
  so PyTorch's host-side launch cost does not count (comparable to an OpenCL kernel event);
- ms_single: events around one call, which includes the host's launch gap (a latency).

Usage: bench-cudnn.py [--batch 1,32] [--repeats 50] [--warmup 10] [--inner 10] [--json FILE]"""
import argparse
import json
import statistics

import torch
import torch.nn.functional as F

# Same table as tests/bench/kernels/pm4d_bench_common.c: (name, c, hw, k, rs); stride 1, pad rs//2.
SHAPES = [
    ("3x3 64@56", 64, 56, 64, 3), ("3x3 128@28", 128, 28, 128, 3),
    ("3x3 256@14", 256, 14, 256, 3), ("3x3 512@7", 512, 7, 512, 3),
    ("1x1 64->256@56", 64, 56, 256, 1), ("1x1 256->64@56", 256, 56, 64, 1),
    ("1x1 128->512@28", 128, 28, 512, 1), ("1x1 512->128@28", 512, 28, 128, 1),
    ("1x1 256->1024@14", 256, 14, 1024, 1), ("1x1 1024->256@14", 1024, 14, 256, 1),
    ("1x1 512->2048@7", 512, 7, 2048, 1), ("1x1 2048->512@7", 2048, 7, 512, 1),
]


def timed(fn, calls):
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(calls):
        fn()
    b.record()
    b.synchronize()
    return a.elapsed_time(b) / calls


def bench(x, w, pad, repeats, warmup, inner):
    def conv():
        F.conv2d(x, w, padding=pad)
    for _ in range(warmup):
        conv()
    queued = statistics.median(timed(conv, inner) for _ in range(repeats))
    single = statistics.median(timed(conv, 1) for _ in range(repeats))
    return queued, single


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", default="1,32")
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--inner", type=int, default=10)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.backends.cudnn.benchmark = True  # let cuDNN pick its fastest algorithm per shape
    dev = torch.cuda.get_device_name(0)
    print(f"device: {dev}, torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}; "
          f"CUDA events around {a.inner} back-to-back calls (ms) and around one (ms_single), "
          f"median of {a.repeats} after {a.warmup} warm-up runs")
    results = []
    gen = torch.Generator(device="cuda").manual_seed(1)
    for n in [int(b) for b in a.batch.split(",")]:
        for name, c, hw, k, rs in SHAPES:
            x = torch.rand(n, c, hw, hw, device="cuda", generator=gen) * 2 - 1
            w = torch.rand(k, c, rs, rs, device="cuda", generator=gen) * 2 - 1
            pad = rs // 2
            ref = F.conv2d(x.double(), w.double(), padding=pad)
            flops = 2.0 * n * k * hw * hw * c * rs * rs
            for tf32 in (False, True):
                torch.backends.cudnn.allow_tf32 = tf32
                torch.backends.cuda.matmul.allow_tf32 = tf32
                out = F.conv2d(x, w, padding=pad)
                err = ((out.double() - ref).norm() / ref.norm()).item()
                ms, single = bench(x, w, pad, a.repeats, a.warmup, a.inner)
                r = {"shape": name, "n": n, "tf32": tf32, "ms": ms, "ms_single": single,
                     "gflops": flops / ms * 1e-6, "rel_err": err}
                results.append(r)
                print(f"{name:18s} n={n:<3d} tf32={'on ' if tf32 else 'off'} {ms:9.4f} ms "
                      f"{r['gflops']:9.1f} GFLOPS  rel.err {err:.2e}  (one call: {single:.4f} ms)", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"device": dev + " (cuDNN via PyTorch)", "torch": torch.__version__,
                       "cudnn": torch.backends.cudnn.version(), "repeats": a.repeats,
                       "warmup": a.warmup, "inner": a.inner, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
