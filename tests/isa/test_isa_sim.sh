#!/bin/sh
# The sim end to end on the instruction model: the direct path's `healthy` scenario (two queues,
# 48 conv2d jobs of all three variants, outputs checked against the C reference) with
# PM4DIRECT_SIM_EXEC=isa, so that the sim's CP runs the shipped code object of TARGET from the
# PM4 registers the layer programmed. The sim's log line proves which executor ran.
# Usage: test_isa_sim.sh PM4D_TEST_DIRECT TARGET
set -u
bin=$1 target=$2
out=$(PM4DIRECT_SIM_EXEC=isa PM4DIRECT_SIM_TARGET=$target PM4DIRECT_LOG=info \
      PM4DIRECT_AUTODISABLE_WINDOW=0 "$bin" healthy 2>&1)
rc=$?
printf '%s\n' "$out"
if [ $rc -eq 77 ]; then exit 77; fi
if [ $rc -ne 0 ]; then echo "FAIL: $bin healthy exited with $rc"; exit 1; fi
if ! printf '%s\n' "$out" | grep -q "dispatches run on instruction model $target"; then
   echo "FAIL: the sim did not say it ran the instruction model for $target"
   exit 1
fi
echo "PASS: healthy on the instruction model ($target)"
