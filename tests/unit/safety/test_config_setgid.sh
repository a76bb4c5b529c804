#!/usr/bin/env bash
# A real privileged process: the probe, setgid to a group that is not the caller's, run by an
# unprivileged user, gets AT_SECURE from the kernel; it must ignore every setting that names a
# file (one line saying so) and write nothing. The same binary without the setgid bit uses them.
# Needs root (to chgrp/chmod g+s and to switch to nobody). usage: test_config_setgid.sh PROBE
set -u
probe=$1
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root to make a setgid binary and run it as nobody"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIPPED: no setpriv (util-linux)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 0755 "$dir"
cp "$probe" "$dir/probe"
chgrp daemon "$dir/probe" && chmod 2755 "$dir/probe" || { echo "SKIPPED: cannot make a setgid binary here"; exit 77; }
mkdir -m 0777 "$dir/out"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

as_nobody env PM4DIRECT_STATS="$dir/out/stats.json" PM4DIRECT_DIAG_DIR="$dir/out/diag" \
  PM4DIRECT_SHADER_TABLE=/etc/shadow PM4DIRECT_KILL_FILE=/root/k PM4DIRECT_DEADLINE_MS=250 \
  "$dir/probe" write >"$dir/setgid.out" 2>"$dir/setgid.err" || { cat "$dir"/setgid.*; fail "probe exited $?"; }
grep -q '^secure=1 stats= diag_dir= shader_table= kill_file= deadline_ms=250$' "$dir/setgid.out" ||
  { cat "$dir"/setgid.*; fail "setgid run used a file setting or missed AT_SECURE"; }
[ "$(grep -c 'setuid/setgid process: ignoring PM4DIRECT_STATS, PM4DIRECT_KILL_FILE, PM4DIRECT_DIAG_DIR, PM4DIRECT_SHADER_TABLE ' "$dir/setgid.err")" = 1 ] ||
  { cat "$dir"/setgid.*; fail "not one line naming the ignored settings"; }
[ -z "$(ls -A "$dir/out")" ] || fail "the setgid run wrote $(ls "$dir/out")"

# Control: the same binary without setgid uses the settings and writes the stats file.
chmod 0755 "$dir/probe"
as_nobody env PM4DIRECT_STATS="$dir/out/stats.json" "$dir/probe" write >"$dir/plain.out" 2>&1 ||
  { cat "$dir/plain.out"; fail "plain run exited $?"; }
grep -q "^secure=0 stats=$dir/out/stats.json " "$dir/plain.out" || { cat "$dir/plain.out"; fail "plain run"; }
[ -f "$dir/out/stats.json" ] || fail "plain run wrote no stats"
echo "PASS: setgid run (AT_SECURE) ignored 4 file settings and wrote nothing; plain run wrote stats"
