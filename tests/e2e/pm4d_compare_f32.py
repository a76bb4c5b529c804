#!/usr/bin/env python3
"""Compares two raw little-endian fp32 files: same length, and ||a - b|| / ||b|| <= tolerance.
usage: pm4d_compare_f32.py A B [TOLERANCE (default 1e-5)]
(compare() is also imported by scripts that check more in the same process.)"""
import math
import struct
import sys


def compare(a_path, b_path, tol=1e-5):
    """(ok, message) for the two files."""
    a = open(a_path, "rb").read()
    b = open(b_path, "rb").read()
    if len(a) != len(b) or len(a) % 4 or not a:
        return False, "FAIL: sizes differ or are not whole fp32: %d vs %d bytes" % (len(a), len(b))
    n = len(a) // 4
    fa = struct.unpack("<%df" % n, a)
    fb = struct.unpack("<%df" % n, b)
    if any(math.isnan(x) for x in fa):
        return False, "FAIL: NaN in %s" % a_path
    diff = math.sqrt(sum((x - y) ** 2 for x, y in zip(fa, fb)))
    norm = math.sqrt(sum(y * y for y in fb))
    rel = diff / norm if norm else diff
    return rel <= tol, "relative L2 difference %.3g over %d values (tolerance %g)" % (rel, n, tol)


if __name__ == "__main__":
    ok, message = compare(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5)
    if message.startswith("FAIL"):
        sys.exit(message)
    print(message)
    sys.exit(0 if ok else 1)
