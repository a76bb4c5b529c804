#!/usr/bin/env bash
# The Khronos validation layer above and below pm4direct: no validation message that the run
# without pm4direct does not also have, and identical results.
# usage: pm4d_vk_validation.sh WORKDIR PROGRAM VALIDATION_MANIFEST_DIR
source "$(dirname "$0")/pm4d_vk_test_lib.sh"
prog=$1
vvl_dir=$2
vvl=VK_LAYER_KHRONOS_validation
if [ ! -f "$vvl_dir/VkLayer_khronos_validation.json" ]; then
  echo "SKIPPED: Khronos validation layer not installed"
  exit 77
fi
rm -f "$work"/*
export VK_LAYER_PATH="$VK_LAYER_PATH:$vvl_dir"

# $1 = case name, $2 = VK_INSTANCE_LAYERS (first = nearest the application).
case_run() {
  run "$1" env VK_LOADER_DEBUG=layer VK_INSTANCE_LAYERS="$2" "$prog" --validation --out "$work/$1.bin" ||
    { cat "$work/$1.log"; fail "$1: program failed"; }
  grep -q "Insert instance layer \"$vvl\"" "$work/$1.log" || fail "$1: validation layer not loaded"
  grep '^validation: ' "$work/$1.log" | sort -u >"$work/$1.ids"
}
case_run alone "$vvl"
case_run above "$vvl:$PM4D_LAYER_NAME"
case_run below "$PM4D_LAYER_NAME:$vvl"
for c in above below; do
  grep -q "Insert instance layer \"$PM4D_LAYER_NAME\"" "$work/$c.log" || fail "$c: pm4direct not loaded"
  new=$(comm -13 "$work/alone.ids" "$work/$c.ids")
  [ -z "$new" ] || fail "validation $c pm4direct reports messages the run without it does not: $new"
  cmp -s "$work/alone.bin" "$work/$c.bin" || fail "$c: results differ"
done
echo "PASS: validation above and below pm4direct: $(wc -l <"$work/alone.ids") message id(s) without it, none new with it"
