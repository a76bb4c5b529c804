#!/usr/bin/env bash
# The thread test under the layer: no failure, and the layer ends with no live state and the
# counts of every round. With --valgrind, also no leak whose stack passes through the layer.
# usage: pm4d_vk_threads.sh WORKDIR PROGRAM THREADS ITERATIONS [--valgrind]
source "$(dirname "$0")/pm4d_vk_test_lib.sh"
prog=$1 threads=$2 iterations=$3 mode=${4:-}
rm -f "$work"/*
# PM4DIRECT_DEBUG=1: the recording hooks (and their per-thread cache) stay on with no back end.
export VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_STATS="$work/stats.json" PM4DIRECT_DEBUG=1
rounds=$((threads * iterations))
if [ "$mode" = --valgrind ]; then
  command -v valgrind >/dev/null || { echo "SKIPPED: valgrind not installed"; exit 77; }
  run valgrind valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
    --num-callers=40 --log-file="$work/memcheck.txt" "$prog" --threads "$threads" --iterations "$iterations" ||
    { cat "$work/valgrind.log"; fail "program failed under valgrind"; }
  # Loss records (blank-line separated) that mention the layer.
  sed 's/^==[0-9]*== \{0,1\}//' "$work/memcheck.txt" |
    awk -v RS= '/(definitely|indirectly) lost in loss record/ && /(pm4d_|libVkLayer_pm4direct)/' >"$work/layer_leaks.txt"
  if [ -s "$work/layer_leaks.txt" ]; then
    cat "$work/layer_leaks.txt"
    fail "memory leaked through the layer"
  fi
  grep -q "ERROR SUMMARY" "$work/memcheck.txt" || fail "no memcheck summary"
else
  run threads "$prog" --threads "$threads" --iterations "$iterations" || { cat "$work/threads.log"; fail "program failed"; }
fi
# One more instance and device for the shared phase, which records 200 push constants and
# barriers per thread and round.
check_stats "$work/stats.json" live_instances=0 live_devices=0 vkCreateInstance=$((rounds + 1)) \
  vkDestroyInstance=$((rounds + 1)) vkCreateDevice=$((rounds + 1)) vkDestroyDevice=$((rounds + 1)) \
  vkQueueSubmit=$rounds vkAllocateCommandBuffers=$((rounds * 2)) vkDestroyCommandPool=$((rounds * 2)) \
  vkCmdPushConstants=$((rounds * 200)) vkCmdPipelineBarrier=$((rounds * 201)) vkFreeCommandBuffers=$rounds \
  vkEndCommandBuffer=$((rounds * 3)) untracked_objects=0 || fail "stats"
echo "PASS: $threads threads x $iterations rounds${mode:+ ($mode)}"
