/* Pools (GTT, CPU-mapped, own VA range, ring reuse), code upload once per device, and the
 * dma-buf import cache. */
#include <string.h>

#include "pm4d_amdgpu_fixture.h"
#include "pm4d_amdgpu_pool.h"
#include "pm4d_check.h"
#include "pm4d_drm_recorder.h"

static void test_queue_pools_mapped(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   /* Code pool, IB pool, kernarg pool: three GTT BOs, write-combined, each with its own VA
    * range of its size, page aligned, mapped at offset 0 over the whole BO. */
   CHECK(rec.alloc_count == 3 && rec.va_count == 3 && rec.va_op_count == 3);
   for (int i = 0; i < 3; i++) {
      CHECK(rec.allocs[i].preferred_heap == AMDGPU_GEM_DOMAIN_GTT);
      CHECK(rec.allocs[i].flags & AMDGPU_GEM_CREATE_CPU_GTT_USWC);
      CHECK(rec.va_sizes[i] == rec.allocs[i].alloc_size);
      CHECK(rec.va_aligns[i] == 4096 && rec.va_flags[i] == 0);
      CHECK(rec.va_ops[i].op == AMDGPU_VA_OP_MAP && rec.va_ops[i].offset == 0);
      CHECK(rec.va_ops[i].size == rec.allocs[i].alloc_size);
   }
   CHECK(rec.allocs[1].alloc_size == FIX_POOL_BYTES && rec.allocs[2].alloc_size == FIX_POOL_BYTES);
   /* Only code is executable; IBs and kernargs are read by the GPU, never written. */
   CHECK(rec.va_ops[1].flags == AMDGPU_VM_PAGE_READABLE);
   CHECK(rec.va_ops[2].flags == AMDGPU_VM_PAGE_READABLE);
   CHECK(rec.maps_live == 3);

   /* IB and kernarg space lies in those ranges, and the CPU side is writable. */
   struct pm4d_amdgpu_span ib, ka;
   CHECK(pm4d_amdgpu_queue_alloc_ib(f.q, 16, &ib, &f.why) == PM4D_AMDGPU_OK);
   CHECK(ib.va == rec.va_ops[1].addr && ib.bytes == 64);
   CHECK(pm4d_amdgpu_queue_alloc_kernarg(f.q, 40, 64, &ka, &f.why) == PM4D_AMDGPU_OK);
   CHECK(ka.va == rec.va_ops[2].addr && ka.bytes == 40);
   CHECK(pm4d_amdgpu_queue_alloc_kernarg(f.q, 8, 64, &ka, &f.why) == PM4D_AMDGPU_OK);
   CHECK(ka.va == rec.va_ops[2].addr + 64); /* aligned past the first */
   memset(ib.cpu, 0xAB, ib.bytes);
   CHECK(pm4d_amdgpu_queue_alloc_kernarg(f.q, 8, 3, &ka, &f.why) == PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(pm4d_amdgpu_queue_alloc_kernarg(f.q, 0, 8, &ka, &f.why) == PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(fixture_close(&f));
}

static void test_pool_ring(void)
{
   struct pm4d_amdgpu_pool pool;
   struct pm4d_amdgpu_span s;
   amdgpu_device_handle dev = NULL;
   rec_reset();
   CHECK(pm4d_amdgpu_pool_create(rec_ops(), dev, 1000, 0, &pool, NULL) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(pm4d_amdgpu_pool_create(rec_ops(), dev, 8192, AMDGPU_VM_PAGE_READABLE, &pool, NULL) ==
         PM4D_AMDGPU_OK);
   uint64_t base = pool.va;

   CHECK(pm4d_amdgpu_pool_alloc(&pool, 3000, 4, &s, NULL) == PM4D_AMDGPU_OK);
   CHECK(s.va == base && s.cpu == pool.cpu);
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 3000, 256, &s, NULL) == PM4D_AMDGPU_OK);
   CHECK(s.va == base + 3072);
   pm4d_amdgpu_pool_fence(&pool, 5);
   /* 6072 + 3000 runs past the end: it would wrap onto the live first allocation. */
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 3000, 4, &s, NULL) == PM4D_AMDGPU_POOL_FULL);
   pm4d_amdgpu_pool_retire(&pool, 4); /* not yet */
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 3000, 4, &s, NULL) == PM4D_AMDGPU_POOL_FULL);
   pm4d_amdgpu_pool_retire(&pool, 5);
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 3000, 4, &s, NULL) == PM4D_AMDGPU_OK);
   CHECK(s.va == base); /* wrapped to the start */
   CHECK(pm4d_amdgpu_pool_contains(&pool, s.va, s.bytes));
   CHECK(pm4d_amdgpu_pool_contains(&pool, base + 8188, 4));
   CHECK(!pm4d_amdgpu_pool_contains(&pool, base + 8188, 8));
   CHECK(!pm4d_amdgpu_pool_contains(&pool, base - 4, 4));
   CHECK(!pm4d_amdgpu_pool_contains(&pool, base, 8196));
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 8193, 4, &s, NULL) == PM4D_AMDGPU_INVALID_ARGUMENT);

   /* With every fence slot pending, later space joins the newest fence: freed later, not
    * earlier. */
   pm4d_amdgpu_pool_fence(&pool, 6);
   pm4d_amdgpu_pool_retire(&pool, 6);
   for (uint64_t p = 10; p < 10 + PM4D_AMDGPU_POOL_FENCES + 2; p++) {
      CHECK(pm4d_amdgpu_pool_alloc(&pool, 64, 4, &s, NULL) == PM4D_AMDGPU_OK);
      pm4d_amdgpu_pool_fence(&pool, p);
   }
   CHECK(pool.fence_count == PM4D_AMDGPU_POOL_FENCES);
   pm4d_amdgpu_pool_retire(&pool, 10 + PM4D_AMDGPU_POOL_FENCES); /* one short of the last */
   CHECK(pool.fence_count == 1 && pool.tail < pool.head);
   pm4d_amdgpu_pool_retire(&pool, 10 + PM4D_AMDGPU_POOL_FENCES + 1);
   CHECK(pool.fence_count == 0 && pool.tail == pool.head);
   pm4d_amdgpu_pool_destroy(&pool);
   CHECK(rec_all_released());
}

