#!/usr/bin/env bash
# `cmake --install` into a scratch prefix: the installed explicit manifest loads the installed
# library through the loader, and the implicit one carries the enable/disable environment.
# usage: pm4d_vk_installed.sh WORKDIR BUILD_DIR PROGRAM
source "$(dirname "$0")/pm4d_vk_test_lib.sh"
build=$1 prog=$2
rm -rf "$work/prefix" "$work"/*.json
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "install"; }
share=$work/prefix/share/vulkan
[ -f "$share/implicit_layer.d/VkLayer_pm4direct.json" ] || fail "no implicit manifest installed"
grep -q '"PM4DIRECT_DISABLE": "1"' "$share/implicit_layer.d/VkLayer_pm4direct.json" || fail "implicit manifest lacks disable_environment"
grep -q '"PM4DIRECT_ENABLE": "1"' "$share/implicit_layer.d/VkLayer_pm4direct.json" || fail "implicit manifest lacks enable_environment"
run installed env VK_LOADER_DEBUG=layer VK_LAYER_PATH="$share/explicit_layer.d" VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" \
  PM4DIRECT_STATS="$work/stats.json" "$prog" || { cat "$work/installed.log"; fail "program"; }
grep -q "Loading layer library $work/prefix/share/vulkan/explicit_layer.d/../../../" "$work/installed.log" ||
  grep -q "Loading layer library $work/prefix/lib" "$work/installed.log" || fail "installed library not the one loaded"
check_stats "$work/stats.json" vkQueueSubmit2=1 || fail "stats"
echo "PASS: installed manifests and library work"
