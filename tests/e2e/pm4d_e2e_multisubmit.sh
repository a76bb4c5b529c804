#!/usr/bin/env bash
# pm4d_e2e_multisubmit (see its header) without the layer, under the layer with the sim back end
# (every conv2d dispatch of every submission redirected, no fallback, the two in a secondary
# command buffer passed through), and with the sim
# stalling (batches fail, their fallbacks run, outputs still right).
# usage: pm4d_e2e_multisubmit.sh WORKDIR PROGRAM
source "$(dirname "$0")/../unit/vk/pm4d_vk_test_lib.sh"
prog=$1
rm -rf "${work:?}"/*
fallbacks=fallback_unavailable+fallback_unsupported+fallback_ring_full+fallback_invalid+fallback_nomem+fallback_failed+fallback_batch_failed+fallback_kill_file
run off env -u VK_INSTANCE_LAYERS "$prog" 2 || { cat "$work/off.log"; fail "without the layer"; }
run on env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=sim PM4DIRECT_DEADLINE_MS=30000 PM4DIRECT_STATS="$work/on.json" \
  PM4DIRECT_LOG=info "$prog" 2
rc=$?
skip_if_pass_through "$work/on.log"
[ $rc -eq 0 ] || { cat "$work/on.log"; fail "under the layer"; }
n=$(sed -n 's/.*device(s), \([0-9]*\) conv2d dispatches submitted$/\1/p' "$work/on.log")
threads=$(sed -n 's/^multisubmit: \([0-9]*\) thread(s).*/\1/p' "$work/on.log")
[ -n "$n" ] && [ -n "$threads" ] || fail "no dispatch count"
check_stats "$work/on.json" dispatches_redirected="$n" "$fallbacks"=0 passthrough_secondary=$((2 * threads)) live_devices=0 || { cat "$work/on.log"; fail "stats"; }
run stall env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=sim PM4DIRECT_STATS="$work/stall.json" \
  PM4DIRECT_SIM_FAULT=stall_after=5 "$prog" 1 || { cat "$work/stall.log"; fail "under the layer with the sim stalling"; }
check_stats "$work/stall.json" fallback_batch_failed\>=1 fallback_jobs\>=2 || { cat "$work/stall.log"; fail "stall stats"; }
echo "PASS: $(sed -n "s/^multisubmit: \\(.*submitted\\)$/\\1/p" "$work/on.log"), all redirected; stalled run right too"
