/* Decoder: prints a stream packet by packet with register and field names. */
#ifndef PM4D_DECODE_H
#define PM4D_DECODE_H

#include <stdint.h>
#include <stdio.h>

#include "pm4d_gfx.h"
#include "pm4d_status.h"

/* Prints every packet; on a bad header prints the reason and returns PM4D_ERR_INVALID. */
enum pm4d_status pm4d_decode(enum pm4d_gfx_level level, const uint32_t *dw, uint32_t ndw,
                             FILE *out);

#endif
