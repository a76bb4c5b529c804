/* Submission as the kernel would see it (include/uapi/drm/amdgpu_drm.h, as Debian installs it
 * in /usr/include/libdrm/amdgpu_drm.h): chunk ids and layout, the BO list (every BO the batch
 * touches, the caller's pools included, each once), the bridge syncobj handle and points, the
 * IB inside one of the caller's pools and within the kernel's size limit; contexts and
 * priorities. */
#include <errno.h>
#include <string.h>

#include "pm4d_amdgpu_fixture.h"
#include "pm4d_check.h"
#include "pm4d_drm_recorder.h"

static void test_queue_create(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   /* The bridge's opaque fd becomes a handle on the device's shared fd, not on a node we
    * opened ourselves. */
   CHECK(rec.fd_to_handle_fd == REC_DEVICE_FD && rec.fd_to_handle_obj_fd == FIX_BRIDGE_FD);
   CHECK(rec.ctx_create_count == 1 && rec.ctx_priorities[0] == AMDGPU_CTX_PRIORITY_NORMAL);
   CHECK(fixture_close(&f));
   CHECK(rec.syncobj_destroyed == REC_BRIDGE_HANDLE && rec.ctx_free_count == 1);

   /* A high priority the process may not have falls back to NORMAL. */
   rec_reset();
   struct pm4d_amdgpu_device *dev;
   struct pm4d_amdgpu_queue *q;
   struct pm4d_pci_addr addr = {.bus = 3};
   CHECK(pm4d_amdgpu_device_probe(rec_ops(), addr, &dev, NULL, 0) == PM4D_AMDGPU_OK);
   rec.ctx_create_high_result = -EACCES;
   struct pm4d_amdgpu_queue_desc desc = {.priority = AMDGPU_CTX_PRIORITY_HIGH, .bridge_fd = 4};
   CHECK(pm4d_amdgpu_queue_create(dev, &desc, &q, NULL, 0) == PM4D_AMDGPU_OK);
   CHECK(rec.ctx_create_count == 2);
   CHECK((int32_t)rec.ctx_priorities[0] == AMDGPU_CTX_PRIORITY_HIGH);
   CHECK((int32_t)rec.ctx_priorities[1] == AMDGPU_CTX_PRIORITY_NORMAL);
   pm4d_amdgpu_queue_destroy(q);

   /* Bad descriptions fail cleanly. */
   desc.bridge_fd = -1;
   CHECK(pm4d_amdgpu_queue_create(dev, &desc, &q, NULL, 0) == PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(q == NULL);
   pm4d_amdgpu_device_destroy(dev);
   CHECK(rec_all_released());
}

static void test_submit_layout(void)
{
   struct fixture f;
   uint64_t seq = 0;
   CHECK(fixture_open(&f));
   uint32_t code_kms = pm4d_amdgpu_device_code_handle(f.dev);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xA, 5, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xB, 6, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   uint64_t ib_base = rec.va_ops[1].addr;

   struct pm4d_amdgpu_batch first = fixture_batch(&f, 6, 8, 0, 1); /* not submitted */
   CHECK(first.ib_bytes == 32);
   struct pm4d_amdgpu_batch b = fixture_batch(&f, 7, 16, 3, 4);
   const uint64_t keys[] = {0xA, 0xB, 0xA}; /* input and output in one memory: listed once */
   b.buffers = keys;
   b.buffer_count = 3;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, &seq, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(seq == 1);
   CHECK(rec.submit_count == 1);
   const struct rec_submit *s = &rec.submits[0];
   CHECK(s->bo_list_handle == 0); /* the list travels as a chunk */
   CHECK(s->num_chunks == 4);
   CHECK(s->chunks[0].chunk_id == AMDGPU_CHUNK_ID_IB && s->chunks[0].length_dw == 8);
   CHECK(s->chunks[1].chunk_id == AMDGPU_CHUNK_ID_BO_HANDLES && s->chunks[1].length_dw == 6);
   CHECK(s->chunks[2].chunk_id == AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT &&
         s->chunks[2].length_dw == 4);
   CHECK(s->chunks[3].chunk_id == AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL &&
         s->chunks[3].length_dw == 4);

   /* IB: the compute ring, at the address we were given, after the first batch's. */
   CHECK(s->ib.ip_type == AMDGPU_HW_IP_COMPUTE && s->ib.ip_instance == 0 && s->ib.ring == 0);
   CHECK(s->ib.flags == 0 && s->ib._pad == 0);
   CHECK(s->ib.va_start == ib_base + 32 && s->ib.ib_bytes == 64);
   CHECK(s->ib.va_start >= ib_base && s->ib.va_start + s->ib.ib_bytes <= ib_base + FIX_POOL_BYTES);

   /* BO list: code pool, the ring, then each imported buffer once. */
   CHECK(s->bo_in.bo_number == 4 && s->bo_in.bo_info_size == 8);
   CHECK(s->bos[0].bo_handle == code_kms && code_kms == 1); /* kms handles in alloc order */
   CHECK(s->bos[1].bo_handle == f.ring.kms_handle && f.ring.kms_handle == 2);
   CHECK(s->bos[2].bo_handle == REC_IMPORT_KMS_BASE + 5);
   CHECK(s->bos[3].bo_handle == REC_IMPORT_KMS_BASE + 6);
   CHECK(rec_bo_list_is_live_set(s)); /* every BO there is, each once */
   for (int i = 0; i < 4; i++)
      CHECK(s->bos[i].bo_priority == 0);

   /* The bridge: wait for 3 (even if not yet submitted), signal 4. */
   CHECK(s->wait.handle == REC_BRIDGE_HANDLE && s->wait.point == 3);
   CHECK(s->wait.flags == DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT);
   CHECK(s->signal.handle == REC_BRIDGE_HANDLE && s->signal.point == 4 && s->signal.flags == 0);

   /* No wait point: no wait chunk. */
   b = fixture_batch(&f, 8, 4, 0, 5);
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   s = &rec.submits[1];
   CHECK(s->num_chunks == 3 && !s->has_wait && s->has_ib && s->has_bos && s->has_signal);
   CHECK(s->bo_in.bo_number == 2);
   CHECK(s->signal.point == 5 && s->ctx_id == 1 && rec.submits[0].ctx_id == 1);
   CHECK(fixture_close(&f));
}

/* A queue sends its last BO list again for a batch of the same pools and buffers only while
 * the device's imports are unchanged: a key forgotten since is refused, and one imported again
 * from another dma-buf is listed with its new handle (the recorder hands out
 * REC_IMPORT_KMS_BASE + fd), never the freed one. */
static void test_submit_kept_list(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xA, 5, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xB, 6, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   const uint64_t keys[] = {0xA, 0xB};
   uint64_t point = 1;
   for (int i = 0; i < 2; i++) {
      struct pm4d_amdgpu_batch b = fixture_batch(&f, point, 8, 0, point);
      point++;
      b.buffers = keys;
      b.buffer_count = 2;
      CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
      const struct rec_submit *s = &rec.submits[i];
      CHECK(s->bo_in.bo_number == 4 && s->bos[2].bo_handle == REC_IMPORT_KMS_BASE + 5 &&
            s->bos[3].bo_handle == REC_IMPORT_KMS_BASE + 6);
   }
   pm4d_amdgpu_device_forget(f.dev, 0xB);
   struct pm4d_amdgpu_batch b = fixture_batch(&f, point, 8, 0, point);
   point++;
   b.buffers = keys;
   b.buffer_count = 2;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(strstr(f.why, "not imported") != NULL && rec.submit_count == 2);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xB, 7, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   b = fixture_batch(&f, point, 8, 0, point);
   b.buffers = keys;
   b.buffer_count = 2;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   const struct rec_submit *s = &rec.submits[2];
   CHECK(s->bo_in.bo_number == 4 && s->bos[3].bo_handle == REC_IMPORT_KMS_BASE + 7);
   CHECK(rec_bo_list_is_live_set(s));
   CHECK(fixture_close(&f));
}

static void test_submit_refusals(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   struct pm4d_amdgpu_batch good = fixture_batch(&f, 1, 4, 0, 10);
   struct pm4d_amdgpu_batch b;

   b = good;
   b.ib_va = 0x1000; /* not in the pool */
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(strstr(f.why, "inside one of the batch's pools") != NULL);
   b = good;
   b.ib_bytes = 6;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   b = good;
   b.ib_bytes = 0;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   b = good;
   b.ib_va += 2;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   b = good;
   b.ib_bytes = FIX_POOL_BYTES + 4;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   b = good;
   b.wait_point = 10; /* waiting on its own signal would never run */
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   const uint64_t unknown = 0x77;
   b = good;
   b.buffers = &unknown;
   b.buffer_count = 1;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(strstr(f.why, "not imported") != NULL);
   b = good;
   b.buffer_count = PM4D_AMDGPU_MAX_BUFFERS + 1;
   b.buffers = &unknown;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(rec.submit_count == 0);

   CHECK(pm4d_amdgpu_queue_submit(f.q, &good, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   b = good; /* signal points only grow */
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);

   /* The kernel refusing: a reset context is a hang, memory pressure (the BO list not resident
    * now, amdgpu_cs.c amdgpu_cs_ioctl -ENOMEM) back pressure, anything else an error. */
   rec.submit_result = -ECANCELED;
   b = good;
   b.signal_point = 11;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_HANG);
   rec.submit_result = -ENOMEM;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_POOL_FULL);
   rec.submit_result = -EINVAL;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_DRM_ERROR);
   CHECK(strstr(f.why, "amdgpu_cs_submit_raw2") != NULL);
   rec.submit_result = 0;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_OK); /* 11 still free */
   CHECK(fixture_close(&f));
}

