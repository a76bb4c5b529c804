#!/usr/bin/env bash
# The compute program with and without the layer: byte-identical results, and the layer's
# stats count exactly the calls the program made (PM4DIRECT_DEBUG=1: without a back end the
# vkCmd* functions are otherwise the driver's own, checked in a second run for its results).
# usage: pm4d_vk_layer_compare.sh WORKDIR PROGRAM
source "$(dirname "$0")/pm4d_vk_test_lib.sh"
prog=$1
rm -f "$work"/*
run off env -u VK_INSTANCE_LAYERS "$prog" --out "$work/off.bin" || { cat "$work/off.log"; fail "run without the layer"; }
run on env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_STATS="$work/stats.json" PM4DIRECT_DEBUG=1 \
  "$prog" --out "$work/on.bin" --expect "$work/expect.json" || { cat "$work/on.log"; fail "run with the layer"; }
cmp "$work/off.bin" "$work/on.bin" || fail "results differ with the layer"
run fast env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" "$prog" --out "$work/fast.bin" ||
  { cat "$work/fast.log"; fail "run with the layer, recording not hooked"; }
cmp "$work/off.bin" "$work/fast.bin" || fail "results differ with the layer, recording not hooked"
check_stats "$work/stats.json" --expect "$work/expect.json" \
  dispatch_tracked=vkCmdDispatch+vkCmdDispatchBase+vkCmdDispatchIndirect \
  submitted_command_buffers=2 untracked_objects=0 submits_while_killed=0 \
  live_devices=0 live_instances=0 disabled=false || fail "stats"
echo "PASS: identical results ($(stat -c %s "$work/on.bin") bytes), stats match the calls made"
