#!/usr/bin/env python3
"""Renders the markdown tables of one H200 run (the JSON files scripts/h200-run writes to $OUT)
for docs/bench-h200-kernels.md.

Usage: bench-h200-report.py DIR [--prev NAME]
  DIR holds kernels.json, cudnn.json, ggml.json and any kernels-NAME.json (other kernel
  versions run in the same call); --prev NAME adds that version's columns (say v0)."""
import argparse
import json
import os

GOAL_GFLOPS = 8000.0
GOAL_RATIO = 0.5
GOAL_ERR = 1e-5


def load(path):
    with open(path) as f:
        return json.load(f)


def index(results, key=lambda r: (r["shape"], r["n"])):
    return {key(r): r for r in results}


def fmt(x, nd=0):
    return f"{x:,.{nd}f}" if x is not None else "–"


def best_kernel(results):
    """Per (shape, n): the specialised variant (1x1 / 3x3), else direct."""
    out = {}
    for r in results:
        k = (r["shape"], r["n"])
        if r["variant"] != "pm4d_conv2d_direct" or k not in out:
            out[k] = r
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--prev")
    a = ap.parse_args()
    kern = load(os.path.join(a.dir, "kernels.json"))
    cud = load(os.path.join(a.dir, "cudnn.json"))
    ggml = load(os.path.join(a.dir, "ggml.json"))
    ours = best_kernel(kern["results"])
    direct = {(r["shape"], r["n"]): r for r in kern["results"]
              if r["variant"] == "pm4d_conv2d_direct"}
    prev = None
    if a.prev:
        prev = best_kernel(load(os.path.join(a.dir, f"kernels-{a.prev}.json"))["results"])
    fp32 = index([r for r in cud["results"] if not r["tf32"]])
    tf32 = index([r for r in cud["results"] if r["tf32"]])
    gg = index(ggml["results"])

    print(f"Devices: `{kern['device']}` (OpenCL); `{cud['device']}`, cuDNN {cud['cudnn']}, "
          f"torch {cud['torch']}; `{ggml['device']}`.\n")

    print("### Goal: fp32, batch 32, every 3x3 layer\n")
    print("| layer | ours GFLOPS | ours rel. err | cuDNN fp32 GFLOPS | ours / cuDNN fp32 | "
          "≥ 8000 and ≥ 0.5 × cuDNN, err ≤ 1e-5 |")
    print("|---|---:|---:|---:|---:|---|")
    for (shape, n), r in ours.items():
        if n != 32 or not shape.startswith("3x3"):
            continue
        c = fp32[(shape, n)]
        ratio = r["gflops"] / c["gflops"]
        ok = r["gflops"] >= GOAL_GFLOPS and ratio >= GOAL_RATIO and 0 <= r["rel_err"] <= GOAL_ERR
        print(f"| {shape} | {fmt(r['gflops'])} | {r['rel_err']:.2e} | {fmt(c['gflops'])} | "
              f"{ratio:.2f} | {'yes' if ok else 'NO'} |")

    print("\n### Every shape: GFLOPS (relative error)\n")
    head = "| layer | n | ours | "
    if prev:
        head += f"previous kernels ({a.prev}) | "
    head += "ours direct | cuDNN fp32 | cuDNN TF32 | ggml Vulkan | ours / cuDNN fp32 |"
    print(head)
    print("|---|---:|" + "---:|" * (head.count("|") - 3))
    for (shape, n), r in sorted(ours.items(), key=lambda kv: (kv[0][1], kv[0][0][:3] != "3x3")):
        c, t, g = fp32[(shape, n)], tf32[(shape, n)], gg.get((shape, n))
        row = f"| {shape} | {n} | {fmt(r['gflops'])} ({r['rel_err']:.1e}) | "
        if prev:
            p = prev[(shape, n)]
            row += f"{fmt(p['gflops'])} | "
        d = direct.get((shape, n))
        row += f"{fmt(d['gflops']) if d else '–'} | "
        row += f"{fmt(c['gflops'])} ({c['rel_err']:.1e}) | {fmt(t['gflops'])} ({t['rel_err']:.1e}) | "
        row += f"{fmt(g['gflops']) if g else '–'} ({g['rel_err']:.1e}) | " if g else "– | "
        row += f"{r['gflops'] / c['gflops']:.2f} |"
        print(row)

    print("\n### Batch 1: time per convolution (µs)\n")
    print("| layer | ours kernel (OpenCL event) | cuDNN fp32 kernel (CUDA event) | "
          "ggml Vulkan graph_compute, submit to wait (wall) |")
    print("|---|---:|---:|---:|")
    for (shape, n), r in ours.items():
        if n != 1:
            continue
        g = gg.get((shape, n))
        print(f"| {shape} | {r['ms'] * 1e3:.1f} | {fp32[(shape, n)]['ms'] * 1e3:.1f} | "
              f"{g['ms'] * 1e3:.1f} |" if g else "– |")


if __name__ == "__main__":
    main()
