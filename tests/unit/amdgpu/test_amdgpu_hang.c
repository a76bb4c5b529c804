/* Hang detection (deadline from when a batch can run; reset flags) and recovery (settle, new
 * context, which batches to re-run, VRAM lost told apart). */
#include <errno.h>
#include <string.h>

#include "pm4d_amdgpu_fixture.h"
#include "pm4d_check.h"
#include "pm4d_drm_recorder.h"

#define MS 1000000ull

static void submit(struct fixture *f, uint64_t id, uint64_t wait, uint64_t signal,
                   uint64_t deadline_ns)
{
   struct pm4d_amdgpu_batch b = fixture_batch(f, id, 8, wait, signal);
   b.deadline_ns = deadline_ns;
   CHECK(pm4d_amdgpu_queue_submit(f->q, &b, NULL, &f->why) == PM4D_AMDGPU_OK);
}

static void test_deadline(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   CHECK(pm4d_amdgpu_queue_check(f.q, 1000 * MS, &f.why) == PM4D_AMDGPU_OK); /* idle */

   submit(&f, 7, 0, 1, 200 * MS);
   CHECK(pm4d_amdgpu_queue_check(f.q, 1000 * MS, &f.why) == PM4D_AMDGPU_OK); /* clock starts */
   CHECK(pm4d_amdgpu_queue_check(f.q, 1199 * MS, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_queue_check(f.q, 1201 * MS, &f.why) == PM4D_AMDGPU_HANG);
   CHECK(strstr(f.why.text, "batch 7 missed its deadline") != NULL);
   CHECK(rec.query_count == 4);

   /* It completes after all: retired, no hang any more. */
   rec.timeline_value = 1;
   CHECK(pm4d_amdgpu_queue_check(f.q, 5000 * MS, &f.why) == PM4D_AMDGPU_OK);

   /* A batch waiting on the driver's segment (point 5) is not on the clock until point 5. */
   submit(&f, 8, 5, 6, 200 * MS);
   rec.timeline_value = 4;
   CHECK(pm4d_amdgpu_queue_check(f.q, 6000 * MS, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_queue_check(f.q, 60000 * MS, &f.why) == PM4D_AMDGPU_OK);
   rec.timeline_value = 5;
   CHECK(pm4d_amdgpu_queue_check(f.q, 61000 * MS, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_queue_check(f.q, 61150 * MS, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_queue_check(f.q, 61250 * MS, &f.why) == PM4D_AMDGPU_HANG);
   CHECK(strstr(f.why.text, "batch 8") != NULL);

   /* The next batch's clock starts when the one before it retires, not at submission. */
   submit(&f, 9, 0, 7, 100 * MS);
   rec.timeline_value = 6;
   CHECK(pm4d_amdgpu_queue_check(f.q, 70000 * MS, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_queue_check(f.q, 70090 * MS, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_queue_check(f.q, 70101 * MS, &f.why) == PM4D_AMDGPU_HANG);
   rec.timeline_value = 7;
   CHECK(fixture_close(&f));
}

static void test_reset_flags(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET;
   CHECK(pm4d_amdgpu_queue_check(f.q, 0, &f.why) == PM4D_AMDGPU_HANG);
   CHECK(strstr(f.why.text, "another context") != NULL);
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_GUILTY;
   CHECK(pm4d_amdgpu_queue_check(f.q, 0, &f.why) == PM4D_AMDGPU_HANG);
   CHECK(strstr(f.why.text, "guilty") != NULL);
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_VRAMLOST;
   CHECK(pm4d_amdgpu_queue_check(f.q, 0, &f.why) == PM4D_AMDGPU_VRAM_LOST);
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RAS_CE; /* corrected RAS error: not a hang */
   CHECK(pm4d_amdgpu_queue_check(f.q, 0, &f.why) == PM4D_AMDGPU_OK);
   CHECK(fixture_close(&f));
}

static void test_recover_waits_for_old_work(void)
{
   struct fixture f;
   struct pm4d_amdgpu_recovery r;
   CHECK(fixture_open(&f));
   submit(&f, 7, 0, 1, 100 * MS);
   CHECK(pm4d_amdgpu_queue_check(f.q, 0, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_queue_check(f.q, 101 * MS, &f.why) == PM4D_AMDGPU_HANG);

   /* Still running and the kernel has not reset: nothing may be re-run, nothing changes. */
   rec.wait_times_out = true;
   CHECK(pm4d_amdgpu_queue_recover(f.q, 5000 * MS, &r, &f.why) == PM4D_AMDGPU_BUSY);
   CHECK(rec.waits[0].point == 1 && rec.waits[0].timeout == (int64_t)(5000 * MS));
   CHECK(rec.ctx_create_count == 1 && rec.ctx_free_count == 0 && r.rerun_count == 0);

   /* It finished late, no reset: new context, nothing to re-run. */
   rec.wait_times_out = false;
   CHECK(pm4d_amdgpu_queue_recover(f.q, 6000 * MS, &r, &f.why) == PM4D_AMDGPU_OK);
   CHECK(r.rerun_count == 0 && !r.reset && !r.guilty && !r.vram_lost);
   CHECK(rec.ctx_create_count == 2 && rec.ctx_free_count == 1 && rec.ctxs_live == 1);
   submit(&f, 8, 0, 2, 100 * MS);
   CHECK(rec.submits[0].ctx_id == 1 && rec.submits[1].ctx_id == 2);
   CHECK(pm4d_amdgpu_queue_check(f.q, 7000 * MS, &f.why) == PM4D_AMDGPU_OK);
   CHECK(fixture_close(&f));
}

static void test_recover_after_reset(void)
{
   struct fixture f;
   struct pm4d_amdgpu_recovery r;
   CHECK(fixture_open(&f));
   submit(&f, 11, 0, 1, 100 * MS);
   submit(&f, 12, 0, 2, 100 * MS);
   submit(&f, 13, 0, 3, 100 * MS);
   rec.timeline_value = 1; /* 11 seen done before the reset */
   CHECK(pm4d_amdgpu_queue_check(f.q, 0, &f.why) == PM4D_AMDGPU_OK);
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_GUILTY;
   CHECK(pm4d_amdgpu_queue_check(f.q, 1, &f.why) == PM4D_AMDGPU_HANG);

   CHECK(pm4d_amdgpu_queue_recover(f.q, 1000 * MS, &r, &f.why) == PM4D_AMDGPU_OK);
   CHECK(rec.wait_count == 1 && rec.waits[0].point == 3); /* settled up to the newest */
   CHECK(r.reset && r.guilty && !r.vram_lost);
   CHECK(r.rerun_count == 2 && r.rerun[0] == 12 && r.rerun[1] == 13);
   CHECK(rec.ctx_free_count == 1 && rec.ctxs_live == 1 && rec.ctx_create_count == 2);

   /* The new context is clean; the pools are whole again. */
   rec.reset_flags = 0;
   CHECK(pm4d_amdgpu_queue_check(f.q, 2, &f.why) == PM4D_AMDGPU_OK);
   struct pm4d_amdgpu_span s;
   CHECK(pm4d_amdgpu_queue_alloc_ib(f.q, (FIX_POOL_BYTES - 96) / 4, &s, &f.why) == PM4D_AMDGPU_OK);
   /* The first 96 bytes held the three dead batches' IBs: free again. */
   CHECK(pm4d_amdgpu_queue_alloc_ib(f.q, 24, &s, &f.why) == PM4D_AMDGPU_OK);
   CHECK(s.va == rec.va_ops[1].addr);
   struct pm4d_amdgpu_batch b = {.id = 14, .ib_va = s.va, .ib_bytes = 96, .signal_point = 4};
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, &f.why) == PM4D_AMDGPU_OK);
   CHECK(rec.submits[2].ctx_id == 1 && rec.submits[3].ctx_id == 2);
   CHECK(fixture_close(&f));
}

static void test_recover_vram_lost(void)
{
   struct fixture f;
   struct pm4d_amdgpu_recovery r;
   CHECK(fixture_open(&f));
   submit(&f, 21, 0, 1, 100 * MS);
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_VRAMLOST;
   CHECK(pm4d_amdgpu_queue_check(f.q, 0, &f.why) == PM4D_AMDGPU_VRAM_LOST);
   CHECK(pm4d_amdgpu_queue_recover(f.q, 1000 * MS, &r, &f.why) == PM4D_AMDGPU_VRAM_LOST);
   CHECK(r.vram_lost && r.reset && !r.guilty);
   CHECK(r.rerun_count == 1 && r.rerun[0] == 21);
   CHECK(strstr(f.why.text, "VK_ERROR_DEVICE_LOST") != NULL);
   CHECK(rec.ctxs_live == 1 && rec.ctx_create_count == 2);

   CHECK(fixture_close(&f));
}

static void test_recover_without_context(void)
{
   struct fixture f;
   struct pm4d_amdgpu_recovery r;
   CHECK(fixture_open(&f));
   submit(&f, 31, 0, 1, 100 * MS);
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET;
   rec.ctx_create_result = -ENOMEM;
   CHECK(pm4d_amdgpu_queue_recover(f.q, 1000 * MS, &r, &f.why) == PM4D_AMDGPU_DRM_ERROR);
   CHECK(r.rerun_count == 1 && r.rerun[0] == 31); /* still told what to re-run */
   CHECK(rec.ctxs_live == 0);
   /* A queue without a context refuses work and checks, cleanly, until a recovery works. */
   struct pm4d_amdgpu_batch b = fixture_batch(&f, 32, 8, 0, 2);
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, &f.why) == PM4D_AMDGPU_DRM_ERROR);
   CHECK(strstr(f.why.text, "no context") != NULL);
   CHECK(pm4d_amdgpu_queue_check(f.q, 0, &f.why) == PM4D_AMDGPU_DRM_ERROR);
   rec.ctx_create_result = 0;
   CHECK(pm4d_amdgpu_queue_recover(f.q, 1000 * MS, &r, &f.why) == PM4D_AMDGPU_OK);
   CHECK(r.rerun_count == 0 && rec.ctxs_live == 1);
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, &f.why) == PM4D_AMDGPU_OK);
   CHECK(fixture_close(&f));
}

int main(void)
{
   test_deadline();
   test_reset_flags();
   test_recover_waits_for_old_work();
   test_recover_after_reset();
   test_recover_vram_lost();
   test_recover_without_context();
   return pm4d_check_finish("amdgpu_hang");
}
