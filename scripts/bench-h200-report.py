#!/usr/bin/env python3
"""Renders the markdown tables of one H200 run (the JSON files scripts/h200-run writes to $OUT)
for docs/bench-h200-kernels.md.

Usage: bench-h200-report.py DIR [--use KIND=NAME ...] [--cols NAME,...] [--prev NAME]
  DIR holds kernels.json, cudnn.json, ggml.json and kernels-NAME.json (other kernel versions
  run in the same call). --use 1x1=unroll takes the 1x1 rows of "ours" from kernels-unroll.json
  (the committed source compiles those kernels to the same code); --cols adds other versions'
  GFLOPS as columns; --prev NAME: kernels-NAME.json holds the previous kernels, and the batch-1
  and batch-32 goals of issue 18 are checked against them and cuDNN ("Goal summary").
  "Ours" is the variant the layer picks (the rows marked "chosen"; files without that mark: the
  1x1 / 3x3 kernel).

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
    """Per (shape, n): the row of the variant the host picks ("chosen"; older files have one
    1x1 / 3x3 kernel, the pick)."""
    if any("chosen" in r for r in results):
        return {(r["shape"], r["n"]): r for r in results if r["chosen"]}
    return {(r["shape"], r["n"]): r for r in results if r["variant"] != "pm4d_conv2d_direct"}


def goals_issue18(ours, prev, fp32, flops):
    """Batch 1: every shape >= 0.8 x cuDNN fp32 at rel. err <= 1e-5; batch 32: no shape more than
    3 % slower than the previous kernels, and 3x3 128@28 and 256@14 >= 0.8 x cuDNN fp32. All
    times are back-to-back device-event times (ms_queued) of the same run."""
    t = lambda r: r.get("ms_queued") or r["ms"]
    print("### Batch 1: ours vs cuDNN fp32 (same run)\n")
    print("| layer | kernel | ours µs | cuDNN fp32 µs | ours / cuDNN (speed) | rel. err | "
          "≥ 0.8 ×, err ≤ 1e-5 |")
    print("|---|---|---:|---:|---:|---:|---|")
    b1 = []
    for k, r in ours.items():
        if k[1] != 1:
            continue
        ratio = fp32[k]["ms"] / t(r)
        ok = ratio >= 0.8 and 0 <= r["rel_err"] <= GOAL_ERR
        b1.append((ratio, k[0], ok))
        print(f"| {k[0]} | {r['variant'].replace('pm4d_conv2d_', '')} | {t(r) * 1e3:.1f} | "
              f"{fp32[k]['ms'] * 1e3:.1f} | {ratio:.2f} | {r['rel_err']:.1e} | "
              f"{'yes' if ok else 'NO'} |")
    print("\n### Batch 32: ours vs the previous kernels and cuDNN fp32 (same run)\n")
    print("| layer | kernel | ours µs | previous µs | change | cuDNN fp32 µs | ours / cuDNN | "
          "≤ +3 % |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    b32, slow = [], []
    for k, r in ours.items():
        if k[1] != 32:
            continue
        change = t(r) / t(prev[k]) - 1
        ratio = fp32[k]["ms"] / t(r)
        slow.append((change, k[0]))
        if k[0] in ("3x3 128@28", "3x3 256@14"):
            b32.append((ratio, k[0]))
        print(f"| {k[0]} | {r['variant'].replace('pm4d_conv2d_', '')} | {t(r) * 1e3:.1f} | "
              f"{t(prev[k]) * 1e3:.1f} | {change * 100:+.1f} % | {fp32[k]['ms'] * 1e3:.1f} | "
              f"{ratio:.2f} | {'yes' if change <= 0.03 else 'NO'} |")
    print("\n### Goal summary (issue 18)\n")
    print("| goal | figure | met |")
    print("|---|---|---|")
    w = min(b1)
    print(f"| kernels ≥ 0.8 × cuDNN fp32, batch 1, all {len(b1)} shapes, err ≤ 1e-5 | "
          f"lowest {w[0]:.2f} × ({w[1]}) | {'yes' if all(g[2] for g in b1) else 'NO'} |")
    s = max(slow)
    print(f"| kernels at batch 32 at most 3 % slower than the previous ones, every shape | "
          f"worst {s[0] * 100:+.1f} % ({s[1]}) | {'yes' if s[0] <= 0.03 else 'NO'} |")
    w = min(b32)
    print(f"| kernels ≥ 0.8 × cuDNN fp32, batch 32, 3x3 128@28 and 256@14 | "
          f"lowest {w[0]:.2f} × ({w[1]}) | {'yes' if w[0] >= 0.8 else 'NO'} |")
    print()


def gflops(r, flops):
    return flops / (r.get("ms_queued") or r["ms"]) * 1e-6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--use", action="append", default=[])
    ap.add_argument("--cols", default="")
    ap.add_argument("--prev")
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

    print(f"OpenCL: `{kern['device']}`"
          + (f", {kern['compute_units']} compute units" if "compute_units" in kern else "")
          + (f"; each kernel figure the median of {kern['rounds']} rounds of {kern['repeats']}"
             if "rounds" in kern else "")
          + f". cuDNN: `{cud['device']}`, cuDNN {cud['cudnn']}, "
          f"torch {cud['torch']}. ggml: `{ggml['device']}`.\n")
    if a.prev:
        goals_issue18(ours, specialised(load(a.dir, f"kernels-{a.prev}.json")["results"]), fp32,
                      flops)

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
