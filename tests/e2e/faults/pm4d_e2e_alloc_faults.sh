#!/usr/bin/env bash
# Allocation failure at every allocation site of the layer that a convnet run reaches: the
# layer built with the pm4d_alloc_inject hook lists the sites of a clean run
# (PM4DIRECT_ALLOC_SITES), then convnet runs once per site with every allocation there failing
# (PM4DIRECT_FAIL_ALLOC_SITE), and where a site allocates more than once, once more with only its
# last allocation failing (site#K: the layer then runs with part of its state). Each run: exit 0, reference check passed, output within 1e-5 of
# the run without the layer, the site really failed, and every job recorded completed exactly
# once (direct_jobs_completed + fallback_jobs = jobs_recorded x iterations). The one allowed
# exception: what the layer cannot do without (its instance or device record, the links of a
# split submission, all allocated before anything reaches the driver) is refused with
# VK_ERROR_OUT_OF_HOST_MEMORY from vkCreateInstance, vkCreateDevice or vkQueueSubmit, as a
# driver out of memory would (convnet then exits 2 saying so). The Vulkan-level
# replay of every allocation failing in turn is vk.allocation_failures (linker --wrap).
# usage: pm4d_e2e_alloc_faults.sh WORKDIR CONVNET INJECT_MANIFEST_DIR [convnet options...]
source "$(dirname "$0")/../../unit/vk/pm4d_vk_test_lib.sh"
convnet=$1 manifests=$2
shift 2
iters=$(convnet_iters "$@")
rm -rf "${work:?}"/*
env_on=(VK_LAYER_PATH="$manifests" VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=sim
  PM4DIRECT_LOG=error)
run off env -u VK_INSTANCE_LAYERS "$convnet" --out "$work/off.bin" "$@" || { cat "$work/off.log"; fail "convnet without the layer"; }
run clean env "${env_on[@]}" PM4DIRECT_ALLOC_SITES="$work/sites.txt" PM4DIRECT_STATS="$work/clean.json" \
  "$convnet" --out "$work/clean.bin" "$@" || { cat "$work/clean.log"; fail "clean run under the injecting layer"; }
check_stats "$work/clean.json" dispatches_redirected\>=1 || fail "the clean run redirected nothing (no sim here?)"
[ -s "$work/sites.txt" ] || fail "no allocation sites listed"
n=0 refused=0
while read -r site calls _; do
  echo "$site $calls"
  [ "$calls" -gt 1 ] && echo "$site#$calls $calls"
done < "$work/sites.txt" > "$work/cases.txt"
while read -r site calls; do
  n=$((n + 1))
  name=site$n
  echo "failing $site"
  run "$name" env "${env_on[@]}" PM4DIRECT_FAIL_ALLOC_SITE="$site" PM4DIRECT_ALLOC_SITES="$work/$name.sites" \
    PM4DIRECT_STATS="$work/$name.json" "$convnet" --out "$work/$name.bin" "$@"
  rc=$?
  if [ $rc -eq 2 ] && grep -q '^convnet: vk\(CreateInstance\|CreateDevice\|QueueSubmit\) failed: VK_ERROR_OUT_OF_HOST_MEMORY' "$work/$name.log"; then
    echo "ok $site: $(grep -o 'vk[A-Za-z]* failed: VK_ERROR_OUT_OF_HOST_MEMORY' "$work/$name.log")"
    refused=$((refused + 1))
    continue
  fi
  check_convnet_exit $rc "$work/$name.log"
  awk -v s="${site%#*}" '$1 == s && $3 > 0 { hit = 1 } END { exit !hit }' "$work/$name.sites" ||
    fail "$site: the injection did not fail it"
  # Output and job accounting in one Python process (see the helper).
  python3 "$(dirname "$0")/pm4d_alloc_case.py" "$work/$name.json" "$iters" "$site" "$calls" \
    "$work/$name.bin" "$work/off.bin" || fail "$site failing: see above"
done < "$work/cases.txt"
echo "PASS: $n runs over $(wc -l < "$work/sites.txt") allocation sites, each failing in its own run ($refused refused with VK_ERROR_OUT_OF_HOST_MEMORY, the others ran right)"
