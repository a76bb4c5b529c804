#!/usr/bin/env bash
# convnet under the Khronos validation layer, alone and with pm4direct above and below it: no
# message id that the run without pm4direct does not also have, identical output. With
# PM4DIRECT_BACKEND=sim in the environment the redirect runs (below the validation layer, every
# segment, bridge wait and fallback the layer submits is validated too): output within 1e-5 and
# the stats show the redirects. Validation
# logs to stdout through a settings file (info included, so its start-up message shows that
# it is active). With PM4DIRECT_BACKEND=amdgpu (RADV on the virtual AMD GPU, which cannot run
# RADV's own conv2d shader) the run without pm4direct only collects message ids (--no-check),
# and the runs with it must pass convnet's CPU reference check with everything redirected.
# usage: pm4d_e2e_convnet_validation.sh WORKDIR CONVNET VALIDATION_MANIFEST_DIR [convnet options...]
source "$(dirname "$0")/../unit/vk/pm4d_vk_test_lib.sh"
convnet=$1 vvl_dir=$2
shift 2
vvl=VK_LAYER_KHRONOS_validation
if [ ! -f "$vvl_dir/VkLayer_khronos_validation.json" ]; then
  echo "SKIPPED: Khronos validation layer not installed"
  exit 77
fi
rm -f "$work"/*
cat >"$work/vk_layer_settings.txt" <<'SETTINGS'
khronos_validation.report_flags = error,warn,perf,info
khronos_validation.debug_action = VK_DBG_LAYER_ACTION_LOG_MSG
khronos_validation.log_filename = stdout
SETTINGS
export VK_LAYER_PATH="$VK_LAYER_PATH:$vvl_dir" VK_LAYER_SETTINGS_PATH="$work"

# $1 = case name, $2 = VK_INSTANCE_LAYERS (first = nearest the application), rest = options.
case_run() {
  local name=$1 layers=$2
  shift 2
  run "$name" env VK_INSTANCE_LAYERS="$layers" PM4DIRECT_STATS="$work/$name.json" "$convnet" \
    --out "$work/$name.bin" "$@" || { cat "$work/$name.log"; fail "$name: convnet failed"; }
  sed -n 's/^\(VUID-[^ (]*\|UNASSIGNED-[^ (]*\)(.*/\1/p' "$work/$name.log" | sort -u >"$work/$name.ids"
  grep -q 'UNASSIGNED-khronos-validation-createinstance-status-message' "$work/$name.ids" ||
    fail "$name: validation layer not active"
}
backend=${PM4DIRECT_BACKEND:-}
if [ "$backend" = amdgpu ]; then
  case_run alone "$vvl" "$@" --no-check
else
  case_run alone "$vvl" "$@"
fi
case_run above "$vvl:$PM4D_LAYER_NAME" "$@"
case_run below "$PM4D_LAYER_NAME:$vvl" "$@"
for c in above below; do
  [ -f "$work/$c.json" ] || fail "$c: pm4direct not loaded"
  [ "$backend" != sim ] || skip_if_pass_through "$work/$c.log"
  new=$(comm -13 "$work/alone.ids" "$work/$c.ids")
  [ -z "$new" ] || fail "validation $c pm4direct reports what the run without it does not: $new"
  if [ "$backend" = amdgpu ]; then
    grep -q 'pm4direct: device has back end amdgpu' "$work/$c.log" || fail "$c: amdgpu back end not engaged"
    grep -q 'reference check passed' "$work/$c.log" || fail "$c: reference check"
    check_stats "$work/$c.json" dispatches_redirected\>=1 fallback_jobs=0 || fail "$c: stats"
  elif [ "$backend" = sim ]; then
    python3 "$(dirname "$0")/pm4d_compare_f32.py" "$work/$c.bin" "$work/alone.bin" 1e-5 >/dev/null || fail "$c: output differs"
    check_stats "$work/$c.json" dispatches_redirected\>=1 || fail "$c: nothing redirected"
  else
    cmp -s "$work/alone.bin" "$work/$c.bin" || fail "$c: output differs"
  fi
done
echo "PASS: validation above and below pm4direct: $(wc -l <"$work/alone.ids") message id(s) without it, none new with it"
