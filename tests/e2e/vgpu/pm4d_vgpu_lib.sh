# Sourced by the virtual-GPU tests (tests/e2e/vgpu). Besides pm4d_vk_test_lib.sh's environment
# it needs PM4D_VGPU_LIB (libvgpu.so), VGPU_PROFILE and VK_ICD_FILENAMES naming Debian's RADV.
source "$(dirname "${BASH_SOURCE[0]}")/../../unit/vk/pm4d_vk_test_lib.sh"
[ -f "${PM4D_VGPU_LIB:-}" ] || { echo "SKIPPED: libvgpu.so not built"; exit 77; }
[ -f "${VK_ICD_FILENAMES:-}" ] || { echo "SKIPPED: no RADV ICD (mesa-vulkan-drivers)"; exit 77; }
fallbacks=fallback_unavailable+fallback_unsupported+fallback_ring_full+fallback_invalid+fallback_nomem+fallback_failed+fallback_batch_failed+fallback_kill_file+fallback_auto_disabled+fallback_other_queue
# The layer on RADV-on-vgpu with the amdgpu back end asked for by name (a pass-through device
# is then a warning in the log, and a failure here). The first dispatch of a process builds the
# vgpu's PoCL kernels (seconds, cached in XDG_CACHE_HOME): deadlines allow for it.
vgpu_on=(env LD_PRELOAD="$PM4D_VGPU_LIB" VGPU_VERBOSE=1 VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME"
  PM4DIRECT_BACKEND=amdgpu PM4DIRECT_DEADLINE_MS=60000 PM4DIRECT_LOG=info)
# The log $1 shows the amdgpu back end engaged on every device.
check_vgpu_engaged() {
  grep -q 'pm4direct: device has back end amdgpu' "$1" || { cat "$1"; fail "amdgpu back end not engaged"; }
  ! grep -q 'device is pass-through' "$1" || { cat "$1"; fail "a device passed through"; }
}
# The log $1 shows the amdgpu back end engaged, the vgpu refused no CS and raised no fault.
check_vgpu_log() {
  check_vgpu_engaged "$1"
  local report
  report=$(grep 'vgpu: report: ' "$1" | sort -t: -k3 -n | tail -1)
  [ -n "$report" ] || fail "no vgpu report"
  echo "$report" | grep -q '(0 rejected)' || fail "the vgpu refused CS: $report"
  echo "$report" | grep -q ' 0 fault)' || fail "IB faults: $report"
  echo "$report" | grep -q ' 0 bad packet' || fail "bad packets: $report"
  echo "$report" | grep -q ' 0 faults,' || fail "CP faults: $report"
  vgpu_dispatches_run=$(echo "$report" | sed -n 's/.* \([0-9]*\) dispatches run.*/\1/p')
  vgpu_cs=$(echo "$report" | sed -n 's/.*report: \([0-9]*\) CS .*/\1/p')
}
# At most one CS more than the app's own submissions per direct batch (issue 12's goal: the
# layer's IB; the driver link before a batch that holds only state goes without a CS), and one
# per batch of a SIMULTANEOUS_USE command buffer (that link then arms its fallbacks on the GPU:
# layer/vk/README.md, arming), from the vgpu's CS count and the stats file $1.
check_cs_budget() {
  python3 - "$1" "$vgpu_cs" <<'PY' || fail "more CS than the app's submissions plus one per direct batch and per GPU-armed batch"
import json, sys
c = json.load(open(sys.argv[1]))["counters"]
app, batches, cs = c["vkQueueSubmit"] + c["vkQueueSubmit2"], c["direct_batches"], int(sys.argv[2])
armed = c["gpu_armed_batches"]  # SIMULTANEOUS_USE: the link before the batch arms (layer/vk/README.md)
print("CS: %d for %d app submissions, %d direct batches, %d GPU-armed batches" % (cs, app, batches, armed))
sys.exit(0 if cs <= app + batches + armed else 1)
PY
}
# The layer's stats $1 and the vgpu's report $2 (VGPU_REPORT) in one stats file $3 for
# check_stats: the report's fields as vgpu_<field>, its CP counters as vgpu_cp_<counter>.
merge_vgpu_report() {
  python3 - "$@" <<'PY'
import json, sys
stats, report = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
c = stats["counters"]
c.update({"vgpu_" + k: v for k, v in report.items() if isinstance(v, int)})
c.update({"vgpu_cp_" + k: v for k, v in report["cp"].items()})
json.dump(stats, open(sys.argv[3], "w"))
PY
}
