#!/bin/sh
# Runs convnet once and checks its result. Usage:
#   convnet_test.sh check CONVNET [ARGS...]        exit 0, the required lines, check passed
#   convnet_test.sh nocheck CONVNET [ARGS...]      exit 0, a checksum, no reference check
#   convnet_test.sh out CONVNET BYTES [ARGS...]    --out writes BYTES bytes whose FNV-1a 64 is
#                                                  the printed checksum
#   convnet_test.sh usage CONVNET [ARGS...]        exit 3 with a usage line on stderr
#   convnet_test.sh vkerror CONVNET [ARGS...]      with no Vulkan driver: exit 2, the failing
#                                                  call and its VkResult named on stderr
# With PM4D_CONVNET_FORCE_STAGING=1, check also asserts that staging copies were used.
# Expects VK_ICD_FILENAMES to name lavapipe's ICD (set by ctest); skips (77) without it.
mode=$1
exe=$2
shift 2
if [ ! -f "${VK_ICD_FILENAMES:-}" ]; then
   echo "SKIPPED: lavapipe ICD not found (VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-})"
   exit 77
fi
fail() {
   echo "FAIL: $*"
   exit 1
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

case $mode in
check)
   "$exe" "$@" >"$tmp/out" 2>"$tmp/err"
   rc=$?
   cat "$tmp/out" "$tmp/err"
   [ $rc -eq 0 ] || fail "exit $rc, expected 0"
   for re in '^convnet: device ".*", input [0-9]+x[0-9]+x[0-9]+x[0-9]+, 6 conv layers$' \
             '^convnet: 6 dispatches per inference$' \
             '^convnet: checksum 0x[0-9a-f]{16}$' \
             '^convnet: reference check passed, max relative error [0-9.e+-]+$' \
             '^convnet: [0-9]+\.[0-9]{3} ms per inference$'; do
      grep -Eq "$re" "$tmp/out" || fail "no line matching: $re"
   done
   if [ "${PM4D_CONVNET_FORCE_STAGING:-}" = 1 ]; then
      grep -q '^convnet: host transfers through staging buffers$' "$tmp/out" ||
         fail "PM4D_CONVNET_FORCE_STAGING=1 but no staging"
   fi
   ;;
nocheck)
   "$exe" "$@" --no-check >"$tmp/out" 2>"$tmp/err"
   rc=$?
   cat "$tmp/out" "$tmp/err"
   [ $rc -eq 0 ] || fail "exit $rc, expected 0"
   grep -Eq '^convnet: checksum 0x[0-9a-f]{16}$' "$tmp/out" || fail "no checksum line"
   ! grep -q 'reference check' "$tmp/out" || fail "--no-check still checked"
   ;;
out)
   bytes=$1
   shift
   "$exe" "$@" --out "$tmp/t.bin" >"$tmp/out" 2>"$tmp/err"
   rc=$?
   cat "$tmp/out" "$tmp/err"
   [ $rc -eq 0 ] || fail "exit $rc, expected 0"
   size=$(wc -c <"$tmp/t.bin")
   [ "$size" -eq "$bytes" ] || fail "--out wrote $size bytes, expected $bytes"
   printed=$(sed -n 's/^convnet: checksum \(0x[0-9a-f]*\)$/\1/p' "$tmp/out")
   actual=$(python3 -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("0x%016x" % h)' "$tmp/t.bin") || fail "python3 failed"
   echo "file FNV-1a 64: $actual, printed: $printed"
   [ "$actual" = "$printed" ] || fail "checksum of the file differs from the printed one"
   ;;
usage)
   "$exe" "$@" >"$tmp/out" 2>"$tmp/err"
   rc=$?
   cat "$tmp/out" "$tmp/err"
   [ $rc -eq 3 ] || fail "exit $rc, expected 3"
   grep -q '^usage: convnet ' "$tmp/err" || fail "no usage line on stderr"
   ;;
vkerror)
   VK_ICD_FILENAMES="$tmp/no_such_icd.json" "$exe" "$@" >"$tmp/out" 2>"$tmp/err"
   rc=$?
   cat "$tmp/out" "$tmp/err"
   [ $rc -eq 2 ] || fail "exit $rc, expected 2"
   grep -Eq '^convnet: vk[A-Za-z]+ failed: VK_[A-Z_]+ \(-?[0-9]+\)$' "$tmp/err" ||
      fail "stderr does not name the failing call and its VkResult"
   ;;
*)
   fail "unknown mode $mode"
   ;;
esac
echo PASS
