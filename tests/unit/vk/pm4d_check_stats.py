#!/usr/bin/env python3
"""Checks the layer's stats JSON.

pm4d_check_stats.py STATS [--expect EXPECT.json] [NAME=VALUE | NAME>=VALUE ...]

--expect: every counter named in EXPECT (written by a test program) must equal its value.
NAME=VALUE / NAME>=VALUE: a counter, or a top-level field (disabled, live_devices, ...); either
side may be a number, a name, or a sum of names joined by '+'.
"""
import json
import re
import sys


def main(argv):
    stats = json.load(open(argv[1]))
    counters = stats["counters"]
    args = argv[2:]
    failures = []
    if args[:1] == ["--expect"]:
        expect = json.load(open(args[1]))
        args = args[2:]
        for name, value in expect.items():
            if counters.get(name) != value:
                failures.append(f"{name}: layer counted {counters.get(name)}, program made {value} calls")

    def value_of(text):
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        if text in ("true", "false"):
            return text == "true"
        return sum(counters[n] if n in counters else stats[n] for n in text.split("+"))

    for cond in args:
        m = re.fullmatch(r"([\w+]+?)(>=|=)(.+)", cond)
        if not m:
            sys.exit(f"bad condition {cond}")
        name, op, want = m.groups()
        have = value_of(name)
        want = value_of(want)
        if not (have == want if op == "=" else have >= want):
            failures.append(f"{name}: {have}, expected {op}{want}")
    for f in failures:
        print("stats check failed:", f)
    if not failures:
        print("stats check passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
