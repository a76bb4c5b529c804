#!/usr/bin/env bash
# pm4d_e2e_threads (see its header) under the layer with the sim back end: every submission's
# conv2d redirected (or, only where the sim was slow, run by its fallback), no job lost or run
# twice, outputs right, and the run ends within the ctest timeout.
# With a sim fault (PM4DIRECT_SIM_FAULT, e.g. stall_after=400): hangs (each fails every batch
# in flight on the queue), their fallbacks, and auto-disable once 6 batches failed.
# burst: the 64 batch slots fill, the rest are refused as ring full and fall back (back
# pressure, which auto-disable does not count).
# flood_clear with stall_after=1,delay_us=1000000: one SIMULTANEOUS_USE command buffer (it
# fills its output with NaN, then the conv2d) pending 40 times; batch 1 takes 1 s, so all 40
# submissions are in by then; batch 2 stalls (a hang at the 3 s deadline) and fails with the
# 38 queued behind it: each of those 39 must run its fallback, though all share one recorded
# job (the last output is NaN otherwise). Host-armed arguments failed this: batch 1, completing
# after the 40th submission had armed them, disarmed them for all.
# usage: pm4d_e2e_threads.sh WORKDIR PROGRAM own|shared|burst|flood_clear SUBMISSIONS [SIM_FAULT]
source "$(dirname "$0")/../../unit/vk/pm4d_vk_test_lib.sh"
prog=$1 mode=$2 n=$3 fault=${4:-}
rm -rf "${work:?}"/*
# Without a fault no hang is expected: a 30 s deadline covers PoCL's first-use compile. A
# burst waits a deadline for each batch it refuses: 0.5 s there.
deadline=30000
[ -n "$fault" ] && deadline=100
[ "$mode" = burst ] && deadline=500
[ "$mode" = flood_clear ] && deadline=3000
run on env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=sim PM4DIRECT_STATS="$work/stats.json" \
  PM4DIRECT_SIM_FAULT="$fault" PM4DIRECT_DEADLINE_MS=$deadline "$prog" "$mode" "$n"
rc=$?
skip_if_pass_through "$work/on.log"
[ $rc -eq 0 ] || { tail -30 "$work/on.log"; fail "$mode: exited $rc"; }
grep -q "^threads: $n submissions, .* all right$" "$work/on.log" || { tail "$work/on.log"; fail "$mode: not all submissions ran"; }
check_stats "$work/stats.json" vkQueueSubmit="$n" direct_jobs_completed+fallback_jobs="$n" \
  dispatches_redirected\>=1 live_devices=0 || fail "$mode: stats"
if [ "$mode" = flood_clear ]; then
  check_stats "$work/stats.json" direct_jobs_completed=1 fallback_jobs=$((n - 1)) \
    fallback_batch_failed=$((n - 1)) direct_hangs=1 || fail "flood_clear: stats"
elif [ "$mode" = burst ]; then
  check_stats "$work/stats.json" direct_ring_full\>=1 fallback_ring_full=direct_ring_full \
    direct_batches=64 || fail "burst: stats"
elif [ -n "$fault" ]; then
  check_stats "$work/stats.json" direct_hangs\>=1 fallback_batch_failed\>=6 auto_disables=1 \
    fallback_auto_disabled\>=1 || fail "$mode with $fault: stats"
else
  check_stats "$work/stats.json" dispatches_redirected="$n" fallback_jobs=0 || fail "$mode: stats"
fi
echo "PASS ($mode${fault:+ $fault}): $(grep '^threads:' "$work/on.log"); $(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counters"]
print(" ".join(f"{k}={c[k]}" for k in ("dispatches_redirected", "direct_jobs_completed", "fallback_jobs", "direct_hangs",
                                         "auto_disables", "fallback_auto_disabled", "direct_ring_full") if c[k]))' "$work/stats.json")"
