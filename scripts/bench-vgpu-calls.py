#!/usr/bin/env python3
"""Per-call costs of callgrind dumps (scripts/bench-vgpu: one dump per measured call, from
--toggle-collect and --dump-after of the same function).

usage: bench-vgpu-calls.py MODE FILE...   (files in call order)
Prints one line per call, "call MODE I TOTAL LAYER VGPU", where TOTAL is every instruction of the
call, LAYER the self cost of libVkLayer_pm4direct.so and VGPU the inclusive cost of the vgpu's
ioctl emulation (tests/vgpu's interposed ioctl: kernel work on real hardware). With
--functions, also "fn MODE I NAME SELF" for each of the layer's functions in the call."""
import collections
import re
import sys

LAYER = "libVkLayer_pm4direct"
VGPU_OBJ = "libvgpu"


def parse(path):
    """(total, layer self cost, vgpu ioctl inclusive cost, {layer function: self cost})."""
    names = {"ob": {}, "fl": {}, "fn": {}}
    space = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl",
             "cfl": "fl", "fn": "fn", "cfn": "fn"}

    def name(kind, s):
        m = re.match(r"\((\d+)\)(?: (.*))?", s)
        if not m:
            return s
        table = names[space[kind]]
        if m.group(2):
            table[m.group(1)] = m.group(2)
        return table.get(m.group(1), s)

    ob = fn = cob = cfn = None
    in_call = False
    total = layer = vgpu = 0
    fns = collections.Counter()
    for line in open(path):
        line = line.rstrip("\n")
        key, eq, val = line.partition("=")
        if eq and key in space:
            v = name(key, val)
            if key == "ob":
                ob = v
            elif key == "fn":
                fn = v
            elif key == "cob":
                cob = v
            elif key == "cfn":
                cfn = v
            continue
        if line.startswith("calls="):
            in_call = True
            continue
        if not line or not (line[0].isdigit() or line[0] in "+-*"):
            continue
        parts = line.split()
        cost = int(parts[1]) if len(parts) >= 2 else 0
        if in_call:
            # Inclusive cost of a call: the vgpu's ioctl entered from outside itself.
            callee_ob = cob or ob
            if cfn == "ioctl" and VGPU_OBJ in callee_ob and not (fn == "ioctl" and VGPU_OBJ in ob):
                vgpu += cost
            in_call, cob = False, None
            continue
        total += cost
        if LAYER in ob:
            layer += cost
            fns[fn] += cost
    return total, layer, vgpu, fns


def main():
    args = sys.argv[1:]
    functions = "--functions" in args
    args = [a for a in args if a != "--functions"]
    mode, files = args[0], args[1:]
    for i, path in enumerate(files, 1):
        total, layer, vgpu, fns = parse(path)
        print(f"call {mode} {i} {total} {layer} {vgpu}")
        if functions:
            for f, c in fns.most_common():
                print(f"fn {mode} {i} {f} {c}")


if __name__ == "__main__":
    main()
