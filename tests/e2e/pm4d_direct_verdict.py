#!/usr/bin/env python3
"""Says in one line how many conv2d dispatches a run under the layer ran on the direct path, from
its PM4DIRECT_STATS file, and exits 1 unless every one did: at least one dispatch direct, none
re-run through the driver after a failed batch, no failed batch, no recognised dispatch left to
the driver at recording time.
usage: pm4d_direct_verdict.py STATS.json"""
import json
import sys

stats = json.load(open(sys.argv[1]))
c = stats["counters"]
direct = c["direct_jobs_completed"]
fallback = c["fallback_jobs"]
passed = sum(v for k, v in c.items() if k.startswith("passthrough_"))
ok = stats["auto_disable"]["successes"]
failed = stats["auto_disable"]["failures"]
print(f"conv2d dispatches: {direct} ran direct, {fallback} re-ran through the driver after a "
      f"failed batch, {passed} recorded dispatches passed through; "
      f"{ok} direct batches ok, {failed} failed")
good = direct > 0 and fallback == 0 and failed == 0 and passed == 0
if not good:
    print("the redirect did not happen for every conv2d dispatch (see the layer's log above)")
sys.exit(0 if good else 1)
