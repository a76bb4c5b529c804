#!/usr/bin/env bash
# pm4direct end to end: for each GFX level, emit a conv2d dispatch of an embedded kernel,
# validate it (exit 0), decode it, then validate mutated copies (exit 1 with the reason) and
# a malformed file (exit 2).
set -u
tool=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

list=$("$tool" emit --list) || fail "emit --list failed"
echo "$list"
if ! grep -q '^pm4d_' <<<"$list"; then
  echo "SKIPPED: no embedded code objects in this build"
  exit 77
fi
for gfx in gfx9 gfx10.3 gfx11; do
  kernel=$(awk -v g="$gfx" '$3 == g { print $1; exit }' <<<"$list")
  [ -n "$kernel" ] || { echo "no kernel for $gfx"; continue; }
  "$tool" emit --gfx "$gfx" --kernel "$kernel" --grid 5,3,1 > "$work/s.txt" || fail "emit $gfx"
  grep -v '^# pm4direct target=' "$work/s.txt" | grep -qvE '^0x[0-9a-f]{8}$' &&
    fail "emit output is not a header and one hex dword per line"
  "$tool" validate --gfx "$gfx" "$work/s.txt" || fail "validate $gfx refused the emitted stream"
  "$tool" decode --gfx "$gfx" "$work/s.txt" > "$work/d.txt" || fail "decode $gfx"
  grep -q 'DISPATCH_DIRECT' "$work/d.txt" && grep -q 'COMPUTE_PGM_RSRC2' "$work/d.txt" &&
    grep -q 'RELEASE_MEM' "$work/d.txt" || fail "decode $gfx lacks packet or register names"
  # one dispatch is a batch's first: the head's ACQUIRE_MEM, then no barrier
  [ "$(grep -cE '^\[[0-9a-f]+\] [0-9a-f]{8} ACQUIRE_MEM' "$work/d.txt")" = 1 ] &&
    ! grep -qE '^\[[0-9a-f]+\] [0-9a-f]{8} EVENT_WRITE' "$work/d.txt" ||
    fail "emit $gfx: the stream's only dispatch carries a barrier"
  # zero the first grid dimension (the dword after the DISPATCH_DIRECT header)
  awk 'p { $0 = "0x00000000"; p = 0 } /^0xc0031502$/ { p = 1 } { print }' "$work/s.txt" > "$work/z.txt"
  out=$("$tool" validate --gfx "$gfx" "$work/z.txt"); rc=$?
  [ $rc -eq 1 ] && grep -q 'zero grid' <<<"$out" || fail "zero grid not refused ($rc: $out)"
  # the same stream validated as another level refuses (wrong programs / packet sizes)
  other=gfx11; [ "$gfx" = gfx11 ] && other=gfx9
  "$tool" validate --gfx "$other" "$work/s.txt" > /dev/null && fail "$gfx stream accepted as $other"
done
# Pipes: for every target emit --list prints, emit | validate - and emit | decode, no --gfx; the
# level comes from emit's header (gfx9/gfx10.3/gfx11 as --list's GFX column says).
targets=$(awk 'NR > 1 { print $2 " " $3 }' <<<"$list" | sort -u)
[ -n "$targets" ] || fail "emit --list printed no targets"
while read -r target level; do
  kernel=$(awk -v t="$target" '$2 == t { print $1; exit }' <<<"$list")
  out=$("$tool" emit --gfx "$target" --kernel "$kernel" --grid 2,2,1 | "$tool" validate -) ||
    fail "emit $target | validate -: $out"
  [[ "$out" == "(stdin): valid ("*", $level)" ]] ||
    fail "emit $target | validate -: '$out' (want level $level)"
  "$tool" emit --gfx "$target" --kernel "$kernel" --grid 2,2,1 | "$tool" decode > "$work/p.txt" ||
    fail "emit $target | decode"
  head -1 "$work/p.txt" | grep -q "^# (stdin), [0-9]* dwords, $level\$" && grep -q DISPATCH_DIRECT "$work/p.txt" ||
    fail "emit $target | decode: $(head -2 "$work/p.txt")"
  head -1 <("$tool" emit --gfx "$target" --kernel "$kernel" --grid 2,2,1) |
    grep -qx "# pm4direct target=$target kernel=$kernel grid=2,2,1" || fail "emit $target header"
