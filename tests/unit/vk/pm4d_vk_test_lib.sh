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
# The value of --iters among convnet's options (its default, 3, when absent).
convnet_iters() {
  local iters=3
  while [ $# -gt 0 ]; do
    [ "$1" = --iters ] && iters=$2
    shift
  done
  echo "$iters"
}
# Exits 77 when the log $1 says the layer made the device pass-through (no sim back end).
skip_if_pass_through() {
  if grep -q 'pm4direct: device is pass-through: ' "$1"; then
    echo "SKIPPED: no sim back end here: $(sed -n 's/.*device is pass-through: //p' "$1" | head -1)"
    exit 77
  fi
}
# A convnet run under the layer ended well: exit status $1 is 0 and its log $2 says the
# reference check passed.
check_convnet_exit() {
  [ "$1" -eq 0 ] || { cat "$2"; fail "convnet with the layer exited $1"; }
  grep -q 'reference check passed' "$2" || { cat "$2"; fail "reference check"; }
}
# A convnet run under the layer was right: check_convnet_exit, and its output file $3 is within
# 1e-5 of the run without the layer ($4).
check_convnet_run() {
  check_convnet_exit "$1" "$2"
  python3 "$here/../../e2e/pm4d_compare_f32.py" "$3" "$4" 1e-5 >/dev/null ||
    fail "output differs from the run without the layer"
}
