#!/usr/bin/env bash
# ggml's own Vulkan backend (tests/apps/ggml_conv2d) under the layer with the sim back end:
# its outputs equal those of a run without the layer (the harness's --compare, relative L2
# 1e-5, and its C reference), every conv2d is redirected, the f16-filter one too (the kernels'
# fp16-filter path), no fallback ran; the stats name the kernel of every job, and these small
# shapes on the sim's 60 CUs take the small-tile 3x3 kernels (the f16 one its fp16 twin).
# usage: pm4d_e2e_redirect_ggml.sh WORKDIR GGML_CONV2D
source "$(dirname "$0")/../unit/vk/pm4d_vk_test_lib.sh"
harness=$1
rm -rf "${work:?}"/*
fallbacks=fallback_unavailable+fallback_unsupported+fallback_ring_full+fallback_invalid+fallback_nomem+fallback_failed+fallback_batch_failed+fallback_kill_file
run off env -u VK_INSTANCE_LAYERS "$harness" --repeat 1 --out "$work/off.out" || { cat "$work/off.log"; fail "ggml without the layer"; }
run on env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=sim PM4DIRECT_DEADLINE_MS=30000 PM4DIRECT_STATS="$work/stats.json" \
  PM4DIRECT_LOG=info "$harness" --repeat 1 --compare "$work/off.out"
rc=$?
skip_if_pass_through "$work/on.log"
[ $rc -eq 0 ] || { cat "$work/on.log"; fail "ggml with the layer exited $rc"; }
grep -q '^PASS: 0 of' "$work/on.log" || { cat "$work/on.log"; fail "harness did not pass"; }
f16=$(grep -c ' f16 ' "$work/on.log")
[ "$f16" -ge 1 ] || { cat "$work/on.log"; fail "no f16-filter shape ran"; }
check_stats "$work/stats.json" dispatches_redirected\>=$((6 + f16)) passthrough_unsupported_dtype=0 \
  dispatches_recognised=jobs_recorded dispatches_redirected=jobs_recorded \
  dispatches_redirected=kernel_direct+kernel_1x1+kernel_3x3+kernel_1x1_small+kernel_3x3_small+kernel_1x1_f16+kernel_3x3_f16+kernel_1x1_small_f16+kernel_3x3_small_f16+kernel_3x3_wino \
  kernel_3x3_small\>=1 kernel_3x3_small_f16="$f16" \
  "$fallbacks"=0 || { cat "$work/on.log"; fail "stats"; }
echo "PASS: $(grep -c ' ok$' "$work/on.log") shapes equal with and without the layer; $(sed -n 's/^pm4direct: stats: //p' "$work/on.log" | grep -o 'dispatches_redirected=[0-9]*\|passthrough_unsupported_dtype=[0-9]*' | tr '\n' ' ')"
