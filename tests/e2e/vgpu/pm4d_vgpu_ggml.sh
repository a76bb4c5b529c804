#!/usr/bin/env bash
# ggml's unmodified Vulkan backend (tests/apps/ggml_conv2d) on RADV-on-vgpu under the layer with
# the amdgpu back end: every f32 conv2d shape within 1e-5 (relative L2) of the harness's C
# reference and bit-identical over repeated runs, all of them redirected, none fell back, the vgpu
# ran them with no refused CS and no fault. The f16-filter shape passes through
# (unsupported_dtype) to RADV's own shader, which the vgpu cannot run: its result is not
# checked, and only it may fail.
# usage: pm4d_vgpu_ggml.sh WORKDIR GGML_CONV2D
source "$(dirname "$0")/pm4d_vgpu_lib.sh"
harness=$1
rm -rf "${work:?}"/*
run on "${vgpu_on[@]}" PM4DIRECT_STATS="$work/stats.json" "$harness" --repeat 3
check_vgpu_log "$work/on.log"
f32=$(grep -c ' f32 .* ok$' "$work/on.log")
f32_all=$(grep -c ' f32 ' "$work/on.log")
f16=$(grep -c ' f16 ' "$work/on.log")
[ "$f32" -ge 6 ] && [ "$f32" -eq "$f32_all" ] || { cat "$work/on.log"; fail "f32 shapes: $f32 of $f32_all ok"; }
grep -q "^FAIL: $f16 of \|^PASS: 0 of" "$work/on.log" || { cat "$work/on.log"; fail "a shape other than the f16 ones failed"; }
check_stats "$work/stats.json" dispatches_redirected\>="$f32" passthrough_unsupported_dtype\>="$f16" \
  dispatches_recognised=jobs_recorded+passthrough_unsupported_dtype dispatches_redirected=jobs_recorded \
  "$fallbacks"=0 fallback_jobs=0 || { cat "$work/on.log"; fail "stats"; }
[ "$vgpu_dispatches_run" -ge "$f32" ] || fail "the vgpu ran $vgpu_dispatches_run dispatches"
echo "PASS: $VGPU_PROFILE: $f32 f32 shapes of ggml's own backend redirected through amdgpu and right; $f16 f16 shape(s) passed through, not checked (the vgpu cannot run RADV's shader)"
