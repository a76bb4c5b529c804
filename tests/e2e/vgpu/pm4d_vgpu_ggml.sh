#!/usr/bin/env bash
# ggml's unmodified Vulkan backend (tests/apps/ggml_conv2d) on RADV-on-vgpu under the layer with
# the amdgpu back end: every conv2d shape, the f16-filter one too (the kernels' fp16-filter
# twins, issue 18), within 1e-5 (relative L2) of the harness's C reference and bit-identical over
# repeated runs, all of them redirected, none passed through or fell back, the vgpu ran them with
# no refused CS and no fault.
# usage: pm4d_vgpu_ggml.sh WORKDIR GGML_CONV2D
source "$(dirname "$0")/pm4d_vgpu_lib.sh"
harness=$1
rm -rf "${work:?}"/*
run on "${vgpu_on[@]}" PM4DIRECT_STATS="$work/stats.json" "$harness" --repeat 3
check_vgpu_log "$work/on.log"
shapes=$(grep -c ' f32 \| f16 ' "$work/on.log")
ok=$(grep -c ' f32 .* ok$\| f16 .* ok$' "$work/on.log")
f16=$(grep -c ' f16 ' "$work/on.log")
[ "$ok" -ge 7 ] && [ "$ok" -eq "$shapes" ] && [ "$f16" -ge 1 ] || { cat "$work/on.log"; fail "shapes: $ok of $shapes ok ($f16 f16)"; }
grep -q "^PASS: 0 of" "$work/on.log" || { cat "$work/on.log"; fail "the harness did not pass"; }
check_stats "$work/stats.json" dispatches_redirected\>="$shapes" passthrough_unsupported_dtype=0 \
  dispatches_recognised=jobs_recorded dispatches_redirected=jobs_recorded \
  kernel_1x1_f16+kernel_3x3_f16+kernel_1x1_small_f16+kernel_3x3_small_f16\>="$f16" \
  "$fallbacks"=0 fallback_jobs=0 || { cat "$work/on.log"; fail "stats"; }
[ "$vgpu_dispatches_run" -ge "$shapes" ] || fail "the vgpu ran $vgpu_dispatches_run dispatches"
echo "PASS: $VGPU_PROFILE: $shapes shapes of ggml's own backend ($f16 with fp16 filters) redirected through amdgpu and right"
