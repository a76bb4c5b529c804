/* A probed fake device, one queue on it and a ring pool of the caller's (as the direct path's
 * ring), for the memory, submission and reset tests. */
#ifndef PM4D_AMDGPU_FIXTURE_H
#define PM4D_AMDGPU_FIXTURE_H

#include "pm4d_amdgpu_device.h"
#include "pm4d_amdgpu_queue.h"

#define FIX_BRIDGE_FD  9
#define FIX_POOL_BYTES 65536u

struct fixture {
   struct pm4d_amdgpu_device *dev;
   struct pm4d_amdgpu_queue *q;
   struct pm4d_amdgpu_pool ring; /* FIX_POOL_BYTES, readable and writable */
   const struct pm4d_amdgpu_pool *pools[1];
   char why[PM4D_AMDGPU_REASON_MAX];
};

/* rec_reset(), probe, queue with NORMAL priority, the ring pool; false on failure. */
bool fixture_open(struct fixture *f);
/* Destroys all three; true when the recorder saw everything released. */
bool fixture_close(struct fixture *f);
/* A batch whose IB is the next dwords of the ring pool (bytes 0 if they do not fit). */
struct pm4d_amdgpu_batch fixture_batch(struct fixture *f, uint64_t id, uint32_t dwords,
                                       uint64_t wait_point, uint64_t signal_point);

#endif
