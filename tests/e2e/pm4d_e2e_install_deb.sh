#!/usr/bin/env bash
# The Debian package as a user installs it: cpack -G DEB, unpacked with dpkg -x into a scratch
# root; the library, both manifests under usr/share/vulkan/ and usr/bin/pm4direct are there, and
# the convnet app, with the implicit manifest found through XDG_DATA_DIRS and PM4DIRECT_ENABLE=1
# (no VK_LAYER_PATH, no VK_INSTANCE_LAYERS), runs under the packaged layer: its stats file says so;
# `pm4direct selftest` runs from the package (its helper in usr/libexec/pm4direct).
# usage: pm4d_e2e_install_deb.sh WORKDIR CPACK_CONFIG CONVNET
source "$(dirname "$0")/../unit/vk/pm4d_vk_test_lib.sh"
config=$1
convnet=$2
command -v dpkg-deb >/dev/null || { echo "SKIPPED: no dpkg-deb (not a Debian system)"; exit 77; }
rm -rf "$work"/*
cpack -G DEB --config "$config" -B "$work/pkg" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/pkg/*.deb)
dpkg -x "$deb" "$work/root" || fail "dpkg -x $deb"
for f in usr/lib/libVkLayer_pm4direct.so usr/share/vulkan/explicit_layer.d/VkLayer_pm4direct.json \
  usr/share/vulkan/implicit_layer.d/VkLayer_pm4direct.json usr/bin/pm4direct \
  usr/libexec/pm4direct/convnet; do
  [ -f "$work/root/$f" ] || { dpkg -c "$deb"; fail "the package has no $f"; }
done
"$work/root/usr/bin/pm4direct" --help >/dev/null || fail "packaged pm4direct --help"
run pkg env -u VK_LAYER_PATH -u VK_INSTANCE_LAYERS XDG_DATA_DIRS="$work/root/usr/share" \
  XDG_DATA_HOME="$work/nothing" PM4DIRECT_ENABLE=1 PM4DIRECT_BACKEND=none \
  PM4DIRECT_STATS="$work/stats.json" VK_LOADER_DEBUG=layer "$convnet" --size 16 --iters 1 ||
  { cat "$work/pkg.log"; fail "convnet under the packaged layer"; }
grep -q "$work/root/usr/share/vulkan/implicit_layer.d/../../../lib/libVkLayer_pm4direct.so\|$work/root/usr/lib/libVkLayer_pm4direct.so" "$work/pkg.log" ||
  { grep -i pm4direct "$work/pkg.log"; fail "the loader did not load the packaged library"; }
check_stats "$work/stats.json" vkCreateInstance=1 vkCreateDevice=1 || fail "stats of the packaged layer"
# The packaged selftest finds its helper and the packaged layer beside itself.
env -u VK_LAYER_PATH -u VK_INSTANCE_LAYERS "$work/root/usr/bin/pm4direct" selftest --hang none --iters 1 --out "$work/selftest.txt" \
  >"$work/selftest.log" 2>&1 || { cat "$work/selftest.txt" "$work/selftest.log"; fail "packaged pm4direct selftest"; }
grep -q "^the layer: $work/root/usr/share/vulkan/explicit_layer.d;" "$work/selftest.txt" ||
  { cat "$work/selftest.txt"; fail "the packaged selftest did not use the packaged layer"; }
# Without PM4DIRECT_ENABLE the implicit layer stays off.
run off env -u VK_LAYER_PATH -u VK_INSTANCE_LAYERS XDG_DATA_DIRS="$work/root/usr/share" \
  XDG_DATA_HOME="$work/nothing" PM4DIRECT_STATS="$work/off.json" "$convnet" --size 16 --iters 1 ||
  { cat "$work/off.log"; fail "convnet without PM4DIRECT_ENABLE"; }
[ ! -e "$work/off.json" ] || fail "the implicit layer loaded without PM4DIRECT_ENABLE"
echo "PASS: $(basename "$deb"): library, manifests, pm4direct; the app ran under the packaged layer"
