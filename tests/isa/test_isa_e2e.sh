#!/bin/sh
# convnet (a Vulkan app on lavapipe) under the layer with the sim back end on the instruction
# model: tests/e2e/pm4d_e2e_redirect.sh's plain mode (every conv2d redirected, output within
# 1e-5 of the run without the layer) with PM4DIRECT_SIM_EXEC=isa and PM4DIRECT_SIM_TARGET,
# then the layer's log must show that the model ran.
# Usage: test_isa_e2e.sh REDIRECT_SH WORKDIR CONVNET TARGET [convnet options...]
set -u
redirect=$1 work=$2 convnet=$3 target=$4
shift 4
PM4DIRECT_SIM_EXEC=isa PM4DIRECT_SIM_TARGET=$target "$redirect" "$work" "$convnet" plain "$@"
rc=$?
[ $rc -eq 0 ] || exit $rc
if ! grep -q "dispatches run on instruction model $target" "$work/on.log"; then
   echo "FAIL: the sim did not run the instruction model for $target"
   exit 1
fi
echo "PASS: convnet redirected through the sim on the instruction model ($target)"
