#!/usr/bin/env bash
# `pm4direct selftest` as a user runs it: its exit status, and a report that holds every part a
# bug report needs (machine and versions, GPU and driver, back end, checks, both timings
# labelled with where they ran, the layer's counters, the injected hang with its method and its
# recovery, the decoded PM4 of a batch).
#   pass            exit 0, verdict PASS, every part present
#   fail PATTERN    exit 1, verdict FAIL, a [FAIL] line matching PATTERN (grep -E)
#   usage           exit 2 with one reason for a bad option, a missing helper and no Vulkan
#                   device, and no temporary directory left behind
# usage: pm4d_e2e_selftest.sh WORKDIR PM4DIRECT pass|fail [PATTERN]|usage [selftest options...]
source "$(dirname "$0")/../unit/vk/pm4d_vk_test_lib.sh"
tool=$1 expect=$2
shift 2
pattern=
if [ "$expect" = fail ]; then
  pattern=$1
  shift
fi
rm -rf "${work:?}"/*
if [ "$expect" = usage ]; then
  mkdir -p "$work/tmp"
  refused() { # $1 = what the message must say, then the environment and options
    local want=$1
    shift
    env TMPDIR="$work/tmp" "$@" >"$work/usage.log" 2>&1
    local rc=$?
    [ $rc -eq 2 ] || { cat "$work/usage.log"; fail "exit $rc for $*, want 2"; }
    grep -q -- "$want" "$work/usage.log" || { cat "$work/usage.log"; fail "no '$want' for $*"; }
  }
  refused 'bad option or value: --size 0' "$tool" selftest --size 0
  refused 'bad option or value: --hang bogus' "$tool" selftest --hang bogus
  refused 'no helper program at /nonexistent' "$tool" selftest --app /nonexistent
  refused 'found no Vulkan device' VK_ICD_FILENAMES=/nonexistent.json "$tool" selftest
  [ -z "$(ls -A "$work/tmp")" ] || fail "left behind: $(ls "$work/tmp")"
  echo "PASS: bad option, missing helper and no device: exit 2, each said, nothing left behind"
  exit 0
fi
report=$work/report.txt
"$tool" selftest --work "$work/st" --out "$report" "$@" >"$work/selftest.log" 2>&1
rc=$?
if [ -f "$work/st/layer.log" ] && [ -z "${VGPU_PROFILE:-}" ]; then
  skip_if_pass_through "$work/st/layer.log"
fi
[ -s "$report" ] || { cat "$work/selftest.log"; fail "no report (exit $rc)"; }
need() { grep -qE -- "$1" "$report" || { cat "$report"; fail "the report has no line matching '$1'"; }; }
if [ "$expect" = fail ]; then
  [ $rc -eq 1 ] || { cat "$report"; fail "exit $rc, want 1"; }
  need '^verdict: FAIL'
  need "^\[FAIL\] .*$pattern"
  echo "PASS: the selftest failed as it must: $(grep -E "^\[FAIL\] .*$pattern" "$report" | head -1)"
  exit 0
fi
[ $rc -eq 0 ] || { cat "$report"; fail "exit $rc, want 0"; }
need '^verdict: PASS$'
need '^kernel: Linux '
need '^DRM: '
need '^libdrm: pm4direct built against libdrm_amdgpu [0-9]'
need '^GPU: .+'
need '^target: gfx[0-9]'
need '^Vulkan driver: .*Mesa [0-9]+\.[0-9]+'
need '^driver alone ran on: (lavapipe|vgpu|AMD)'
need 'back end: (sim|amdgpu); direct work ran on: (sim|vgpu|AMD hardware)'
need '^\[PASS\] every conv2d ran direct'
need '^\[PASS\] under the layer: exit 0, output against the CPU reference'
[ "$(grep -cE 'submit to fence: [0-9.]+ ms per inference \(median; ran on (lavapipe|sim|vgpu|AMD)' "$report")" -ge 2 ] ||
  { cat "$report"; fail "not two labelled submit-to-fence figures"; }
need '^== What ran direct, what fell back and why'
need '^  dispatches_redirected +[1-9]'
need '^== Injected hang and recovery'
case " $* " in
*" --hang none "*) need '^\[NOTE\] no hang injected' ;;
*)
  need '^method: (vgpu|sim|deadline): '
  need '^\[PASS\] hang \((vgpu|sim|deadline)\): declared'
  need '^\[PASS\] hang \((vgpu|sim|deadline)\): every conv2d ran exactly once'
  ;;
esac
need '^== Decoded PM4 of one batch'
need 'DISPATCH_DIRECT'
need 'COMPUTE_PGM_LO'
echo "PASS: $(grep -c '^\[PASS\]' "$report") checks passed; $(grep '^method: ' "$report" | cut -c1-60)..."
