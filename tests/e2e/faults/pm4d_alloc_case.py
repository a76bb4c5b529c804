#!/usr/bin/env python3
"""One case of pm4d_e2e_alloc_faults.sh, checked in one process (a Python start costs about a
second on a loaded 2-core machine, and there are ~70 cases): the output is within 1e-5 of the
run without the layer, and every job recorded completed exactly once
(direct_jobs_completed + fallback_jobs = jobs_recorded x iterations); prints the case's line.
usage: pm4d_alloc_case.py STATS ITERS SITE CALLS OUT.bin OFF.bin"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pm4d_compare_f32 import compare  # noqa: E402

stats, iters, site, calls, out, off = sys.argv[1:7]
ok, message = compare(out, off, 1e-5)
if not ok:
    sys.exit(f"{site}: output differs from the run without the layer: {message}")
c = json.load(open(stats))["counters"]
done, want = c["direct_jobs_completed"] + c["fallback_jobs"], c["jobs_recorded"] * int(iters)
if done != want:
    sys.exit(f"{site}: {done} jobs completed, {want} recorded x iterations (lost or run twice)")
shown = ("jobs_recorded", "dispatches_redirected", "fallback_jobs", "passthrough_no_memory",
         "fallback_nomem")
print(f"ok {site} ({calls} allocations in a clean run):",
      " ".join(f"{k}={c[k]}" for k in shown if c.get(k)))
