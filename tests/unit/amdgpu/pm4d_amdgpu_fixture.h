/* A probed fake device and one queue on it, for the memory, submission and hang tests. */
#ifndef PM4D_AMDGPU_FIXTURE_H
#define PM4D_AMDGPU_FIXTURE_H

#include "pm4d_amdgpu_device.h"
#include "pm4d_amdgpu_queue.h"

#define FIX_BRIDGE_FD  9
#define FIX_POOL_BYTES 65536u

struct fixture {
   struct pm4d_amdgpu_device *dev;
   struct pm4d_amdgpu_queue *q;
   struct pm4d_amdgpu_reason why;
};

/* rec_reset(), probe, queue with NORMAL priority and FIX_POOL_BYTES pools; false on failure. */
bool fixture_open(struct fixture *f);
/* Destroys both; true when the recorder saw everything released. */
bool fixture_close(struct fixture *f);
/* A batch whose IB is dwords of space just allocated in the queue (bytes 0 if that failed). */
struct pm4d_amdgpu_batch fixture_batch(struct fixture *f, uint64_t id, uint32_t dwords,
                                       uint64_t wait_point, uint64_t signal_point);

#endif
