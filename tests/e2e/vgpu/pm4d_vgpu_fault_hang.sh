#!/usr/bin/env bash
# A hang of one of the layer's own batches on RADV-on-vgpu (VGPU_INJECT=hang@ctx2:job2: the
# second CS of the process's second context, the direct queue's; job timeout 500 ms): the
# kernel (the vgpu) times the job out, resets the GPU and signals the batch's bridge point with
# an error; the link after it runs the batch's fallbacks (armed since the kick), the app's fence
# signals and convnet re-records its command buffer while the layer's watchdog reports the
# failure. Asserts: convnet runs to its end (it crashed when batch_failed read the fallbacks
# the re-recording had freed), the layer saw the failure and made a new context, every job
# counted once (direct_jobs_completed + fallback_jobs = dispatches x iterations), no
# auto-disable. The output is NOT checked: the vgpu cannot run RADV's own conv2d shader (the
# fallbacks' dispatches are "not executable" there), and later iterations recompute the same
# output anyway; that the unfinished jobs stay armed is checked on the sim (direct_pingpong).
# usage: pm4d_vgpu_fault_hang.sh WORKDIR CONVNET [convnet options...]
source "$(dirname "$0")/pm4d_vgpu_lib.sh"
convnet=$1
shift
iters=$(convnet_iters "$@")
rm -rf "${work:?}"/*
run on "${vgpu_on[@]}" VGPU_INJECT=hang@ctx2:job2 VGPU_JOB_TIMEOUT_MS=500 \
  PM4DIRECT_STATS="$work/stats.json" "$convnet" --out "$work/on.bin" "$@"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] || { tail -30 "$work/on.log"; fail "convnet died (status $rc)"; }
grep -q 'timeout, .*injected by VGPU_INJECT' "$work/on.log" || { cat "$work/on.log"; fail "no injected hang"; }
grep -q 'pm4direct: direct batch failed' "$work/on.log" || { cat "$work/on.log"; fail "the hang did not hit a direct batch"; }
dispatches=$(sed -n 's/^convnet: \([0-9]*\) dispatches per inference$/\1/p' "$work/on.log")
total=$((dispatches * iters))
check_stats "$work/stats.json" direct_jobs_completed+fallback_jobs="$total" \
  fallback_batch_failed\>=1 direct_resets\>=1 auto_disables=0 live_devices=0 || fail "stats"
echo "PASS: $VGPU_PROFILE: an injected hang of a direct batch, no crash, $total conv2d counted once (output NOT CHECKED: the vgpu cannot run RADV's conv2d shader)"
