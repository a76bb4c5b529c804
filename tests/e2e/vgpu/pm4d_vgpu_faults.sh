#!/usr/bin/env bash
# The fault matrix of issue 14 on RADV-on-vgpu (the layer with the amdgpu back end; the mirror
# of tests/e2e/faults on lavapipe + sim). One fault per case, injected by the vgpu as the kernel
# makes it (VGPU_INJECT, tests/vgpu/driver/README.md), a short run of convnet (6 conv2d, one
# direct batch per inference), pm4d_e2e_threads or pm4d_e2e_multisubmit, layer deadline 200 ms
# and kernel job timeout 300 ms unless the case says otherwise. Each case asserts:
#   - the app's outcome: exit 0 with its CPU reference check passed, or, where the kernel makes
#     it unavoidable, VK_ERROR_DEVICE_LOST (the case says which kernel and RADV rule);
#   - no hang: the case ends inside its ctest timeout (30 s);
#   - nothing reused early: the vgpu's reused_in_flight is 0 (an IB rewritten while in flight);
#   - the layer's counters equal what the vgpu saw: its direct jobs are the vgpu's dispatches of
#     our kernels (cp.dispatches_run), its fallback jobs the driver's conv2d dispatches with a
#     non-empty grid (cp.dispatches_not_executable: the vgpu cannot run RADV's shaders, and a
#     disarmed fallback dispatches zero groups), and together every job of the run exactly once.
# On the vgpu a fallback's conv2d is handed to RADV but not computed (RADV's shader code is none
# of the project's kernels): its numbers are checked by the lavapipe + sim matrix. convnet's
# output is that of its last inference; the faults here hit an earlier one, so a right output
# shows the direct path recovered (the counters show that the fallback reached the GPU).
# The layer's hardware context is the process's second (RADV's queue makes the first): the
# cases that inject into it check that the kernel's log names the compute ring, the layer's.
#   hang               the layer's batch 2 never completes: kernel timeout (-ETIME), full GPU
#                      reset, its 6 jobs by fallback, batch 3 direct again on a new context
#   fault_after_kick   batch 1 fails 1 ms after it starts (job timeout 1 ms): the failure lands
#                      while the kick is still returning; its fallbacks must still run
#   slow               batch 2 800 ms late, past the layer's deadline, inside the kernel's 5 s
#                      timeout: late but good, nothing falls back, nothing counted as a hang
#   lost_fence         batch 2 runs but its fence signals 500 ms late (amdgpu_fence_fallback):
#                      as slow
#   vram_lost          batch 2 hangs and the reset loses VRAM: RADV's context predates the loss,
#                      so its next CS is -ECANCELED (amdgpu_cs.c amdgpu_cs_pass1, ctx generation)
#                      and RADV 22.3 returns VK_ERROR_DEVICE_LOST (radv_amdgpu_cs_submit): the
#                      same with or without the layer
#   page_fault         batch 2's dispatches page-fault on their output writes, as if the app had
#                      freed the buffer under them (VGPU_INJECT=page-fault, DRM 3.57): the kernel
#                      logs each fault and, with amdgpu.vm_fault_stop=0 (its default), the job
#                      runs on with those writes dropped and completes with no error
#                      (gmc_v10_0_process_interrupt): the batch writes its fence and disarms its
#                      fallbacks, the kernel signals the point, the driver link after it runs at
#                      once, and the output keeps stale data. Only AMDGPU_INFO_GPUVM_FAULT (DRM
#                      3.55+) tells. The layer reads the fault record when the kernel says the
#                      work is over (watchdog) or the app's wait returns (vkWaitForFences), finds
#                      the page in a job's output buffer, says so in one ERROR line, counts
#                      direct_vm_faults, writes a vm_fault diagnostics event, turns the path off
#                      and reports VK_ERROR_DEVICE_LOST from then on (convnet's
#                      vkGetFenceStatus after the loss too, though RADV saw none): the honest
#                      outcome, the data is gone. (A bad address the layer would compute is refused before
#                      any kick: bad_address below, direct_amdgpu_vm_fault; this case is one
#                      that got through.)
#   bad_address        the first job of batch 2 (job 7: convnet --size 16 makes 6 conv2d per
#                      inference, one batch each) has its output address one byte past the end
#                      of its memory (PM4DIRECT_BAD_ADDRESS=7, as a wrong address the layer
#                      computed would be): the plan refuses the batch against the memory's
#                      GPU-VA range, learnt at the buffer's bind, before anything is built or
#                      kicked (fallback_unsupported 1, one batch fewer, none of its dispatches
#                      reaches the vgpu's CP), its 6 jobs run by fallback, no page fault, the
#                      output right
#   app_hang           RADV's own second job hangs (a reset caused by another context, for the
#                      layer): RADV's context is guilty, its next CS -ECANCELED
#                      (amdgpu_cs_parser_init), VK_ERROR_DEVICE_LOST as without the layer; the
#                      layer counts no hang of its own and does not turn itself off
#   reset_by_other     pm4d_e2e_threads ordered (4 devices, 200 submissions each): device 0's own
#                      RADV job 50 hangs, a full GPU reset: device 0's app thread gets
#                      VK_ERROR_DEVICE_LOST (its context is guilty), the other three devices
#                      go on; no device's layer counts a hang of its own (QUERY2 GUILTY, not
#                      RESET: amdgpu_ctx.c amdgpu_ctx_query2), work the reset cancelled runs by
#                      fallback, nothing turns itself off
#   autodisable        batch 2 hangs with an auto-disable window of 2 at 60 % (off when fewer
#                      than 60 % of the last 2 batches succeeded: 1 of 2 is 50 %): the path
#                      turns off mid-run, later batches go to the driver, no more CS from the
#                      layer (the hang fails batch 2 only: the kernel's verdict, not the
#                      reset). The layer learns of it on its watchdog's tick, after the kernel
#                      signalled the batch's point, while the app goes on as soon as the driver
#                      link after it ran: convnet holds inference 3 (--gate) until the layer
#                      has logged its verdict, so the order is fixed, with no timing
#   kill_file          the kill file appears mid-run (after the first redirect) and goes again
#                      once a fallback reached the vgpu (RADV's jobs 60 ms slow so the run
#                      lasts): fallbacks meanwhile, then direct again to the last inference
#   in_flight_33       pm4d_e2e_threads flood: 40 submissions back to back behind a batch 1 s
#                      slow; the kernel takes 32 jobs per context and blocks the 33rd CS
#                      (amdgpu_ctx_wait_prev_fence): back pressure, not a failure, all direct
#   simultaneous_hang  flood with batch 2 hung: one SIMULTANEOUS_USE command buffer in flight 40
#                      times, all sharing one recorded job and its fallback arguments (armed on
#                      the GPU in each submission's link before its batch: a CS on RADV's
#                      context). Batch 1 completes, batch 2 times out; the batches queued behind
#                      it on the guilty context are cancelled (sched_entity.c
#                      drm_sched_entity_pop_job) and run by fallback; RADV's context holds 32
#                      jobs (amdgpu_ctx_wait_prev_fence), so the app's later submissions wait in
#                      the kernel until the reset and their batches complete on the renewed
#                      context. Where the split falls is timing: each job exactly once, every
#                      failed batch's fallback run (not disarmed by another submission's batch),
#                      no completed one run again
#   two_queues_hang    pm4d_e2e_threads two_queues 4: one SIMULTANEOUS_USE command buffer sent
#                      to two compute queues in turn, so that it is pending on both; the first
#                      queue's batch hangs (its context is the process's second). The second
#                      queue's submission, while the first is pending, goes through the driver
#                      with plain fallbacks (one warning, fallback_other_queue; one job per
#                      command buffer), which leave the shared arguments alone, else its batch
#                      would disarm them before the hung batch's fallback reads them: each job
#                      exactly once, the hung one and the one the reset cancelled by fallback.
#                      Every job then runs RADV's own shader, which the vgpu cannot run
#                      (pm4d_vgpu_fault_hang.sh): the output stays unwritten, and is expected so
#   two_queues_cycle   pm4d_e2e_threads two_queues_cycle 2: one SIMULTANEOUS_USE command buffer
#                      sent to queue A, waiting on a timeline semaphore, then to queue B, which
#                      signals it. B's submission must not wait for A's end (that was a GPU hang
#                      until ctest's timeout): A's batch direct, B's by plain fallback, both right
#   wait_before_signal pm4d_e2e_multisubmit's timeline group with its first wait released by
#                      the host after the submissions: every output right, all direct, at least
#                      one kick deferred (its wait point had no fence attached when submitted)
#   warm               not a case: convnet with no fault, so that the vgpu has built its kernels
# usage: pm4d_vgpu_faults.sh WORKDIR CASE PROGRAM
source "$(dirname "$0")/pm4d_vgpu_lib.sh"
case=$1 prog=$2
rm -rf "${work:?}"/*
kill_file=$work/kill
env_on=("${vgpu_on[@]}" VGPU_REPORT="$work/vgpu.json" VGPU_JOB_TIMEOUT_MS=300 PM4DIRECT_DEADLINE_MS=200
  PM4DIRECT_STATS="$work/stats.json" PM4DIRECT_KILL_FILE="$kill_file" PM4DIRECT_DIAG_DIR="$work/diag")
convnet_args=(--size 16 --iters 3)
on() { run on "${env_on[@]}" "$@"; }
convnet() { on "$@" "$prog" --out "$work/on.bin" "${convnet_args[@]}"; }
wait_log() { for _ in $(seq 400); do grep -q "$1" "$work/on.log" 2>/dev/null && return; sleep 0.05; done; }
case $case in
  warm) # the PoCL cache for the cases: a deadline the first build of the kernels cannot miss
    on PM4DIRECT_DEADLINE_MS=600000 "$prog" "${convnet_args[@]}" || { cat "$work/on.log"; fail "convnet exited $?"; }
    echo "PASS (warm): the vgpu's kernels are built"
    exit 0 ;;
  hang) convnet VGPU_INJECT=hang@ctx2:job2 ;;
  fault_after_kick) convnet VGPU_INJECT=hang@ctx2:job1 VGPU_JOB_TIMEOUT_MS=1 ;;
  slow) convnet VGPU_INJECT=slow@ctx2:job2:800 VGPU_JOB_TIMEOUT_MS=5000 ;;
  lost_fence) convnet VGPU_INJECT=lost-fence@ctx2:job2 VGPU_JOB_TIMEOUT_MS=5000 ;;
  vram_lost) convnet VGPU_INJECT=vram-lost@ctx2:job2 ;;
  page_fault) convnet VGPU_INJECT=page-fault@ctx2:job2 VGPU_DRM_MINOR=57 ;;
  bad_address) convnet PM4DIRECT_BAD_ADDRESS=7 ;;
  app_hang)
    run off env LD_PRELOAD="$PM4D_VGPU_LIB" VGPU_INJECT=hang@ctx1:job2 VGPU_JOB_TIMEOUT_MS=300 "$prog" \
      "${convnet_args[@]}"
    echo "without the layer: exit $?, $(grep -o 'vk[A-Za-z]* failed: VK_ERROR_[A-Z_]*' "$work/off.log")"
    convnet VGPU_INJECT=hang@ctx1:job2 ;;
  reset_by_other) on VGPU_INJECT=hang@ctx1:job50 "$prog" ordered 800 ;;
  autodisable)
    # The gate opens once the verdict is logged (or, without one, when wait_log gives up: the
    # counters below then fail the case).
    convnet_args=(--size 16 --iters 4 --gate "$work/gate" --gate-before 3)
    convnet VGPU_INJECT=hang@ctx2:job2 PM4DIRECT_AUTODISABLE_WINDOW=2 PM4DIRECT_AUTODISABLE_THRESHOLD=60 &
    pid=$!
    wait_log 'auto-disable: '
    touch "$work/gate"
    wait $pid ;;
  kill_file)
    # RADV's jobs (context 1) each 60 ms slow, so that every inference lasts; the kill file
    # goes once the vgpu has seen a fallback's dispatch.
    convnet_args=(--size 16 --iters 12)
    slow=$(for j in $(seq 80); do printf 'slow@ctx1:job%d:60,' "$j"; done)
    env "${env_on[@]}" PM4DIRECT_DEBUG=1 VGPU_INJECT="${slow%,}" VGPU_JOB_TIMEOUT_MS=5000 \
      "$prog" --out "$work/on.bin" "${convnet_args[@]}" >"$work/on.log" 2>&1 &
    pid=$!
    wait_log '^pm4direct: redirect: '
    touch "$kill_file"
    wait_log 'kill file .* exists'
    wait_log 'dispatch not executable'
    rm -f "$kill_file"
    wait $pid ;;
  in_flight_33) on VGPU_INJECT=slow@ctx2:job1:1000 VGPU_JOB_TIMEOUT_MS=5000 PM4DIRECT_DEADLINE_MS=3000 "$prog" flood 40 ;;
  simultaneous_hang) on VGPU_INJECT=hang@ctx2:job2 "$prog" flood 40 ;;
  two_queues_hang) on VGPU_INJECT=hang@ctx2:job1 "$prog" two_queues 4 ;;
  two_queues_cycle) on "$prog" two_queues_cycle 2 ;;
  wait_before_signal) on PM4DIRECT_DEADLINE_MS=3000 "$prog" 1 --direct-only --wait-before-signal ;;
  *) fail "unknown case $case" ;;
esac
rc=$?
check_vgpu_engaged "$work/on.log"
merge_vgpu_report "$work/stats.json" "$work/vgpu.json" "$work/both.json" || fail "no stats or vgpu report (exit $rc)"
# The counters' conditions, checked together at the end (one python run: seconds on a loaded machine).
expect=()
stats() { expect+=("$@"); }
stats vgpu_reused_in_flight=0 live_devices=0 vgpu_ibs_bad_packet=0
[ "$case" = page_fault ] || stats vgpu_ibs_fault=0 vgpu_cp_faults=0
# A CS refused is RADV's own after the kernel failed its context (the device-lost cases); the
# layer never submits on a context the kernel has failed.
case $case in
  vram_lost | app_hang | reset_by_other) ;;
  *) stats vgpu_cs_rejected=0 ;;
esac
# The app's outcome, and the number of jobs it submitted.
device_lost() { # $1: what the kernel and RADV did
  [ $rc -ne 0 ] && grep -q 'failed: VK_ERROR_DEVICE_LOST' "$work/on.log" || { tail -20 "$work/on.log"; fail "$case: exit $rc, expected VK_ERROR_DEVICE_LOST ($1)"; }
}
case $case in
  page_fault)
    device_lost "a GPU page fault in the direct path's memory: its output may be wrong"
    dispatches=$(sed -n 's/^convnet: \([0-9]*\) dispatches per inference$/\1/p' "$work/on.log")
    grep -q '^pm4direct: GPU page fault in the output buffer of job [0-9]* of batch .*: address 0x[0-9a-f]*, gfxhub0, status 0x00040100 (write, no valid mapping' "$work/on.log" ||
      { grep -v '^vgpu: \[' "$work/on.log" | tail -20; fail "no ERROR line naming the fault and its buffer"; }
    ls -d "$work"/diag/*-vm_fault-* >/dev/null 2>&1 || fail "no vm_fault diagnostics event"
    # RADV saw no loss (its fence signalled): the layer's vkGetFenceStatus says lost too.
    grep -q '^convnet: after the loss vkGetFenceStatus returns VK_ERROR_DEVICE_LOST$' "$work/on.log" ||
      fail "vkGetFenceStatus after the loss: $(grep 'after the loss' "$work/on.log")"
    # All 6 dispatches of batch 2 fault and are dropped; the batch completes (nothing falls back).
    stats vgpu_vm_faults="$dispatches" vgpu_ibs_fault=0 vgpu_gpu_resets=0 direct_vm_faults=1 \
      auto_disables=1 direct_hangs=0 direct_faults=0 fallback_jobs=0 \
      direct_jobs_completed=vgpu_cp_dispatches_run+vgpu_vm_faults ;;
  vram_lost)
    device_lost "VRAM lost: RADV's context predates it"
    stats vgpu_vram_losses=1 vgpu_gpu_resets=1 direct_hangs=1 direct_jobs_completed=vgpu_cp_dispatches_run ;;
  app_hang)
    device_lost "RADV's own job hung: its context is guilty"
    grep -q 'failed: VK_ERROR_DEVICE_LOST' "$work/off.log" || fail "without the layer the hang did not end in VK_ERROR_DEVICE_LOST"
    stats vgpu_gpu_resets=1 direct_hangs=0 auto_disables=0 ;;
  reset_by_other)
    [ $rc -ne 0 ] && [ "$(grep -c '^threads: submission failed: VkResult -4$' "$work/on.log")" = 1 ] ||
      { grep -v '^vgpu: \[' "$work/on.log" | tail -20; fail "exit $rc, expected one thread's VK_ERROR_DEVICE_LOST"; }
    stats vgpu_gpu_resets=1 direct_hangs=0 direct_faults=0 auto_disables=0 ;;
  two_queues_hang) # every job by fallback, which the vgpu cannot run (RADV's own shader): no output
    jobs=4
    [ $rc -eq 1 ] && grep -q '^threads: thread 0, submission 4: output wrong' "$work/on.log" ||
      { tail -20 "$work/on.log"; fail "threads exited $rc, expected the output unwritten"; } ;;
  in_flight_33 | simultaneous_hang | two_queues_cycle)
    jobs=40
    [ "$case" = two_queues_cycle ] && jobs=2
    [ $rc -eq 0 ] && grep -q "^threads: $jobs submissions, .* all right$" "$work/on.log" || { tail -20 "$work/on.log"; fail "threads exited $rc"; } ;;
  wait_before_signal)
    [ $rc -eq 0 ] && grep -q '^multisubmit: all outputs right$' "$work/on.log" || { grep -v '^vgpu: \[' "$work/on.log" | tail -20; fail "multisubmit exited $rc"; }
    jobs=$(sed -n 's/.*device(s), \([0-9]*\) conv2d dispatches submitted$/\1/p' "$work/on.log") ;;
  *)
    [ $rc -eq 0 ] && grep -q 'reference check passed' "$work/on.log" || { grep -v '^vgpu: \[' "$work/on.log" | tail -20; fail "convnet exited $rc"; }
    dispatches=$(sed -n 's/^convnet: \([0-9]*\) dispatches per inference$/\1/p' "$work/on.log")
    jobs=$((dispatches * $(convnet_iters "${convnet_args[@]}"))) ;;
esac
# Every job exactly once, as the vgpu saw it, and as the layer counted it.
case $case in
  vram_lost | app_hang | page_fault) ;;
  reset_by_other) stats direct_jobs_completed=vgpu_cp_dispatches_run fallback_jobs=vgpu_cp_dispatches_not_executable ;;
  *) stats vgpu_cp_dispatches_run+vgpu_cp_dispatches_not_executable="$jobs" direct_jobs_completed=vgpu_cp_dispatches_run \
       fallback_jobs=vgpu_cp_dispatches_not_executable ;;
esac
layer_ring() { grep -q 'ring comp_.*timeout.*VGPU_INJECT' "$work/on.log" || fail "the injected hang was not on the layer's compute ring"; }
case $case in
  hang | fault_after_kick)
    layer_ring
    stats vgpu_gpu_resets=1 direct_hangs=1 direct_resets\>=1 fallback_batch_failed=1 fallback_jobs="$dispatches" \
      direct_jobs_completed=$((jobs - dispatches)) auto_disables=0 ;;
  slow | lost_fence | in_flight_33)
    stats fallback_jobs=0 direct_hangs=0 direct_faults=0 direct_resets=0 vgpu_gpu_resets=0 auto_disables=0 ;;
  wait_before_signal) # the first batch's wait point had no fence yet: its kick was deferred
    stats fallback_jobs=0 direct_hangs=0 direct_faults=0 direct_resets=0 vgpu_gpu_resets=0 auto_disables=0 \
      direct_kicks_deferred\>=1 ;;
  simultaneous_hang)
    layer_ring
    stats vgpu_gpu_resets=1 direct_hangs=1 fallback_jobs\>=1 direct_jobs_completed\>=1 \
      fallback_jobs=fallback_batch_failed auto_disables=0 ;;
  two_queues_hang)
    layer_ring
    grep -q 'submitted to a second queue while pending on another' "$work/on.log" || fail "no log line for the second queue"
    stats vgpu_gpu_resets=1 direct_hangs=1 fallback_batch_failed=2 fallback_other_queue=2 \
      fallback_jobs=fallback_batch_failed+fallback_other_queue vgpu_cp_dispatches_run=0 auto_disables=0 ;;
  two_queues_cycle)
    stats fallback_other_queue=1 direct_batches=1 direct_hangs=0 vgpu_gpu_resets=0 auto_disables=0 ;;
  bad_address)
    grep -q 'lies outside its memory' "$work/on.log" || fail "no line naming the refused address"
    stats fallback_unsupported=1 fallback_batch_failed=0 fallback_jobs="$dispatches" \
      direct_batches=$(($(convnet_iters "${convnet_args[@]}") - 1)) direct_jobs_completed=$((jobs - dispatches)) \
      vgpu_vm_faults=0 vgpu_gpu_resets=0 direct_hangs=0 direct_faults=0 auto_disables=0 ;;
  autodisable)
    layer_ring
    stats direct_hangs=1 auto_disables=1 fallback_auto_disabled=2 fallback_jobs=$((3 * dispatches)) \
      direct_jobs_completed="$dispatches"
    grep -q 'auto-disable: ' "$work/on.log" || fail "no auto-disable log line" ;;
  kill_file)
    stats fallback_kill_file\>=1 direct_jobs_completed\>="$dispatches" direct_hangs=0 auto_disables=0
    grep -q 'kill file .* exists: no new work is redirected' "$work/on.log" &&
      grep -q 'kill file .* removed: redirecting conv2d again' "$work/on.log" || fail "kill file log lines" ;;
esac
check_stats "$work/both.json" "${expect[@]}" || { grep -v '^vgpu: \[' "$work/on.log" | tail -25; fail "counters ($case)"; }
echo "PASS ($case): $(python3 -c '
import json, re, sys
c = json.load(open(sys.argv[1]))["counters"]
print(" ".join(f"{k}={v}" for k, v in c.items() if v and re.match(
    r"(direct_jobs_completed|fallback_|direct_(hangs|faults|resets)|auto_disables|vgpu_(gpu_resets|vram_losses|jobs_cancelled|injected|cp_dispatches))", k)))' "$work/both.json")"
