#!/usr/bin/env bash
# check_ggml_entries.sh LIBGGML_VULKAN_SO PM4D_GGML_SPIRV_INFO PM4D_SPIRV_INFO KNOWN_SHADERS_TXT
# Every conv2d_mm.comp build embedded in ggml's library (conv2d_* and conv_transpose_2d_*) must
# have its fingerprint in the shipped table under the name ggml_<symbol without _data>.
set -euo pipefail
lib=$1 script=$2 info=$3 table=$4
if [ ! -f "$lib" ]; then
  echo "SKIPPED: $lib not installed (scripts/install-ggml)"
  exit 77
fi
n=0 bad=0
while read -r name fp; do
  n=$((n + 1))
  want="ggml_${name%_data}"
  if grep -Eq "^shader $fp $want( |\$)" "$table"; then
    echo "ok   $want $fp"
  else
    echo "MISSING: $want $fp not in $table"
    bad=$((bad + 1))
  fi
done < <("$script" "$lib" "$info" | awk '/^== / { name = $2 } /^fingerprint / { print name, $2 }')
echo "$n modules, $bad missing"
[ "$n" -eq 16 ] && [ "$bad" -eq 0 ]
