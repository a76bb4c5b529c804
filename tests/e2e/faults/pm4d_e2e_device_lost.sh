#!/usr/bin/env bash
# The driver refuses a link pm4direct submits around a direct batch with VK_ERROR_DEVICE_LOST
# (as RADV does when the kernel refuses its CS after a reset), through a test layer below
# pm4direct (pm4d_lose_device_layer.c). The bridge points that link was to signal are never
# signalled, so nothing may wait for them: convnet must get VK_ERROR_DEVICE_LOST from its
# vkQueueSubmit and end (its clean-up calls vkDeviceWaitIdle, whose drain of the bridge used to
# wait for the last point handed out, forever). Cases (sim back end, convnet --iters 3):
#   link                the link before inference 2's batch (it signals the batch's wait point)
#   refused_batch_link  every batch refused by validation (corrupted templates); the link
#                       after inference 1's batch (its fallbacks, it signals the batch's end)
# usage: pm4d_e2e_device_lost.sh WORKDIR CONVNET LAYER_MANIFEST_DIR CASE
source "$(dirname "$0")/../../unit/vk/pm4d_vk_test_lib.sh"
convnet=$1 manifest_dir=$2 case=$3
rm -rf "${work:?}"/*
# Corrupts EVENT_WRITE's header (dword 0 of each dispatch template) into opcode 0x7A, as in
# pm4d_e2e_faults.sh.
corrupt=0:$(printf '%x' $(((0x46 ^ 0x7A) << 8)))
# A 30 s deadline: the case is about the lost device, not hangs; with the default 100 ms a batch
# whose kernels PoCL first compiles on a loaded 2-core machine was declared hung (fresh-clone CI).
env_on=(PM4DIRECT_DEADLINE_MS=30000 VK_LAYER_PATH="$VK_LAYER_PATH:$manifest_dir"
  VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME:VK_LAYER_PM4D_test_lose_device" PM4DIRECT_BACKEND=sim
  PM4DIRECT_STATS="$work/stats.json" PM4DIRECT_LOG=info PM4DIRECT_AUTODISABLE_WINDOW=0
  PM4D_TEST_LOSE_AT=2)
case $case in
  link) extra=() ;;
  refused_batch_link) extra=(PM4DIRECT_DEBUG=1 PM4DIRECT_SIM_CORRUPT_TEMPLATE="$corrupt") ;;
  *) fail "unknown case $case" ;;
esac
# 60 s: a hang is the bug; PoCL's first-use compile takes seconds on a loaded machine.
run on timeout 60 env "${env_on[@]}" "${extra[@]}" "$convnet" --size 16 --iters 3
rc=$?
skip_if_pass_through "$work/on.log"
[ $rc -ne 124 ] || { tail -20 "$work/on.log"; fail "convnet hung after the device was lost"; }
grep -q '^pm4d-test-lose-device: submission 2 ' "$work/on.log" ||
  { tail -20 "$work/on.log"; fail "the test layer did not lose the device"; }
[ $rc -eq 2 ] && grep -q 'VK_ERROR_DEVICE_LOST' "$work/on.log" ||
  { tail -20 "$work/on.log"; fail "convnet exited $rc, not with VK_ERROR_DEVICE_LOST (2)"; }
stats() { check_stats "$work/stats.json" "$@" || { tail -20 "$work/on.log"; fail "stats ($case)"; }; }
case $case in
  link) stats direct_batches=1 direct_hangs=0 ;;
  refused_batch_link) stats direct_batches=0 fallback_invalid=1 ;;
esac
echo "PASS ($case): VK_ERROR_DEVICE_LOST reached the app, no hang"