static const uint8_t image_a[300] = {1, 2, 3};
static const uint8_t image_b[40] = {9, 8, 7};

static void test_code_upload_once(void)
{
   struct fixture f;
   uint64_t va_a, va_a2, va_b;
   CHECK(fixture_open(&f));
   uint64_t code_base = rec.va_ops[0].addr;
   CHECK(pm4d_amdgpu_device_upload_code(f.dev, image_a, sizeof(image_a), &va_a, &f.why) ==
         PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_upload_code(f.dev, image_a, sizeof(image_a), &va_a2, &f.why) ==
         PM4D_AMDGPU_OK);
   CHECK(va_a == va_a2);
   CHECK(pm4d_amdgpu_device_upload_code(f.dev, image_b, sizeof(image_b), &va_b, &f.why) ==
         PM4D_AMDGPU_OK);
   CHECK(va_a % 256 == 0 && va_b % 256 == 0);
   CHECK(va_a == code_base && va_b >= va_a + sizeof(image_a));
   CHECK(va_b + sizeof(image_b) <= code_base + PM4D_AMDGPU_CODE_POOL_BYTES);
   CHECK(pm4d_amdgpu_device_upload_code(f.dev, NULL, 4, &va_b, &f.why) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(rec.alloc_count == 3); /* no new BO per upload */
   CHECK(fixture_close(&f));
}

static void test_import_cache(void)
{
   struct fixture f;
   uint32_t h;
   CHECK(fixture_open(&f));
   int bos = rec.bos_live;
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xA, 5, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xB, 6, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xA, -1, &f.why) == PM4D_AMDGPU_OK); /* cached */
   CHECK(rec.import_count == 2 && rec.bos_live == bos + 2);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0xA, &h, &f.why) == PM4D_AMDGPU_OK);
   CHECK(h == REC_IMPORT_KMS_BASE + 5);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0xB, &h, &f.why) == PM4D_AMDGPU_OK);
   CHECK(h == REC_IMPORT_KMS_BASE + 6);
   pm4d_amdgpu_device_forget(f.dev, 0xA);
   CHECK(rec.bos_live == bos + 1);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0xA, &h, &f.why) == PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(strstr(f.why.text, "0xa is not imported") != NULL);
   /* Always valid in the shared VM: known, nothing imported, handle 0 (never listed). */
   int imports = rec.import_count, live = rec.bos_live;
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xC, -1, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0xC, &h, &f.why) == PM4D_AMDGPU_OK && h == 0);
   CHECK(rec.import_count == imports && rec.bos_live == live);
   pm4d_amdgpu_device_forget(f.dev, 0xC);
   CHECK(rec.bos_live == live);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0xC, &h, &f.why) == PM4D_AMDGPU_INVALID_ARGUMENT);
   pm4d_amdgpu_device_forget(f.dev, 0xDEAD); /* unknown: ignored */
   /* Many imports grow the cache; destroy frees the ones still held (0xB and these). */
   for (int i = 0; i < 40; i++)
      CHECK(pm4d_amdgpu_device_import(f.dev, 0x100 + i, 20 + i, &f.why) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0x100 + 39, &h, &f.why) == PM4D_AMDGPU_OK);
   CHECK(h == REC_IMPORT_KMS_BASE + 59);
   CHECK(fixture_close(&f));
}

int main(void)
{
   test_queue_pools_mapped();
   test_pool_ring();
   test_code_upload_once();
   test_import_cache();
   return pm4d_check_finish("amdgpu_memory");
}
