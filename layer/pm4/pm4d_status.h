/* Result of the PM4 core's fallible functions; a reason string accompanies every failure. */
#ifndef PM4D_STATUS_H
#define PM4D_STATUS_H

enum pm4d_status {
   PM4D_OK = 0,
   PM4D_ERR_INVALID,  /* bad input: descriptor, grid, address, stream */
   PM4D_ERR_NO_SPACE, /* a buffer or reservation is too small */
   PM4D_ERR_TIMEOUT,  /* a deadline passed */
   PM4D_ERR_NOMEM,
};

/* A reason buffer that holds any of the core's failure reasons (pm4d_reason.h's convention). */
#define PM4D_PM4_REASON_MAX 128

const char *pm4d_status_name(enum pm4d_status s);

#endif
