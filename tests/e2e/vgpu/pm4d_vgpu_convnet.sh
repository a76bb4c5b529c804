#!/usr/bin/env bash
# convnet on RADV-on-vgpu under the layer with the amdgpu back end: every conv2d of every
# inference redirected (stats), none fell back, the vgpu ran them (its CP executed at least as
# many dispatches) with no refused CS and no fault, and the output is within 1e-5 of convnet's
# CPU reference. The app reads its output after its own fence, from a copy in the segment after
# the batch: a fence that signalled before the layer's IB finished would read stale data.
# With PM4D_VGPU_OUTPUT_UNCHECKED=<why> the output is not compared (said in the PASS line): for
# a profile where RADV itself moves the app's data with shaders the vgpu cannot run yet.
# usage: pm4d_vgpu_convnet.sh WORKDIR CONVNET [convnet options...]
source "$(dirname "$0")/pm4d_vgpu_lib.sh"
convnet=$1
shift
iters=$(convnet_iters "$@")
rm -rf "${work:?}"/*
run on "${vgpu_on[@]}" PM4DIRECT_STATS="$work/stats.json" "$convnet" --out "$work/on.bin" "$@"
rc=$?
check_vgpu_log "$work/on.log"
unchecked=${PM4D_VGPU_OUTPUT_UNCHECKED:-}
if [ -z "$unchecked" ]; then
  [ $rc -eq 0 ] || { cat "$work/on.log"; fail "convnet exited $rc"; }
  err=$(sed -n 's/^convnet: reference check passed, max relative error \([0-9.e+-]*\)$/\1/p' "$work/on.log")
  [ -n "$err" ] || { cat "$work/on.log"; fail "reference check"; }
  python3 -c "import sys; sys.exit(0 if float('$err') <= 1e-5 else 1)" || fail "max relative error $err above 1e-5"
else
  err="NOT CHECKED ($unchecked)"
fi
dispatches=$(sed -n 's/^convnet: \([0-9]*\) dispatches per inference$/\1/p' "$work/on.log")
total=$((dispatches * iters))
check_stats "$work/stats.json" dispatches_recognised="$dispatches" jobs_recorded="$dispatches" \
  dispatches_redirected="$total" "$fallbacks"=0 fallback_jobs=0 direct_batches\>=1 live_devices=0 || fail "stats"
check_cs_budget "$work/stats.json"
[ "$vgpu_dispatches_run" -ge "$total" ] || fail "the vgpu ran $vgpu_dispatches_run dispatches, fewer than $total"
echo "PASS: $VGPU_PROFILE: $total conv2d redirected through amdgpu, run by the vgpu, max relative error $err"
