/* Several queues' threads share one device: imports, lookups and code uploads from four threads
 * at once must neither race (run under TSan) nor lose or duplicate an entry. */
#include <pthread.h>

#include "pm4d_amdgpu_fixture.h"
#include "pm4d_check.h"
#include "pm4d_drm_recorder.h"

#define THREADS 4
#define KEYS    50

static struct fixture fix;
static const uint8_t images[2][512] = {{1}, {2}};
static uint64_t image_va[THREADS][2];
static int thread_failures[THREADS];

static void *worker(void *arg)
{
   int t = (int)(intptr_t)arg;
   for (int i = 0; i < KEYS; i++) {
      uint64_t key = (uint64_t)t * 1000 + (uint64_t)i;
      uint32_t h;
      if (pm4d_amdgpu_device_import(fix.dev, key, t * 100 + i, NULL, 0) != PM4D_AMDGPU_OK ||
          pm4d_amdgpu_device_bo_handle(fix.dev, key, &h, NULL, 0) != PM4D_AMDGPU_OK ||
          h != REC_IMPORT_KMS_BASE + (uint32_t)(t * 100 + i))
         thread_failures[t]++;
      if (i % 2)
         pm4d_amdgpu_device_forget(fix.dev, key);
   }
   for (int k = 0; k < 2; k++)
      if (pm4d_amdgpu_device_upload_code(fix.dev, images[k], sizeof(images[k]), &image_va[t][k],
                                         NULL, 0) != PM4D_AMDGPU_OK)
         thread_failures[t]++;
   return NULL;
}

int main(void)
{
   pthread_t threads[THREADS];
   CHECK(fixture_open(&fix));
   int bos = rec.bos_live;
   for (int t = 0; t < THREADS; t++)
      CHECK(pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t) == 0);
   for (int t = 0; t < THREADS; t++)
      CHECK(pthread_join(threads[t], NULL) == 0);
   for (int t = 0; t < THREADS; t++) {
      CHECK(thread_failures[t] == 0);
      CHECK(image_va[t][0] == image_va[0][0] && image_va[t][1] == image_va[0][1]);
   }
   CHECK(image_va[0][0] != image_va[0][1]);
   CHECK(rec.import_count == THREADS * KEYS);
   CHECK(rec.bos_live == bos + THREADS * KEYS / 2); /* the odd keys were forgotten */
   CHECK(fixture_close(&fix));
   return pm4d_check_finish("amdgpu_threads");
}
