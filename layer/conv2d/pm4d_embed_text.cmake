# cmake -DIN=file.txt -DOUT=file.c -DSYMBOL=name -P pm4d_embed_text.cmake
# Writes a C file defining `const char SYMBOL_text[]` (NUL-terminated) and `SYMBOL_size`.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN}; do not edit. */\n#include <stddef.h>\n"
  "const char ${SYMBOL}_text[] = {${bytes}0};\n"
  "const size_t ${SYMBOL}_size = sizeof(${SYMBOL}_text) - 1;\n")
file(RENAME "${OUT}.tmp" "${OUT}")
