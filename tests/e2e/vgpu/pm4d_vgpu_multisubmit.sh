#!/usr/bin/env bash
# pm4d_e2e_multisubmit --direct-only on RADV-on-vgpu under the layer (amdgpu back end), 4
# threads: every output right (the program's CPU reference), every conv2d dispatch redirected,
# no fallback, the vgpu ran them with no refused CS and no fault. With --all-gpus (a vgpu with
# several GPUs): each device, one per GPU, got the amdgpu back end of its own GPU.
# usage: pm4d_vgpu_multisubmit.sh WORKDIR PROGRAM [--all-gpus]
source "$(dirname "$0")/pm4d_vgpu_lib.sh"
prog=$1
shift
rm -rf "${work:?}"/*
run on "${vgpu_on[@]}" PM4DIRECT_STATS="$work/stats.json" "$prog" 4 --direct-only "$@"
rc=$?
[ $rc -eq 0 ] || { cat "$work/on.log"; fail "multisubmit exited $rc"; }
grep -q '^multisubmit: all outputs right$' "$work/on.log" || { cat "$work/on.log"; fail "outputs"; }
check_vgpu_log "$work/on.log"
n=$(sed -n 's/.*device(s), \([0-9]*\) conv2d dispatches submitted$/\1/p' "$work/on.log")
[ -n "$n" ] || fail "no dispatch count"
check_stats "$work/stats.json" dispatches_redirected="$n" "$fallbacks"=0 live_devices=0 || fail "stats"
check_cs_budget "$work/stats.json"
[ "$vgpu_dispatches_run" -ge "$n" ] || fail "the vgpu ran $vgpu_dispatches_run dispatches, fewer than $n"
gpus=$(sed -n 's/^multisubmit: devices on \([0-9]*\) GPU(s)$/\1/p' "$work/on.log")
if [ -n "$gpus" ]; then
  names=$(sed -n 's/^pm4direct: device created on \(.*\): amdgpu$/\1/p' "$work/on.log" | sort -u | wc -l)
  [ "$gpus" -ge 2 ] && [ "$names" -eq "$gpus" ] || { cat "$work/on.log"; fail "$names GPU(s) with the amdgpu back end, of $gpus"; }
  echo "each of $gpus GPUs: its own amdgpu back end ($(sed -n 's/^pm4direct: device created on \(.*\): amdgpu$/\1/p' "$work/on.log" | sort -u | tr '\n' ';'))"
fi
echo "PASS: $(sed -n 's/^multisubmit: \(.*submitted\)$/\1/p' "$work/on.log"), all redirected through amdgpu and right"
