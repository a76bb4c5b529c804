# Sourced by the layer's test scripts. Needs: $1 of the script = work directory; the
# environment from pm4d_add_vulkan_test (VK_ICD_FILENAMES, VK_LAYER_PATH, PM4D_LAYER_NAME).
set -u
work=$1
shift
mkdir -p "$work"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check_stats() { python3 "$here/pm4d_check_stats.py" "$@"; }
fail() {
  echo "FAIL: $*"
  exit 1
}
# Runs a command, keeping its output in $work/<name>.log; passes exit code 77 (skip) through.
run() {
  local name=$1
  shift
  "$@" >"$work/$name.log" 2>&1
  local rc=$?
  if [ $rc -eq 77 ]; then
    cat "$work/$name.log"
    exit 77
  fi
  return $rc
}
