#!/usr/bin/env bash
# convnet under the layer with the sim back end (PM4DIRECT_BACKEND=sim): exit 0 with its own
# reference check, output within 1e-5 (relative L2) of the run without the layer, and the stats
# show what the mode expects.
#   plain        every conv2d dispatch of every inference redirected, no fallback
#   debug        PM4DIRECT_DEBUG=1: the same, every batch validated, one line per direct batch
#   stall        the sim stalls after N dispatches (PM4DIRECT_SIM_FAULT=stall_after=N): the
#                watchdog fails the batch, its fallbacks run, the app sees nothing
#   kill_before  the kill file exists from the start: nothing is redirected
#   kill_mid     the kill file appears while the app runs: later work goes to the driver
# usage: pm4d_e2e_redirect.sh WORKDIR CONVNET MODE [convnet options...]
source "$(dirname "$0")/../unit/vk/pm4d_vk_test_lib.sh"
convnet=$1 mode=$2
shift 2
iters=3
for ((i = 1; i <= $#; i++)); do
  [ "${!i}" = --iters ] && { j=$((i + 1)); iters=${!j}; }
done
rm -rf "${work:?}"/*
fallbacks=fallback_unavailable+fallback_unsupported+fallback_ring_full+fallback_invalid+fallback_nomem+fallback_failed+fallback_batch_failed+fallback_kill_file
kill_file="$work/kill"
env_on=(VK_INSTANCE_LAYERS="$PM4D_LAYER_NAME" PM4DIRECT_BACKEND=sim PM4DIRECT_STATS="$work/stats.json"
  PM4DIRECT_LOG=info PM4DIRECT_KILL_FILE="$kill_file")

run off env -u VK_INSTANCE_LAYERS "$convnet" --out "$work/off.bin" "$@" || { cat "$work/off.log"; fail "convnet without the layer"; }
case $mode in
  # A loaded machine (or PoCL compiling the kernels at their first use) must not turn a slow
  # healthy batch into a "hang".
  plain) run on env "${env_on[@]}" PM4DIRECT_DEADLINE_MS=30000 "$convnet" --out "$work/on.bin" "$@" ;;
  debug) run on env "${env_on[@]}" PM4DIRECT_DEADLINE_MS=30000 PM4DIRECT_DEBUG=1 "$convnet" --out "$work/on.bin" "$@" ;;
  stall) run on env "${env_on[@]}" PM4DIRECT_SIM_FAULT=stall_after=3 "$convnet" --out "$work/on.bin" "$@" ;;
  kill_before)
    touch "$kill_file"
    run on env "${env_on[@]}" "$convnet" --out "$work/on.bin" "$@" ;;
  kill_mid)
    # Each sim dispatch takes 4 ms more (a batch stays inside its deadline), so the run lasts long enough to be killed halfway:
    # once the first batch went direct (the debug log has a line per direct batch), wait for
    # more submissions, then create the file.
    env "${env_on[@]}" PM4DIRECT_DEADLINE_MS=30000 PM4DIRECT_DEBUG=1 PM4DIRECT_SIM_FAULT=delay_us=4000 "$convnet" --out "$work/on.bin" "$@" \
      >"$work/on.log" 2>&1 &
    pid=$!
    for _ in $(seq 600); do
      grep -q '^pm4direct: redirect: ' "$work/on.log" 2>/dev/null && break
      sleep 0.05
    done
    sleep 0.3
    touch "$kill_file"
    wait $pid ;;
  *) fail "unknown mode $mode" ;;
esac
rc=$?
skip_if_pass_through "$work/on.log"
[ $rc -eq 0 ] || { cat "$work/on.log"; fail "convnet with the layer exited $rc"; }
grep -q 'reference check passed' "$work/on.log" || { cat "$work/on.log"; fail "reference check"; }
python3 "$(dirname "$0")/pm4d_compare_f32.py" "$work/on.bin" "$work/off.bin" 1e-5 || fail "output differs from the run without the layer"
dispatches=$(sed -n 's/^convnet: \([0-9]*\) dispatches per inference$/\1/p' "$work/on.log")
[ -n "$dispatches" ] || fail "convnet did not say how many dispatches it records"
total=$((dispatches * iters))
case $mode in
  plain | debug)
    check_stats "$work/stats.json" dispatches_recognised="$dispatches" jobs_recorded="$dispatches" \
      dispatches_redirected="$total" "$fallbacks"=0 fallback_jobs=0 direct_batches\>=1 live_devices=0 || fail "stats" ;;
  stall)
    check_stats "$work/stats.json" fallback_batch_failed\>=1 fallback_jobs\>=1 dispatches_redirected\>=1 || fail "stats" ;;
  kill_before)
    check_stats "$work/stats.json" passthrough_kill_switch="$dispatches" jobs_recorded=0 dispatches_redirected=0 || fail "stats" ;;
  kill_mid)
    check_stats "$work/stats.json" dispatches_redirected\>=1 fallback_kill_file\>=1 \
      dispatches_redirected+fallback_jobs="$total" || fail "stats" ;;
esac
if [ "$mode" = debug ]; then
  grep -q 'debug: every batch validated, every redirect logged' "$work/on.log" || fail "debug mode not on"
  logged=$(grep -c "^pm4direct: redirect: $dispatches conv2d dispatches direct (bridge [0-9]* -> [0-9]*): pm4d_conv2d_" "$work/on.log")
  check_stats "$work/stats.json" direct_batches="$logged" || fail "$logged batches logged as redirected"
fi
echo "PASS ($mode): $(grep -o 'max relative error [^ ]*' "$work/on.log"), $(sed -n 's/^pm4direct: stats: //p' "$work/on.log" | grep -o 'dispatches_redirected=[0-9]*\|fallback_[a-z_]*=[0-9]*' | tr '\n' ' ')"
