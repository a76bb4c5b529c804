#!/usr/bin/env bash
# Loading through the real Khronos loader: explicit enable, implicit enable/disable, the
# PM4DIRECT_DISABLE kill switch, the kill file and the report at unload, checked in
# VK_LOADER_DEBUG output and in the layer's stats.
# usage: pm4d_vk_loader.sh WORKDIR PROGRAM XDG_DATA_HOME_WITH_IMPLICIT_MANIFEST
source "$(dirname "$0")/pm4d_vk_test_lib.sh"
prog=$1
xdg=$2
rm -f "$work"/*
unset VK_INSTANCE_LAYERS PM4DIRECT_ENABLE PM4DIRECT_DISABLE PM4DIRECT_KILL_FILE
inserted='Insert instance layer "'"$PM4D_LAYER_NAME"'"'

# $1 = case name, rest = environment assignments; runs the program with loader debug output.
case_run() {
  local name=$1
  shift
  run "$name" env VK_LOADER_DEBUG=layer PM4DIRECT_STATS="$work/$name.json" "$@" \
    "$prog" --out "$work/$name.bin" || { cat "$work/$name.log"; fail "$name: program failed"; }
  cmp -s "$work/$name.bin" "$work/off.bin" || fail "$name: results differ from the run without the layer"
}
loaded() { grep -q "$inserted" "$work/$1.log" && [ -f "$work/$1.json" ]; }
not_loaded() { ! grep -q "$inserted" "$work/$1.log" && [ ! -f "$work/$1.json" ]; }

run off env -u XDG_DATA_HOME "$prog" --out "$work/off.bin" || { cat "$work/off.log"; fail "run without the layer"; }

case_run explicit VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME"
loaded explicit || fail "explicit: layer not loaded"
# No back end here: the recording functions are the driver's own (vkCmd* not counted) unless
# PM4DIRECT_DEBUG=1 keeps the layer's hooks on them.
check_stats "$work/explicit.json" vkCmdDispatch=0 vkQueueSubmit2=1 disabled=false || fail "explicit: stats"
case_run debug VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_DEBUG=1
check_stats "$work/debug.json" vkCmdDispatch=11 vkQueueSubmit2=1 || fail "debug: stats"

case_run implicit_off XDG_DATA_HOME="$xdg"
not_loaded implicit_off || fail "implicit manifest loaded without PM4DIRECT_ENABLE=1"

case_run implicit_on XDG_DATA_HOME="$xdg" PM4DIRECT_ENABLE=1
loaded implicit_on || fail "implicit: PM4DIRECT_ENABLE=1 did not load the layer"
check_stats "$work/implicit_on.json" vkCmdDispatch=0 vkQueueSubmit2=1 || fail "implicit: stats"

case_run implicit_disabled XDG_DATA_HOME="$xdg" PM4DIRECT_ENABLE=1 PM4DIRECT_DISABLE=1
not_loaded implicit_disabled || fail "implicit: PM4DIRECT_DISABLE=1 did not keep the layer out"

# An explicitly enabled layer is loaded anyway; PM4DIRECT_DISABLE=1 makes it forward only.
case_run kill_switch VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_DISABLE=1
loaded kill_switch || fail "kill switch: explicit layer not loaded"
check_stats "$work/kill_switch.json" disabled=true vkCreateDevice=1 vkDestroyDevice=1 vkCmdDispatch=0 \
  vkCreateShaderModule=0 vkQueueSubmit=0 || fail "kill switch: layer still tracked calls"

touch "$work/kill"
case_run kill_file VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_KILL_FILE="$work/kill"
check_stats "$work/kill_file.json" submits_while_killed=2 || fail "kill file: not seen at submit"
rm -f "$work/kill"
case_run kill_file_absent VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_KILL_FILE="$work/kill"
check_stats "$work/kill_file_absent.json" submits_while_killed=0 || fail "kill file: seen while absent"
# An app that never destroys its device still gets the summary line and the stats file.
run no_teardown env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_STATS="$work/no_teardown.json" PM4DIRECT_LOG=info \
  "$prog" --no-teardown || { cat "$work/no_teardown.log"; fail "no_teardown: program failed"; }
grep -q '^pm4direct: stats: .*vkQueueSubmit2=1' "$work/no_teardown.log" || fail "no summary line at unload"
check_stats "$work/no_teardown.json" live_devices=1 live_instances=1 vkQueueSubmit2=1 vkDestroyDevice=0 ||
  fail "no_teardown: stats"
echo "PASS: explicit (and debug), implicit on/off/disabled, kill switch and kill file behave"
