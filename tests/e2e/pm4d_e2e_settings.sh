#!/usr/bin/env bash
# Settings in a real process (issue 17): each wrong value gets exactly one line naming what is
# accepted and what is used instead, once per process, and the run goes on with the defaults; a
# user shader table that loads is confirmed in one line, one that does not is named with why.
# usage: pm4d_e2e_settings.sh WORKDIR CONVNET
source "$(dirname "$0")/../unit/vk/pm4d_vk_test_lib.sh"
convnet=$1
rm -rf "$work"/*
# One entry in the documented format (layer/conv2d/README.md), a fingerprint no shader has.
cat >"$work/table.txt" <<'TABLE'
shader 0x0123456789abcdef user_entry
  input 0 0
  filter 0 1
  bias 0 2
  output 0 3
  n push 0
  c push 4
  h push 8
  w push 12
  k push 16
  r push 20
  s push 24
  stride_h push 28
  stride_w push 32
  pad_h push 36
  pad_w push 40
  dil_h push 44
  dil_w push 48
  oh push 52
  ow push 56
  groups const 1
  bias_present push 60 & 1
  relu push 60 & 2
end
TABLE
run wrong env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=bogus PM4DIRECT_DEADLINE_MS=abc \
  PM4DIRECT_AUTODISABLE_THRESHOLD=200 PM4DIRECT_DEBUG=yes PM4DIRECT_SHADER_TABLE="$work/table.txt" \
  "$convnet" --size 16 --iters 2 || { cat "$work/wrong.log"; fail "convnet under wrong settings"; }
expect_once() {
  local n
  n=$(grep -cxF "pm4direct: $1" "$work/wrong.log")
  [ "$n" = 1 ] || { cat "$work/wrong.log"; fail "want once ($n times): $1"; }
}
expect_once "PM4DIRECT_BACKEND=bogus not accepted (accepted: auto, amdgpu, sim or none); using auto"
expect_once "PM4DIRECT_DEADLINE_MS=abc not accepted (accepted: whole milliseconds from 1 to 600000); using 100"
expect_once "PM4DIRECT_AUTODISABLE_THRESHOLD=200 not accepted (accepted: percent from 0 to 100, '%' optional); using 95"
expect_once "PM4DIRECT_DEBUG=yes not accepted (accepted: 0 or 1); using 1"
expect_once "PM4DIRECT_SHADER_TABLE: 1 entries loaded from $work/table.txt"
# A symbolic link is not read as a shader table.
ln -s "$work/table.txt" "$work/link.txt"
run link env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_SHADER_TABLE="$work/link.txt" \
  "$convnet" --size 16 --iters 1 || { cat "$work/link.log"; fail "convnet with a linked table"; }
grep -q "PM4DIRECT_SHADER_TABLE ignored: $work/link.txt: .*symbolic link" "$work/link.log" ||
  { cat "$work/link.log"; fail "a symbolic link was read as a shader table"; }
# PM4DIRECT_DEBUG=1 with the sim: it says it is on at the default log level, logs one line per
# batch that went direct (as many as the stats count, not one per recorded dispatch), and the exit
# summary is not cut: every non-zero counter of the stats file is in its "stats:" lines
# (vkDestroyInstance comes after the summary, logged when the device is destroyed).
run debug env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=sim PM4DIRECT_DEBUG=1 \
  PM4DIRECT_DEADLINE_MS=30000 PM4DIRECT_STATS="$work/stats.json" "$convnet" --size 16 --iters 3
rc=$?
skip_if_pass_through "$work/debug.log"
[ $rc -eq 0 ] || { cat "$work/debug.log"; fail "convnet with PM4DIRECT_DEBUG=1"; }
grep -q '^pm4direct: PM4DIRECT_DEBUG=1: ' "$work/debug.log" || fail "debug did not say it is on"
python3 - "$work/stats.json" "$work/debug.log" <<'PY' || { cat "$work/debug.log"; fail "debug lines or summary"; }
import json, sys
counters = json.load(open(sys.argv[1]))["counters"]
lines = open(sys.argv[2]).read().splitlines()
redirects = sum(l.startswith("pm4direct: redirect: ") for l in lines)
words = set()
for l in lines:
    if l.startswith("pm4direct: stats:"):
        words.update(l.split()[2:])
missing = [f"{k}={v}" for k, v in counters.items()
           if v and k != "vkDestroyInstance" and f"{k}={v}" not in words]
ok = redirects == counters["direct_batches"] > 0 and counters["jobs_recorded"] > redirects and not missing
print(f"redirect lines {redirects}, direct batches {counters['direct_batches']}, "
      f"jobs recorded {counters['jobs_recorded']}; summary misses: {' '.join(missing) or 'none'}")
sys.exit(0 if ok else 1)
PY
echo "PASS: one line per wrong value, shader table confirmed, link refused, debug lines per batch, summary whole"
