#!/usr/bin/env python3
"""Checks a vktrace.c trace of the ggml_conv2d harness against the facts in
docs/ggml-conv2d.md, so that a new ggml build that changes them fails loudly.

usage: check_trace.py TRACE SHADER_TABLE KNOWN_SHADERS DISPATCHES
Asserts: every compute pipeline ggml creates uses a conv2d shader named in SHADER_TABLE, by its
fingerprint in KNOWN_SHADERS (entry ggml_NAME of layer/conv2d/known_shaders.txt), with the 19 specialization constants 0..18; every descriptor write is a storage
buffer at binding 0, 1 or 2; every push is 80 bytes at offset 0; work is recorded only with
vkCmdDispatch (no DispatchBase, DispatchIndirect or push descriptors), exactly DISPATCHES times,
each with a conv2d pipeline bound. Prints the variants and specializations seen."""
import re
import sys

from extract_spirv import read_expected, read_known

SPEC_IDS = list(range(19))
SPEC_NAMES = ["WG_SIZE", "BS_K", "BS_CRS", "BS_NPQ", "TS_K", "use_collectives", "SHMEM_PAD",
              "s0", "s1", "p0", "p1", "d0", "d1", "KW", "KH", "aligned", "csh_store", "WM", "WN"]


def fields(line):
    return dict(re.findall(r"(\w+)=(\[[^\]]*\]|\S+)", line))


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    trace_path, table_path, known_path, want = sys.argv[1:4] + [int(sys.argv[4])]
    fingerprints = read_known(known_path)
    known = {fingerprints["ggml_" + name]: name for name in read_expected(table_path)
             if "ggml_" + name in fingerprints}
    errors = []
    pipelines = {}
    bound = {}
    dispatches = 0
    with open(trace_path) as f:
        lines = f.read().splitlines()
    for line in lines:
        kind = line.split(" ", 1)[0]
        kv = fields(line)
        if kind == "pipeline":
            name = known.get(int(kv["module_fp"], 16))
            spec = [tuple(map(int, e.split(":"))) for e in kv["spec"][1:-1].split(",") if e]
            if name is None:
                errors.append("pipeline with unknown shader %s" % kv["module_fp"])
                continue
            if [i for i, _ in spec] != SPEC_IDS:
                errors.append("%s: specialization ids %s" % (name, [i for i, _ in spec]))
                continue
            pipelines[line.split()[1]] = name
            print("%s %s" % (name, " ".join("%s=%d" % (SPEC_NAMES[i], v) for i, v in spec)))
        elif kind == "update":
            if kv["type"] != "7" or kv["binding"] not in ("0", "1", "2"):
                errors.append("descriptor write: " + line)
        elif kind == "push":
            if kv["offset"] != "0" or kv["size"] != "80":
                errors.append("push constants: " + line)
        elif kind == "bind_pipeline":
            bound[kv["cb"]] = kv["pipeline"]
        elif kind == "dispatch":
            dispatches += 1
            if bound.get(kv["cb"]) not in pipelines:
                errors.append("dispatch without a conv2d pipeline: " + line)
        elif kind in ("dispatch_base", "dispatch_indirect", "push_descriptor", "submit2"):
            errors.append("unexpected: " + line)
    if dispatches != want:
        errors.append("%d dispatches, expected %d" % (dispatches, want))
    for e in errors:
        print("FAIL: " + e)
    print("%s: %d conv2d pipelines (%s), %d dispatches"
          % ("FAIL" if errors else "PASS", len(pipelines),
             ", ".join(sorted(set(pipelines.values()))), dispatches))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
