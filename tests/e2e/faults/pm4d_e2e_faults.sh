#!/usr/bin/env bash
# The fault matrix (issue 6): convnet under the layer with the sim back end and one fault per
# case. Every case asserts: convnet exits 0 with its own reference check passed and its output
# within 1e-5 of the run without the layer (output right), the run ends within its ctest
# timeout (no hang), the counters say what happened, and every job recorded completed exactly
# once (direct_jobs_completed + fallback_jobs = dispatches x iterations: nothing lost, nothing
# run twice), or, where nothing was recorded as a job, no job ran through the direct path.
# convnet coalesces its 6 dispatches into one batch per inference. The sim's injected faults
# (PM4DIRECT_SIM_FAULT) end with the reset that recovers from them; corrupted templates stay.
#   stall           the sim stops after 3 dispatches: hang, reset, fallbacks
#   slow_ok         each dispatch 2 ms late, inside the deadline: no hang, all direct
#   slow_hang       each dispatch 400 ms late, past the deadline: a hang
#   no_fence        the sim never writes the fence: a hang
#   bad_address     the sim faults on the kernarg pointer: a device fault
#   invalid         corrupted dispatch templates: debug validation refuses every batch, and
#                   the 6th refusal in the default window (100 at 95 %) turns the path off
#   invalid_nodebug the same without PM4DIRECT_DEBUG: every batch is still validated (against
#                   its validated templates), so it is refused the same way
#   kill_toggle     the kill file appears mid-run and is removed again: fallbacks meanwhile
#   disable         PM4DIRECT_DISABLE=1: nothing tracked, nothing redirected
#   autodisable     invalid with a window of 4 at 75 %: the second refusal turns it off
# Diagnostics go to $work/diag; the failure cases check that an event was written.
# usage: pm4d_e2e_faults.sh WORKDIR CONVNET CASE [convnet options...]
source "$(dirname "$0")/../../unit/vk/pm4d_vk_test_lib.sh"
convnet=$1 case=$2
shift 2
iters=$(convnet_iters "$@")
rm -rf "${work:?}"/*
kill_file=$work/kill
# Corrupts EVENT_WRITE's header (dword 0 of each dispatch template) into opcode 0x7A.
corrupt=0:$(printf '%x' $(((0x46 ^ 0x7A) << 8)))
# Cases that expect no hang at all give PoCL's first-use compile (seconds on a loaded machine)
# a 30 s deadline.
patient=(PM4DIRECT_DEADLINE_MS=30000)
env_on=(VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=sim PM4DIRECT_STATS="$work/stats.json"
  PM4DIRECT_LOG=info PM4DIRECT_KILL_FILE="$kill_file" PM4DIRECT_DIAG_DIR="$work/diag")

run off env -u VK_INSTANCE_LAYERS "$convnet" --out "$work/off.bin" "$@" || { cat "$work/off.log"; fail "convnet without the layer"; }
on() { run on env "${env_on[@]}" "$@" "$convnet" --out "$work/on.bin" "${args[@]}"; }
args=("$@")
case $case in
  stall) on PM4DIRECT_SIM_FAULT=stall_after=3 ;;
  slow_ok) on PM4DIRECT_SIM_FAULT=delay_us=2000 "${patient[@]}" ;;
  slow_hang) on PM4DIRECT_SIM_FAULT=delay_us=400000 ;;
  no_fence) on PM4DIRECT_SIM_FAULT=no_fence ;;
  bad_address) on PM4DIRECT_SIM_FAULT=bad_address ;;
  invalid) on PM4DIRECT_DEBUG=1 PM4DIRECT_SIM_CORRUPT_TEMPLATE="$corrupt" ;;
  invalid_nodebug) on PM4DIRECT_SIM_CORRUPT_TEMPLATE="$corrupt" ;;
  disable) on PM4DIRECT_DISABLE=1 ;;
  autodisable) on PM4DIRECT_DEBUG=1 PM4DIRECT_SIM_CORRUPT_TEMPLATE="$corrupt" PM4DIRECT_AUTODISABLE_WINDOW=4 \
    PM4DIRECT_AUTODISABLE_THRESHOLD=75 ;;
  kill_toggle)
    # Each dispatch 4 ms late (inside the deadline) so the run lasts; once the first redirect
    # is logged the kill file appears until the layer says it saw it (its watcher polls every
    # 50 ms), then goes.
    env "${env_on[@]}" PM4DIRECT_DEBUG=1 PM4DIRECT_SIM_FAULT=delay_us=4000 "$convnet" --out "$work/on.bin" "$@" \
      >"$work/on.log" 2>&1 &
    pid=$!
    wait_log() { for _ in $(seq 600); do grep -q "$1" "$work/on.log" 2>/dev/null && return; sleep 0.05; done; }
    wait_log '^pm4direct: redirect: '
    sleep 0.2
    touch "$kill_file"
    wait_log 'kill file .* exists'
    sleep 0.2
    rm -f "$kill_file"
    wait $pid ;;
  *) fail "unknown case $case" ;;
esac
rc=$?
skip_if_pass_through "$work/on.log"
check_convnet_run $rc "$work/on.log" "$work/on.bin" "$work/off.bin"
dispatches=$(sed -n 's/^convnet: \([0-9]*\) dispatches per inference$/\1/p' "$work/on.log")
[ -n "$dispatches" ] || fail "convnet did not say how many dispatches it records"
total=$((dispatches * iters))
stats() { check_stats "$work/stats.json" "$@" || { tail -20 "$work/on.log"; fail "stats ($case)"; }; }
diag_event() { # $1 = kind: an event directory with the batch's PM4 decoded, or its jobs
  local d
  d=$(find "$work/diag" -maxdepth 1 -name "*-$1-*" 2>/dev/null | head -1)
  [ -n "$d" ] && [ -s "$d/reason.txt" ] && [ -s "$d/jobs.txt" ] && [ -s "$d/stats.json" ] ||
    fail "no complete $1 diagnostics event under $work/diag"
}
once=direct_jobs_completed+fallback_jobs
case $case in
  disable)
    stats disabled=true jobs_recorded=0 dispatches_redirected=0 "$once"=0 vkCmdDispatch=0 ;;
  *) stats jobs_recorded="$dispatches" "$once"="$total" live_devices=0 ;;
esac
case $case in
  stall)
    stats direct_hangs\>=1 direct_resets=direct_hangs fallback_batch_failed\>=1 auto_disables=0
    diag_event hang ;;
  slow_ok)
    stats direct_hangs=0 direct_faults=0 fallback_jobs=0 dispatches_redirected="$total" direct_jobs_completed="$total" ;;
  slow_hang | no_fence)
    stats direct_hangs\>=1 fallback_batch_failed\>=1 diagnostics_written\>=1
    diag_event hang ;;
  bad_address)
    stats direct_faults\>=1 fallback_batch_failed\>=1
    diag_event fault ;;
  invalid)
    stats direct_validation_failures=6 fallback_invalid=6 direct_jobs_completed=0 auto_disables=1 \
      fallback_auto_disabled=$((iters - 6))
    diag_event validation ;;
  invalid_nodebug)
    stats direct_validation_failures=6 fallback_invalid=6 direct_faults=0 direct_jobs_completed=0 \
      auto_disables=1 fallback_auto_disabled=$((iters - 6))
    diag_event validation ;;
  autodisable)
    stats direct_validation_failures=2 auto_disables=1 fallback_auto_disabled=$((iters - 2))
    grep -q 'auto-disable: 2 of the last 2 direct batches failed' "$work/on.log" || fail "no auto-disable log line" ;;
  kill_toggle)
    stats fallback_kill_file\>=1 dispatches_redirected\>=1
    grep -q 'kill file .* exists: no new work is redirected' "$work/on.log" &&
      grep -q 'kill file .* removed: redirecting conv2d again' "$work/on.log" || fail "kill file log lines" ;;
esac
case $case in
  stall | slow_hang | no_fence | bad_address) stats auto_disables=0 direct_resets\>=1 ;;
esac
echo "PASS ($case): $(python3 -c '
import json, re, sys
c = json.load(open(sys.argv[1]))["counters"]
print(" ".join(f"{k}={v}" for k, v in c.items() if v and re.match(
    r"(dispatches_redirected|direct_jobs_completed|fallback_|direct_(hangs|faults|resets|validation)|auto_disables|passthrough_|diagnostics)", k)))' "$work/stats.json")"
