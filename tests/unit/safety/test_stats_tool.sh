#!/usr/bin/env bash
# pm4direct stats on a file written by the layer's own stats writer: policies, latencies with
# p50/p99, non-zero counters by group and no zero ones; refusals of non-stats input (exit 2).
set -u
tool=$1 writer=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$writer" --write-sample "$work/stats.json" || fail "could not write the sample"
out=$("$tool" stats "$work/stats.json") || fail "stats exited $?"
echo "$out"
grep -q '^mode: enabled; 1 live instances, 1 live devices$' <<<"$out" || fail "mode line"
grep -q '^auto-disable: not tripped (window 100 batches, threshold 95.00 %; 9 batches ok, 1 failed)$' \
  <<<"$out" || fail "auto-disable line"
# 1..100 us: p50 near 50 us, p99 near 99 us (a bucket is at most 12.5 % wide).
line=$(grep '^  submit_to_kick ' <<<"$out") || fail "no submit_to_kick row"
read -r _ count mean mu p50 pu p99 qu max xu <<<"$line"
[ "$count" = 100 ] && [ "$max" = "100.0" ] && [ "$xu" = us ] || fail "row: $line"
awk -v a="$p50" -v b="$p99" 'BEGIN { exit !(a > 45 && a < 56 && b > 88 && b <= 100) }' ||
  fail "p50 $p50 / p99 $p99"
grep -q '^  kick_to_fence  *0$' <<<"$out" || fail "empty histogram row"
grep -A2 '^Vulkan entry points$' <<<"$out" | grep -q 'vkCmdDispatch  *42$' || fail "vk group"
grep -A1 '^redirect$' <<<"$out" | grep -q 'dispatch_tracked  *40$' || fail "redirect group"
grep -q 'vkCreateInstance' <<<"$out" && fail "a zero counter was printed"

echo '{"counters": 3}' > "$work/bad.json"
"$tool" stats "$work/bad.json" 2> "$work/err"; [ $? = 2 ] || fail "non-stats JSON accepted"
grep -q 'not a pm4direct stats file' "$work/err" || fail "reason: $(cat "$work/err")"
printf '{"counters": {"a": 1,}' > "$work/broken.json"
"$tool" stats "$work/broken.json" 2> "$work/err"; [ $? = 2 ] || fail "broken JSON accepted"
grep -q 'not JSON: line 1' "$work/err" || fail "reason: $(cat "$work/err")"
"$tool" stats "$work/missing.json" 2>/dev/null; [ $? = 2 ] || fail "missing file accepted"
echo "pm4direct stats: all checks passed"
