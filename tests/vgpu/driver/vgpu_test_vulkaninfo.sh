#!/usr/bin/env bash
# vulkaninfo --summary on the virtual GPU lists RADV with each expected device name (the names
# RADV 22.3 gives: amdgpu.ids' marketing name, then "(RADV <chip>)" from ac_get_family_name).
# Usage: vgpu_test_vulkaninfo.sh PROFILE[,PROFILE] "NAME" ["NAME"...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
profile=$1
shift
out=$("$here/../../../scripts/vgpu" "$profile" vulkaninfo --summary 2>&1) || {
  echo "$out"
  echo "FAIL: vulkaninfo exited with an error"
  exit 1
}
echo "$out" | grep -E "deviceName|driverName|deviceType"
fail=0
for name in "$@"; do
  if echo "$out" | grep -qF "deviceName         = $name"; then
    echo "ok   $name"
  else
    echo "FAIL: no device named '$name'"
    fail=1
  fi
done
n=$(echo "$out" | grep -c "driverName *= radv" || true)
if [ "$n" -ne $# ]; then
  echo "FAIL: $n RADV devices, expected $#"
  fail=1
fi
exit $fail
