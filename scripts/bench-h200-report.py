#!/usr/bin/env python3
"""Renders the markdown tables of one H200 run (the JSON files scripts/h200-run writes to $OUT)
for docs/bench-h200-kernels.md.

Usage: bench-h200-report.py DIR [--use KIND=NAME ...] [--cols NAME,...]
  DIR holds kernels.json, cudnn.json, ggml.json and kernels-NAME.json (other kernel versions
  run in the same call). --use 1x1=unroll takes the 1x1 rows of "ours" from kernels-unroll.json
  (the committed source compiles those kernels to the same code); --cols adds other versions'
  GFLOPS as columns.

Ours and cuDNN are compared by the same method: device events around back-to-back dispatches
(ours: ms_queued, first kernel start to last kernel end over the count; cuDNN: ms, CUDA events
around 10 queued calls / 10). ggml: host wall time of ggml_backend_graph_compute."""
import argparse
import json
import os

GOAL_GFLOPS = 8000.0
GOAL_RATIO = 0.5
GOAL_ERR = 1e-5


def load(d, name):
    with open(os.path.join(d, name)) as f:
        return json.load(f)


def specialised(results):
    """Per (shape, n): the 1x1 / 3x3 kernel's row (the variant the host picks)."""
    return {(r["shape"], r["n"]): r for r in results if r["variant"] != "pm4d_conv2d_direct"}


def gflops(r, flops):
    return flops / (r.get("ms_queued") or r["ms"]) * 1e-6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--use", action="append", default=[])
    ap.add_argument("--cols", default="")
    a = ap.parse_args()
    kern = load(a.dir, "kernels.json")
    cud = load(a.dir, "cudnn.json")
    ggml = load(a.dir, "ggml.json")
    ours = specialised(kern["results"])
    source = {k: "kernels" for k in ours}
    for use in a.use:
        kind, name = use.split("=")
        other = specialised(load(a.dir, f"kernels-{name}.json")["results"])
        for k in ours:
            if k[0].startswith(kind):
                ours[k], source[k] = other[k], name
    direct = {(r["shape"], r["n"]): r for r in kern["results"]
              if r["variant"] == "pm4d_conv2d_direct"}
    cols = [c for c in a.cols.split(",") if c]
    extra = {c: specialised(load(a.dir, f"kernels-{c}.json")["results"]) for c in cols}
    fp32 = {(r["shape"], r["n"]): r for r in cud["results"] if not r["tf32"]}
    tf32 = {(r["shape"], r["n"]): r for r in cud["results"] if r["tf32"]}
    gg = {(r["shape"], r["n"]): r for r in ggml["results"]}
    # flops per shape from cuDNN's own figures (ms * gflops is the same count everywhere)
    flops = {k: r["gflops"] * r["ms"] * 1e6 for k, r in fp32.items()}

    print(f"OpenCL: `{kern['device']}`. cuDNN: `{cud['device']}`, cuDNN {cud['cudnn']}, "
          f"torch {cud['torch']}. ggml: `{ggml['device']}`.\n")

    print("### Goal: fp32, batch 32, every 3x3 layer\n")
    print("| layer | ours GFLOPS | ours rel. err | cuDNN fp32 GFLOPS | ours / cuDNN fp32 | "
          "≥ 8000 GFLOPS, ≥ 0.5 × cuDNN, err ≤ 1e-5 |")
    print("|---|---:|---:|---:|---:|---|")
    for k, r in ours.items():
        if k[1] != 32 or not k[0].startswith("3x3"):
            continue
        g, c = gflops(r, flops[k]), fp32[k]["gflops"]
        ok = g >= GOAL_GFLOPS and g / c >= GOAL_RATIO and 0 <= r["rel_err"] <= GOAL_ERR
        print(f"| {k[0]} | {g:,.0f} | {r['rel_err']:.2e} | {c:,.0f} | {g / c:.2f} | "
              f"{'yes' if ok else 'NO'} |")

    print("\n### Every shape: GFLOPS (relative error)\n")
    head = ["layer", "n", "ours", "ours / cuDNN fp32"] + [f"version {c}" for c in cols] + [
        "ours direct", "cuDNN fp32", "cuDNN TF32", "ggml Vulkan"]
    print("| " + " | ".join(head) + " |")
    print("|---|" + "---:|" * (len(head) - 1))
    for k in sorted(ours, key=lambda k: (k[1], not k[0].startswith("3x3"))):
        r, c, t, g = ours[k], fp32[k], tf32[k], gg.get(k)
        mine = gflops(r, flops[k])
        row = [k[0], str(k[1]), f"{mine:,.0f} ({r['rel_err']:.1e})", f"{mine / c['gflops']:.2f}"]
        row += [f"{gflops(extra[x][k], flops[k]):,.0f}" for x in cols]
        d = direct.get(k)
        row += [f"{gflops(d, flops[k]):,.0f}" if d else "–",
                f"{c['gflops']:,.0f} ({c['rel_err']:.1e})", f"{t['gflops']:,.0f} ({t['rel_err']:.1e})",
                f"{g['gflops']:,.0f} ({g['rel_err']:.1e})" if g else "–"]
        print("| " + " | ".join(row) + " |")

    print("\n### Batch 1: time per convolution (µs)\n")
    print("| layer | ours: kernel (event) | ours: enqueue to clFinish (host wall) | "
          "cuDNN fp32: back to back (events) | cuDNN fp32: one call (events) | "
          "ggml Vulkan: graph_compute, submit to wait (host wall) |")
    print("|---|---:|---:|---:|---:|---:|")
    for k, r in ours.items():
        if k[1] != 1:
            continue
        g = gg.get(k)
        print(f"| {k[0]} | {r['ms'] * 1e3:.1f} | {r['ms_wall'] * 1e3:.1f} | "
              f"{fp32[k]['ms'] * 1e3:.1f} | {fp32[k]['ms_single'] * 1e3:.1f} | "
              + (f"{g['ms'] * 1e3:.1f} |" if g else "– |"))
    used = sorted({v for v in source.values()})
    print(f"\n(ours from: {', '.join(used)})")


if __name__ == "__main__":
    main()
