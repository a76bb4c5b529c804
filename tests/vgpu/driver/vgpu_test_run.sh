#!/usr/bin/env bash
# Runs COMMAND on the virtual GPU (scripts/vgpu PROFILE) with VGPU_REPORT set, then checks the
# report: each CHECK is "key==N", "key>=N" (keys of the report's top level or "cp.key").
# Usage: vgpu_test_run.sh PROFILE "CHECK [CHECK...]" COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
profile=$1 checks=$2
shift 2
report=$(mktemp)
trap 'rm -f "$report"' EXIT
VGPU_REPORT="$report" "$here/../../../scripts/vgpu" "$profile" "$@"
python3 - "$report" $checks <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
bad = 0
for c in sys.argv[2:]:
    key, op, want = re.fullmatch(r"([\w.]+)(==|>=)(\d+)", c).groups()
    v = r
    for k in key.split("."):
        v = v[k]
    ok = v == int(want) if op == "==" else v >= int(want)
    print(("ok   " if ok else "FAIL ") + f"{key} = {v} (want {op} {want})")
    bad += not ok
sys.exit(1 if bad else 0)
PY
