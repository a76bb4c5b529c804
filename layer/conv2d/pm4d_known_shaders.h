/* known_shaders.txt, embedded at build time by pm4d_embed_text.cmake. */
#ifndef PM4D_KNOWN_SHADERS_H
#define PM4D_KNOWN_SHADERS_H

#include <stddef.h>

extern const char pm4d_known_shaders_text[];
extern const size_t pm4d_known_shaders_size;

#endif