done <<<"$targets"
# Every subcommand has --help with the formats, on stdout, exit 0.
for cmd in emit decode validate; do
  "$tool" $cmd --help | grep -q '# pm4direct target=TARGET kernel=NAME grid=X,Y,Z' ||
    fail "$cmd --help does not describe the stream format"
done
"$tool" stats --help | grep -q 'PM4DIRECT_STATS' || fail "stats --help"
"$tool" --help | grep -q 'COMMAND --help' || fail "pm4direct --help"
# A target --list does not print is refused (no stand-in of the same level).
for bogus in gfx900x gfx1035x gfx8; do
  grep -q " $bogus " <<<"$list" && continue
  "$tool" emit --gfx "$bogus" --kernel pm4d_conv2d_direct --grid 1,1,1 2>/dev/null && fail "emit --gfx $bogus accepted"
done
# A stream without the header needs --gfx: exit 2 with a message that says so.
grep -v '^#' "$work/s.txt" > "$work/nohdr.txt"
msg=$("$tool" validate "$work/nohdr.txt" 2>&1); [ $? -eq 2 ] && grep -q 'give --gfx' <<<"$msg" ||
  fail "headerless stream without --gfx: $msg"
echo "0xc0001000 zz" > "$work/bad.txt"
"$tool" validate --gfx gfx10.3 "$work/bad.txt"; [ $? -eq 2 ] || fail "malformed file did not exit 2"
"$tool" emit --gfx gfx10.3 --kernel nope --grid 1,1,1 && fail "unknown kernel accepted"
# --conv: the layer's choice. 7x7x512 -> 512 3x3 at batch 1 is 1 x 8 large tiles (49 of 128
# pixels, 64 of 512 channels): on 132 CUs the small tiles (1 x 32 of 64 x 16), without a CU
# count the large grid, which for a 3x3 stride-1 layer of at least 8 input channels is the
# Winograd kernel: 32 tiles of 2x2 outputs by 32 channels per workgroup, so 7x7 is 4 x 4 = 16
# tiles per image: batch 1 is 1 x 16 workgroups, batch 32 (512 tiles) 16 x 16.
"$tool" emit --gfx gfx10.3 --conv 1,512,7,7,512,3,3,1,1 --cus 132 > "$work/c.txt" 2> "$work/c.err" ||
  fail "emit --conv: $(cat "$work/c.err")"
grep -q 'pm4d_conv2d_3x3_small, grid 1,32,1$' "$work/c.err" || fail "--conv 132 CUs: $(cat "$work/c.err")"
"$tool" validate --gfx gfx10.3 "$work/c.txt" || fail "--conv stream refused"
"$tool" emit --gfx gfx10.3 --conv 1,512,7,7,512,3,3,1,1 2>&1 >/dev/null | grep -q 'pm4d_conv2d_3x3_wino, grid 1,16,1$' ||
  fail "--conv without a CU count"
"$tool" emit --gfx gfx10.3 --conv 32,512,7,7,512,3,3,1,1 --cus 132 2>&1 >/dev/null |
  grep -q 'pm4d_conv2d_3x3_wino, grid 16,16,1$' || fail "--conv batch 32"
"$tool" emit --gfx gfx10.3 --conv 1,2048,7,7,512,1,1,1,0 --cus 132 2>&1 >/dev/null |
  grep -q 'pm4d_conv2d_1x1_small, grid 1,32,1$' || fail "--conv 1x1"
"$tool" emit --gfx gfx10.3 --conv 1,3,2,2,4,3,3,1,0 2>/dev/null && fail "--conv: a filter larger than the input accepted"
"$tool" emit --gfx gfx10.3 --kernel pm4d_conv2d_direct --grid 0,1,1 && fail "zero grid emitted"
echo PASS
