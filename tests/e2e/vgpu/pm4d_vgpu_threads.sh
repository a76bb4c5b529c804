#!/usr/bin/env bash
# pm4d_e2e_threads on RADV-on-vgpu under the layer (amdgpu back end): four threads, each with a
# device of its own (own) or all on one queue (shared), SUBMISSIONS in all, each output checked
# against the C reference every 64th submission and at the end. Every submission's conv2d
# redirected and run by the vgpu (its CP's dispatches of our kernels equal the layer's direct
# jobs), no fallback, no CS refused, no IB rewritten while in flight. Under TSan (label tsan)
# the race detector runs over the layer's threads and the app's; libvgpu.so is built with the
# same sanitizer flags and preloaded.
# usage: pm4d_vgpu_threads.sh WORKDIR PROGRAM own|shared SUBMISSIONS
source "$(dirname "$0")/pm4d_vgpu_lib.sh"
prog=$1 mode=$2 n=$3
rm -rf "${work:?}"/*
run on "${vgpu_on[@]}" VGPU_REPORT="$work/vgpu.json" PM4DIRECT_STATS="$work/stats.json" "$prog" "$mode" "$n"
rc=$?
[ $rc -eq 0 ] && grep -q "^threads: $n submissions, .* all right$" "$work/on.log" || { grep -v '^vgpu: \[' "$work/on.log" | tail -30; fail "$mode: exited $rc"; }
check_vgpu_log "$work/on.log"
merge_vgpu_report "$work/stats.json" "$work/vgpu.json" "$work/both.json" || fail "no stats or vgpu report"
check_stats "$work/both.json" vkQueueSubmit="$n" dispatches_redirected="$n" direct_jobs_completed="$n" fallback_jobs=0 \
  vgpu_cp_dispatches_run="$n" vgpu_cs_rejected=0 vgpu_reused_in_flight=0 live_devices=0 || fail "$mode: counters"
echo "PASS ($mode): $(grep '^threads:' "$work/on.log"), all redirected through amdgpu and run by the vgpu"
