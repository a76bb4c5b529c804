#!/usr/bin/env bash
# convnet with and without the layer: byte-identical output files and checksums, and the
# layer's stats count every dispatch convnet recorded (all with a tracked pipeline; with no
# back end PM4DIRECT_DEBUG=1 keeps the recording hooks that count them).
# usage: pm4d_e2e_convnet.sh WORKDIR CONVNET [convnet options...]
source "$(dirname "$0")/../unit/vk/pm4d_vk_test_lib.sh"
convnet=$1
shift
rm -f "$work"/*
run off env -u VK_INSTANCE_LAYERS "$convnet" --out "$work/off.bin" "$@" || { cat "$work/off.log"; fail "convnet without the layer"; }
run on env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_STATS="$work/stats.json" PM4DIRECT_LOG=info PM4DIRECT_DEBUG=1 \
  "$convnet" --out "$work/on.bin" "$@" || { cat "$work/on.log"; fail "convnet with the layer"; }
cmp "$work/off.bin" "$work/on.bin" || fail "output files differ with the layer"
sum_off=$(grep -o 'checksum 0x[0-9a-f]*' "$work/off.log")
sum_on=$(grep -o 'checksum 0x[0-9a-f]*' "$work/on.log")
[ -n "$sum_off" ] && [ "$sum_off" = "$sum_on" ] || fail "checksums differ: '$sum_off' vs '$sum_on'"
grep -q 'pm4direct: stats: ' "$work/on.log" || fail "no summary line from the layer"
dispatches=$(sed -n 's/^convnet: \([0-9]*\) dispatches per inference$/\1/p' "$work/on.log")
[ -n "$dispatches" ] || fail "convnet did not say how many dispatches it records"
check_stats "$work/stats.json" "vkCmdDispatch+vkCmdDispatchBase+vkCmdDispatchIndirect>=$dispatches" \
  dispatch_tracked=vkCmdDispatch+vkCmdDispatchBase+vkCmdDispatchIndirect vkCmdBindPipeline\>=1 \
  vkQueueSubmit+vkQueueSubmit2\>=1 untracked_objects=0 live_devices=0 || fail "stats"
echo "PASS: identical output ($(stat -c %s "$work/on.bin") bytes, $sum_on), $dispatches dispatches per inference all seen"
