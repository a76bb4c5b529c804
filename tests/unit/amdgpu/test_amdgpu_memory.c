/* Pools (GTT, CPU-mapped, own VA range, bump allocation), code upload once per device, and the
 * dma-buf import cache. */
#include <string.h>

#include "pm4d_amdgpu_fixture.h"
#include "pm4d_amdgpu_pool.h"
#include "pm4d_check.h"
#include "pm4d_drm_recorder.h"

static void test_pools_mapped(void)
{
   struct fixture f;
   CHECK(fixture_open(&f));
   /* Code pool, the caller's ring pool: two GTT BOs, write-combined, each with its own VA range
    * of its size, page aligned, mapped at offset 0 over the whole BO. */
   CHECK(rec.alloc_count == 2 && rec.va_count == 2 && rec.va_op_count == 2);
   for (int i = 0; i < 2; i++) {
      CHECK(rec.allocs[i].preferred_heap == AMDGPU_GEM_DOMAIN_GTT);
      CHECK(rec.allocs[i].flags & AMDGPU_GEM_CREATE_CPU_GTT_USWC);
      CHECK(rec.va_sizes[i] == rec.allocs[i].alloc_size);
      CHECK(rec.va_aligns[i] == 4096 && rec.va_flags[i] == 0);
      CHECK(rec.va_ops[i].op == AMDGPU_VA_OP_MAP && rec.va_ops[i].offset == 0);
      CHECK(rec.va_ops[i].size == rec.allocs[i].alloc_size);
   }
   CHECK(rec.allocs[1].alloc_size == FIX_POOL_BYTES);
   /* Only code is executable; the ring is mapped as the caller asked. */
   CHECK(rec.va_ops[0].flags & AMDGPU_VM_PAGE_EXECUTABLE);
   CHECK(rec.va_ops[1].flags == (AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE));
   CHECK(rec.maps_live == 2);
   CHECK(fixture_close(&f));
}

static void test_pool_alloc(void)
{
   struct pm4d_amdgpu_pool pool;
   struct pm4d_amdgpu_span s;
   amdgpu_device_handle dev = NULL;
   rec_reset();
   CHECK(pm4d_amdgpu_pool_create(rec_ops(), dev, 1000, 0, &pool, NULL, 0) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(pm4d_amdgpu_pool_create(rec_ops(), dev, 8192, AMDGPU_VM_PAGE_READABLE, &pool, NULL, 0) ==
         PM4D_AMDGPU_OK);
   uint64_t base = pool.va;

   CHECK(pm4d_amdgpu_pool_alloc(&pool, 3000, 4, &s, NULL, 0) == PM4D_AMDGPU_OK);
   CHECK(s.va == base && s.cpu == pool.cpu && s.bytes == 3000);
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 3000, 256, &s, NULL, 0) == PM4D_AMDGPU_OK);
   CHECK(s.va == base + 3072 && (uint8_t *)s.cpu == pool.cpu + 3072);
   memset(s.cpu, 0xAB, s.bytes); /* the CPU side is writable */
   /* 6072 + 3000 runs past the end: space is never given back, so the pool is full. */
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 3000, 4, &s, NULL, 0) == PM4D_AMDGPU_POOL_FULL);
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 2120, 4, &s, NULL, 0) == PM4D_AMDGPU_OK);
   CHECK(s.va == base + 6072 && s.va + s.bytes == base + 8192);
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 4, 4, &s, NULL, 0) == PM4D_AMDGPU_POOL_FULL);
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 8, 3, &s, NULL, 0) == PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 0, 8, &s, NULL, 0) == PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(pm4d_amdgpu_pool_alloc(&pool, 8193, 4, &s, NULL, 0) == PM4D_AMDGPU_INVALID_ARGUMENT);

   CHECK(pm4d_amdgpu_pool_contains(&pool, base, 8192));
   CHECK(pm4d_amdgpu_pool_contains(&pool, base + 8188, 4));
   CHECK(!pm4d_amdgpu_pool_contains(&pool, base + 8188, 8));
   CHECK(!pm4d_amdgpu_pool_contains(&pool, base - 4, 4));
   CHECK(!pm4d_amdgpu_pool_contains(&pool, base, 8196));
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
   CHECK(pm4d_amdgpu_device_upload_code(f.dev, image_a, sizeof(image_a), &va_a, f.why,
                                        sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_upload_code(f.dev, image_a, sizeof(image_a), &va_a2, f.why,
                                        sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(va_a == va_a2);
   CHECK(pm4d_amdgpu_device_upload_code(f.dev, image_b, sizeof(image_b), &va_b, f.why,
                                        sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(va_a % 256 == 0 && va_b % 256 == 0);
   CHECK(va_a == code_base && va_b >= va_a + sizeof(image_a));
   CHECK(va_b + sizeof(image_b) <= code_base + PM4D_AMDGPU_CODE_POOL_BYTES);
   CHECK(pm4d_amdgpu_device_upload_code(f.dev, NULL, 4, &va_b, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(rec.alloc_count == 2); /* no new BO per upload */
   CHECK(fixture_close(&f));
}

static void test_import_cache(void)
{
   struct fixture f;
   uint32_t h;
   CHECK(fixture_open(&f));
   int bos = rec.bos_live;
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xA, 5, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xB, 6, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xA, -1, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_OK); /* cached */
   CHECK(rec.import_count == 2 && rec.bos_live == bos + 2);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0xA, &h, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(h == REC_IMPORT_KMS_BASE + 5);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0xB, &h, f.why, sizeof(f.why)) == PM4D_AMDGPU_OK);
   CHECK(h == REC_IMPORT_KMS_BASE + 6);
   pm4d_amdgpu_device_forget(f.dev, 0xA);
   CHECK(rec.bos_live == bos + 1);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0xA, &h, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   CHECK(strstr(f.why, "0xa is not imported") != NULL);
   CHECK(pm4d_amdgpu_device_import(f.dev, 0xC, -1, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_INVALID_ARGUMENT);
   pm4d_amdgpu_device_forget(f.dev, 0xDEAD); /* unknown: ignored */
   /* Many imports grow the cache; destroy frees the ones still held (0xB and these). */
   for (int i = 0; i < 40; i++)
      CHECK(pm4d_amdgpu_device_import(f.dev, 0x100 + i, 20 + i, f.why, sizeof(f.why)) ==
            PM4D_AMDGPU_OK);
   CHECK(pm4d_amdgpu_device_bo_handle(f.dev, 0x100 + 39, &h, f.why, sizeof(f.why)) ==
         PM4D_AMDGPU_OK);
   CHECK(h == REC_IMPORT_KMS_BASE + 59);
   CHECK(fixture_close(&f));
}

int main(void)
{
   test_pools_mapped();
   test_pool_alloc();
   test_code_upload_once();
   test_import_cache();
   return pm4d_check_finish("amdgpu_memory");
}
