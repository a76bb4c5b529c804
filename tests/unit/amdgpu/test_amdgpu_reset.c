/* What the queue reports and how it resets, against the UAPI's meaning
 * (/usr/include/libdrm/amdgpu_drm.h): the AMDGPU_CTX_QUERY2_FLAGS_* bits of the context's reset
 * state, the bridge syncobj's value as the point up to which the kernel has ended every job,
 * and a reset that makes a new context without waiting (the direct path decides hangs and
 * reuses memory once the state says the work is over). */
#include <errno.h>
#include <string.h>

#include "pm4d_amdgpu_fixture.h"
#include "pm4d_check.h"
#include "pm4d_drm_recorder.h"

static void submit(struct fixture *f, uint64_t id, uint64_t signal)
{
   struct pm4d_amdgpu_batch b = fixture_batch(f, id, 8, 0, signal);
   CHECK(pm4d_amdgpu_queue_submit(f->q, &b, NULL, f->why, sizeof(f->why)) == PM4D_AMDGPU_OK);
}

static void test_state(void)
{
   struct fixture f;
   struct pm4d_amdgpu_queue_state st;
   CHECK(fixture_open(&f));
   submit(&f, 1, 1);
   submit(&f, 2, 2);
   rec.timeline_value = 1; /* the kernel ended the first job */
   CHECK(pm4d_amdgpu_queue_state(f.q, &st, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(st.settled == 1 && !st.reset && !st.guilty && !st.vram_lost);
   CHECK(rec.query_count == 1);

   /* Bit values straight from amdgpu_drm.h: RESET 1<<0, VRAMLOST 1<<1, GUILTY 1<<2. */
   rec.reset_flags = 1u << 0;
   CHECK(pm4d_amdgpu_queue_state(f.q, &st, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(st.reset && !st.guilty && !st.vram_lost);
   rec.reset_flags = (1u << 0) | (1u << 2);
   CHECK(pm4d_amdgpu_queue_state(f.q, &st, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(st.reset && st.guilty && !st.vram_lost);
   rec.reset_flags = (1u << 0) | (1u << 1);
   CHECK(pm4d_amdgpu_queue_state(f.q, &st, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(st.reset && !st.guilty && st.vram_lost);
   rec.reset_flags = 1u << 3; /* RAS_CE, a corrected error: no reset */
   CHECK(pm4d_amdgpu_queue_state(f.q, &st, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(!st.reset && !st.guilty && !st.vram_lost);
   CHECK(fixture_close(&f));
}

static void test_reset_makes_a_new_context(void)
{
   struct fixture f;
   struct pm4d_amdgpu_queue_state st;
   CHECK(fixture_open(&f));
   submit(&f, 11, 1);
   submit(&f, 12, 2);
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_GUILTY;
   CHECK(pm4d_amdgpu_queue_reset(f.q, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   /* The old context stays for its jobs' verdicts until the next renewal. */
   CHECK(rec.ctx_free_count == 0 && rec.ctxs_live == 2 && rec.ctx_create_count == 2);
   /* It did not wait: the old jobs are not over until the kernel says so. */
   CHECK(pm4d_amdgpu_queue_state(f.q, &st, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(st.settled == 0);
   /* Later batches go to the new context with later points. */
   rec.reset_flags = 0;
   submit(&f, 13, 3);
   CHECK(rec.submits[1].ctx_id == 1 && rec.submits[2].ctx_id == 2);
   CHECK(fixture_close(&f));
}

static void test_reset_without_context(void)
{
   struct fixture f;
   struct pm4d_amdgpu_queue_state st;
   CHECK(fixture_open(&f));
   submit(&f, 31, 1);
   rec.ctx_create_result = -ENOMEM;
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET;
   CHECK(pm4d_amdgpu_queue_reset(f.q, f.why, sizeof(f.why)) == PM4D_AMDGPU_DRM_ERROR);
   CHECK(strstr(f.why, "amdgpu_cs_ctx_create2") != NULL);
   CHECK(rec.ctxs_live == 1); /* the old one, kept for its jobs' verdicts */
   /* A queue without a context refuses work and queries, cleanly, until a reset works. */
   struct pm4d_amdgpu_batch b = fixture_batch(&f, 32, 8, 0, 2);
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_DRM_ERROR);
   CHECK(strstr(f.why, "no context") != NULL);
   CHECK(pm4d_amdgpu_queue_state(f.q, &st, f.why, sizeof(f.why)) == PM4D_AMDGPU_DRM_ERROR);
   rec.ctx_create_result = 0;
   CHECK(pm4d_amdgpu_queue_reset(f.q, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(rec.ctxs_live == 2); /* the new one and the first, still kept */
   CHECK(pm4d_amdgpu_queue_submit(f.q, &b, NULL, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(fixture_close(&f));
}

/* A reset with no reset since the context was made keeps it (a submission renewed it already);
 * the contexts of the last 4 renewals are kept, the fifth frees the oldest. */
static void test_reset_keeps_a_clean_context(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   CHECK(pm4d_amdgpu_queue_reset(f.q, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(rec.ctx_create_count == 1 && rec.ctxs_live == 1);
   for (int i = 0; i < 5; i++) {
      rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET;
      rec.reset_epoch++;
      CHECK(pm4d_amdgpu_queue_reset(f.q, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   }
   CHECK(rec.ctx_create_count == 6 && rec.ctxs_live == 5 && rec.ctx_free_count == 1);
   CHECK(fixture_close(&f));
}

/* A guilty context's CS is refused with -ECANCELED before it is queued (amdgpu_cs.c
 * amdgpu_cs_parser_init): the batch goes once more on a new context, and is not lost. */
static void test_cancelled_submit_goes_on_a_new_context(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   submit(&f, 41, 1);
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_GUILTY;
   submit(&f, 42, 2);
   CHECK(rec.submit_count == 3 && rec.submits[1].ctx_id == 1 && rec.submits[2].ctx_id == 2);
   CHECK(rec.ctx_create_count == 2 && rec.ctxs_live == 2);
   CHECK(fixture_close(&f));
}

/* Each job's verdict is its fence's error as AMDGPU_WAIT_CS gives it (amdgpu_cs_wait_ioctl:
 * -ETIME for the job's own timeout, -ECANCELED for a job a reset cancelled). */
static void test_verdict(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   submit(&f, 51, 1);
   CHECK(pm4d_amdgpu_queue_verdict(f.q, 1) == 0);
   rec.fence_error = -ETIME;
   CHECK(pm4d_amdgpu_queue_verdict(f.q, 1) == -ETIME);
   rec.fence_error = -ECANCELED;
   CHECK(pm4d_amdgpu_queue_verdict(f.q, 1) == -ECANCELED);
   rec.fence_error = 0;
   CHECK(fixture_close(&f));
}

int main(void)
{
   test_state();
   test_reset_makes_a_new_context();
   test_reset_without_context();
   test_reset_keeps_a_clean_context();
   test_cancelled_submit_goes_on_a_new_context();
   test_verdict();
   return pm4d_check_finish("amdgpu_reset");
}
