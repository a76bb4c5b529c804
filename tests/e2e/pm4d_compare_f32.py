#!/usr/bin/env python3
"""Compares two raw little-endian fp32 files: same length, and ||a - b|| / ||b|| <= tolerance.
usage: pm4d_compare_f32.py A B [TOLERANCE (default 1e-5)]"""
import math
import struct
import sys

a_path, b_path = sys.argv[1], sys.argv[2]
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
a = open(a_path, "rb").read()
b = open(b_path, "rb").read()
if len(a) != len(b) or len(a) % 4 or not a:
    sys.exit("FAIL: sizes differ or are not whole fp32: %d vs %d bytes" % (len(a), len(b)))
n = len(a) // 4
fa = struct.unpack("<%df" % n, a)
fb = struct.unpack("<%df" % n, b)
if any(math.isnan(x) for x in fa):
    sys.exit("FAIL: NaN in %s" % a_path)
diff = math.sqrt(sum((x - y) ** 2 for x, y in zip(fa, fb)))
norm = math.sqrt(sum(y * y for y in fb))
rel = diff / norm if norm else diff
print("relative L2 difference %.3g over %d values (tolerance %g)" % (rel, n, tol))
sys.exit(0 if rel <= tol else 1)