/* A batch built in the caller's own pools (its ring, kernargs, fence), as the direct path does:
 * the IB runs from the caller's ring, every pool is in the BO list exactly once (a pool named
 * twice too), next to the code pool and the import; nothing else is. */
static void test_submit_caller_pools(void)
{
   struct fixture f;
   struct pm4d_amdgpu_pool ring, kernargs, fence, big;
   const uint64_t rw = AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE;
   CHECK(fixture_open(&f));
   amdgpu_device_handle h = pm4d_amdgpu_device_handle(f.dev);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xA, 5, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_pool_create(rec_ops(), h, FIX_POOL_BYTES, rw, &ring, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_pool_create(rec_ops(), h, 4096, rw, &kernargs, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_pool_create(rec_ops(), h, 4096, rw, &fence, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_OK);
   /* Room for one dword more than an IB may hold (4 MiB). */
   const uint64_t big_bytes = ((uint64_t)PM4D_AMDGPU_IB_MAX_DW + 1) * 4;
   CHECK(pm4d_amdgpu_pool_create(rec_ops(), h, big_bytes, rw, &big, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_OK);

   const struct pm4d_amdgpu_pool *pools[] = {&ring, &kernargs, &fence, &ring};
   const uint64_t keys[] = {0xA, 0xA};
   struct pm4d_amdgpu_batch b = {.id = 1,
                                 .ib_va = ring.va + 64,
                                 .ib_bytes = 128,
                                 .buffers = keys,
                                 .buffer_count = 2,
                                 .pools = pools,
                                 .pool_count = 4,
                                 .signal_point = 1};
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(rec.submit_count == 1);
   const struct rec_submit *s = &rec.submits[0];
   CHECK(s->ib.va_start == ring.va + 64 && s->ib.ib_bytes == 128);
   /* code pool, ring, kernargs, fence, import: 5, each once */
   CHECK(s->bo_in.bo_number == 5);
   CHECK(rec_bo_count(s, pm4d_amdgpu_device_code_handle(f.dev)) == 1);
   CHECK(rec_bo_count(s, ring.kms_handle) == 1 && rec_bo_count(s, kernargs.kms_handle) == 1 &&
         rec_bo_count(s, fence.kms_handle) == 1);
   CHECK(rec_bo_count(s, REC_IMPORT_KMS_BASE + 5) == 1);
   CHECK(rec_bo_count(s, big.kms_handle) == 0); /* not the batch's */

   /* Refused: an IB leaving its pool, in no pool, too many pools, a pool list missing. */
   b.signal_point = 2;
   b.ib_va = ring.va + FIX_POOL_BYTES - 4, b.ib_bytes = 8;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   b.ib_va = big.va, b.ib_bytes = 8;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(strstr(f.why, "the batch's pools") != NULL);
   b.ib_va = ring.va, b.pool_count = PM4D_AMDGPU_MAX_POOLS + 1;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   b.pools = NULL, b.pool_count = 1;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);

   /* The IB size limit: the 20-bit IB_SIZE of the kernel's INDIRECT_BUFFER packet. */
   const struct pm4d_amdgpu_pool *bigp = &big;
   b.pools = &bigp, b.pool_count = 1, b.ib_va = big.va;
   b.ib_bytes = (PM4D_AMDGPU_IB_MAX_DW + 1) * 4;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(strstr(f.why, "1048575 dwords") != NULL);
   CHECK(rec.submit_count == 1);
   b.ib_bytes = PM4D_AMDGPU_IB_MAX_DW * 4;
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(rec.submit_count == 2 && rec.submits[1].ib.ib_bytes == PM4D_AMDGPU_IB_MAX_DW * 4);
   CHECK(rec.submits[1].bo_in.bo_number == 3); /* code pool, big, the import */
   CHECK(rec_bo_count(&rec.submits[1], big.kms_handle) == 1);

   pm4d_amdgpu_pool_destroy(&big);
   pm4d_amdgpu_pool_destroy(&fence);
   pm4d_amdgpu_pool_destroy(&kernargs);
   pm4d_amdgpu_pool_destroy(&ring);
   CHECK(fixture_close(&f));
}

/* One queue's point, as the direct path's submitting thread asks. */
static bool submitted(struct pm4d_amdgpu_queue *q, uint64_t point, uint64_t deadline_ns)
{
   return pm4d_amdgpu_queue_point_submitted(&q, &point, 1, deadline_ns);
}

/* Whether the driver's submission that signals a point is in the kernel yet: a timeline wait
 * on the bridge for a fence attached at the point, not for its signal. */
static void test_point_submitted(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   /* Nothing attached at 3 yet (RADV's submit thread still holds the link): not submitted. */
   CHECK(!submitted(f.q, 3, 123456789));
   CHECK(rec.wait_count == 1);
   CHECK(rec.waits[0].fd == REC_DEVICE_FD && rec.waits[0].handle == REC_BRIDGE_HANDLE);
   CHECK(rec.waits[0].point == 3 && rec.waits[0].timeout == 123456789);
   /* drm.h: DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT (1 << 1) | WAIT_AVAILABLE (1 << 2). */
   CHECK(rec.waits[0].flags == ((1u << 1) | (1u << 2)));
   /* Submitted but not signalled: enough (a wait for the signal would say no here). */
   rec.timeline_submitted = 3;
   CHECK(submitted(f.q, 3, 1));
   CHECK(!submitted(f.q, 4, 1));
   /* A deadline past INT64_MAX is the longest wait the ioctl takes, not a negative one. */
   CHECK(submitted(f.q, 2, UINT64_MAX));
   CHECK(rec.wait_count == 4 && rec.waits[3].timeout == INT64_MAX);
   CHECK(fixture_close(&f));
}

int main(void)
{
   test_queue_create();
   test_submit_layout();
   test_submit_kept_list();
   test_submit_refusals();
   test_submit_caller_pools();
   test_point_submitted();
   return pm4d_check_finish("amdgpu_submit");
}
