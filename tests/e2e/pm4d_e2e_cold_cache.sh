#!/usr/bin/env bash
# A first run on a fresh machine: empty PoCL kernel cache (POCL_CACHE_DIR) and Mesa shader cache
# (MESA_SHADER_CACHE_DIR). Compiling the sim's kernels belongs to device setup, so every conv2d
# dispatch still runs direct with no failed batch. The deadline is 1 s (not the default ~0.1 s)
# so that load on the machine cannot fail a healthy batch; a kernel compiled inside a batch took
# 2-3 s cold.
# usage: pm4d_e2e_cold_cache.sh WORKDIR CONVNET
source "$(dirname "$0")/../unit/vk/pm4d_vk_test_lib.sh"
convnet=$1
rm -rf "$work"/*
mkdir -p "$work/pocl" "$work/mesa"
run on env VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=sim PM4DIRECT_LOG=info \
  PM4DIRECT_DEADLINE_MS=1000 PM4DIRECT_STATS="$work/stats.json" POCL_CACHE_DIR="$work/pocl" \
  MESA_SHADER_CACHE_DIR="$work/mesa" "$convnet" --out "$work/on.bin" --size 16 --iters 2
rc=$?
skip_if_pass_through "$work/on.log"
[ $rc -eq 0 ] || { cat "$work/on.log"; fail "convnet exited $rc"; }
# The caches really started empty and were used: PoCL wrote its compiled kernels there.
[ -n "$(find "$work/pocl" -name '*.so' -print -quit)" ] || fail "PoCL did not use POCL_CACHE_DIR"
python3 "$here/../../e2e/pm4d_direct_verdict.py" "$work/stats.json" || { cat "$work/on.log"; fail "verdict"; }
echo "PASS: cold caches, every conv2d dispatch direct"
