/* The kernel behaviours the virtual GPU claims, one check per rule, through libdrm and raw
 * ioctls on its render node. Every expected value comes from the kernel source or UAPI named in
 * the check: drm_syncobj.c, amdgpu_cs.c, amdgpu_gem.c, amdgpu_vm.c, amdgpu_kms.c, drm_prime.c,
 * sync_file.c (torvalds/linux), include/uapi/drm/amdgpu_drm.h (the packet encoding from the
 * kernel's nvd.h PACKET3). Run under scripts/vgpu gfx1036,gfx1030 (two nodes). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <amdgpu.h>
#include <libdrm/amdgpu_drm.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

static int failures;
#define CHECK(c, src)                                                            \
   do {                                                                          \
      if (!(c)) {                                                                \
         fprintf(stderr, "FAIL %s:%d: %s  [%s]\n", __FILE__, __LINE__, #c, src); \
         failures++;                                                             \
      }                                                                          \
   } while (0)

/* -errno of an ioctl (0 on success): what libdrm's drmIoctl callers see */
static int io(int fd, unsigned long req, void *arg)
{
   return drmIoctl(fd, req, arg) ? -errno : 0;
}

static uint64_t now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* nvd.h: PACKET3(op, n) = 3 << 30 | (n & 0x3FFF) << 16 | (op & 0xFF) << 8; PACKET3_WRITE_DATA
 * 0x37 with WRITE_DATA_DST_SEL(5) (memory) and WR_CONFIRM (1 << 20); PACKET3_WAIT_REG_MEM 0x3C
 * with function 3 (==), mem space (1 << 4); type-2 NOP 0x80000000. */
#define PKT3(op, n) (3u << 30 | ((n)&0x3fff) << 16 | ((op)&0xff) << 8)
#define NOP2        0x80000000u

struct bo {
   uint32_t handle;
   uint64_t va;
   uint32_t *cpu;
};

static uint64_t next_va = 0x100000000ull;

static struct bo bo_new(int fd, uint64_t size, uint32_t domain, uint64_t flags)
{
   struct bo b = {0};
   union drm_amdgpu_gem_create c = {
      .in = {.bo_size = size, .alignment = 4096, .domains = domain, .domain_flags = flags}};
   if (io(fd, DRM_IOCTL_AMDGPU_GEM_CREATE, &c))
      return b;
   b.handle = c.out.handle;
   b.va = next_va;
   next_va += 0x100000;
   struct drm_amdgpu_gem_va va = {.handle = b.handle,
                                  .operation = AMDGPU_VA_OP_MAP,
                                  .flags = AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE |
                                           AMDGPU_VM_PAGE_EXECUTABLE,
                                  .va_address = b.va,
                                  .map_size = size};
   if (io(fd, DRM_IOCTL_AMDGPU_GEM_VA, &va))
      fprintf(stderr, "GEM_VA map failed\n");
   union drm_amdgpu_gem_mmap m = {.in = {.handle = b.handle}};
   if (!(flags & AMDGPU_GEM_CREATE_NO_CPU_ACCESS) && !io(fd, DRM_IOCTL_AMDGPU_GEM_MMAP, &m))
      b.cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.out.addr_ptr);
   return b;
}

static uint32_t ctx_new(int fd)
{
   union drm_amdgpu_ctx c = {.in = {.op = AMDGPU_CTX_OP_ALLOC_CTX}};
   return io(fd, DRM_IOCTL_AMDGPU_CTX, &c) ? 0 : c.out.alloc.ctx_id;
}

static uint32_t syncobj_new(int fd, uint32_t flags)
{
   struct drm_syncobj_create c = {.flags = flags};
   return io(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) ? 0 : c.handle;
}

/* A CS from up to 6 chunks. */
struct cs {
   struct drm_amdgpu_cs_chunk chunks[6];
   uint64_t ptrs[6];
   unsigned n;
   uint32_t bo_list_handle;
};

static void chunk(struct cs *cs, uint32_t id, const void *data, size_t bytes)
{
   cs->chunks[cs->n] =
      (struct drm_amdgpu_cs_chunk){id, (uint32_t)(bytes / 4), (uint64_t)(uintptr_t)data};
   cs->ptrs[cs->n] = (uint64_t)(uintptr_t)&cs->chunks[cs->n];
   cs->n++;
}

static int submit(int fd, uint32_t ctx, struct cs *cs, uint64_t *seq)
{
   union drm_amdgpu_cs a = {.in = {.ctx_id = ctx,
                                   .bo_list_handle = cs->bo_list_handle,
                                   .num_chunks = cs->n,
                                   .chunks = (uint64_t)(uintptr_t)cs->ptrs}};
   int r = io(fd, DRM_IOCTL_AMDGPU_CS, &a);
   if (!r && seq)
      *seq = a.out.handle;
   return r;
}

/* An 8-dword IB (32 bytes, the compute ring's alignment) that writes value at dst. */
static void ib_write(uint32_t *ib, uint64_t dst, uint32_t value)
{
   ib[0] = PKT3(0x37, 3);
   ib[1] = 5u << 8 | 1u << 20;
   ib[2] = (uint32_t)dst;
   ib[3] = (uint32_t)(dst >> 32);
   ib[4] = value;
   ib[5] = ib[6] = ib[7] = NOP2;
}

/* An IB that waits until *poll == 1, then writes value at dst (16 dwords). */
static void ib_wait_then_write(uint32_t *ib, uint64_t poll, uint64_t dst, uint32_t value)
{
   ib[0] = PKT3(0x3c, 5);
   ib[1] = 3u | 1u << 4; /* function ==, memory */
   ib[2] = (uint32_t)poll;
   ib[3] = (uint32_t)(poll >> 32);
   ib[4] = 1;          /* reference */
   ib[5] = 0xffffffff; /* mask */
   ib[6] = 4;          /* poll interval */
   ib_write(ib + 7, dst, value);
   ib[15] = NOP2;
}

static struct drm_amdgpu_cs_chunk_ib ib_chunk(uint64_t va, uint32_t dwords)
{
   return (struct drm_amdgpu_cs_chunk_ib){
      .ip_type = AMDGPU_HW_IP_COMPUTE, .va_start = va, .ib_bytes = dwords * 4};
}

static int fd0, fd1;
static uint32_t ctx0;
static struct bo ibbo, data, fencebo;

/* ---- discovery: two nodes, libdrm's dedupe ---- */
static void test_discovery(void)
{
   drmDevicePtr devs[8];
   int n = drmGetDevices2(0, devs, 8);
   CHECK(n == 2, "two nodes from VGPU_PROFILE=gfx1036,gfx1030");
   int seen_apu = 0, seen_dgpu = 0;
   for (int i = 0; i < n; i++) {
      CHECK(devs[i]->bustype == DRM_BUS_PCI, "xf86drm.c drmParseSubsystemType: pci");
      CHECK(devs[i]->deviceinfo.pci->vendor_id == 0x1002, "AMD's PCI vendor id");
      seen_apu |= devs[i]->deviceinfo.pci->device_id == 0x164e;  /* amdgpu_devices.c raphael */
      seen_dgpu |= devs[i]->deviceinfo.pci->device_id == 0x73bf; /* amdgpu.ids Navi21 */
      CHECK(devs[i]->available_nodes == (1 << DRM_NODE_RENDER), "render node only");
   }
   CHECK(n < 2 || devs[0]->businfo.pci->bus != devs[1]->businfo.pci->bus, "distinct PCI buses");
   CHECK(seen_apu && seen_dgpu, "both devices");
   drmFreeDevices(devs, n);

   drmVersionPtr v = drmGetVersion(fd0);
   CHECK(v && !strcmp(v->name, "amdgpu") && v->version_major == 3, "amdgpu_drv.c DRIVER_NAME, 3.x");
   drmFreeVersion(v);
   uint64_t cap = 0;
   CHECK(!drmGetCap(fd0, DRM_CAP_SYNCOBJ_TIMELINE, &cap) && cap == 1, "DRIVER_SYNCOBJ_TIMELINE");

   /* libdrm_amdgpu amdgpu_device_initialize: one amdgpu_device per device (fd_compare by the
    * primary node name), so a second fd of the same node dedupes and the other node does not */
   uint32_t maj, min;
   amdgpu_device_handle a, b, c;
   int fd0b = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
   CHECK(!amdgpu_device_initialize(fd0, &maj, &min, &a), "initialize node 0");
   CHECK(!amdgpu_device_initialize(fd0b, &maj, &min, &b), "initialize node 0 again");
   CHECK(!amdgpu_device_initialize(fd1, &maj, &min, &c), "initialize node 1");
   CHECK(a == b, "same node: same amdgpu_device (fd_compare)");
   CHECK(a != c, "other node: another amdgpu_device");
   struct amdgpu_gpu_info gi;
   CHECK(!amdgpu_query_gpu_info(c, &gi) && gi.asic_id == 0x73bf, "node 1 is the Navi21");
   amdgpu_device_deinitialize(a);
   amdgpu_device_deinitialize(b);
   amdgpu_device_deinitialize(c);
   close(fd0b);
}

/* ---- INFO, GEM, VA, PRIME (amdgpu_kms.c, amdgpu_gem.c, amdgpu_vm.c, drm_prime.c) ---- */
static void test_gem(void)
{
   uint32_t v = 0;
   struct drm_amdgpu_info info = {
      .return_pointer = (uintptr_t)&v, .return_size = 0, .query = AMDGPU_INFO_ACCEL_WORKING};
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_INFO, &info) == -EINVAL, "amdgpu_info_ioctl: return_size 0");
   info.return_size = 4;
   info.query = AMDGPU_INFO_READ_MMR_REG;
   info.read_mmr_reg.dword_offset = 0x1234;
   info.read_mmr_reg.count = 1;
   info.read_mmr_reg.instance = 0xffffffff;
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_INFO, &info) == -EFAULT, "amdgpu_kms.c: unallowed register");

   struct bo b = bo_new(fd0, 8192, AMDGPU_GEM_DOMAIN_GTT, 0);
   struct drm_amdgpu_gem_va va = {.handle = b.handle,
                                  .operation = AMDGPU_VA_OP_MAP,
                                  .flags = AMDGPU_VM_PAGE_READABLE,
                                  .map_size = 4096};
   va.va_address = 0x1000;
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_GEM_VA, &va) == -EINVAL, "amdgpu_gem_va_ioctl: reserved area");
   va.va_address = 0x0000900000000000ull;
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_GEM_VA, &va) == -EINVAL, "amdgpu_gem_va_ioctl: VA hole");
   va.va_address = 0x200000001000ull + 12;
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_GEM_VA, &va) == -EINVAL, "amdgpu_vm_bo_map: unaligned");
   va.va_address = b.va + 4096; /* overlaps the BO's own mapping */
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_GEM_VA, &va) == -EINVAL, "amdgpu_vm_bo_map: conflict");
   va.va_address = 0x300000000ull;
   va.map_size = 3 * 4096;
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_GEM_VA, &va) == -EINVAL, "amdgpu_vm_bo_map: past the BO");
   /* a canonical (sign-extended) high address is the same 48-bit address */
   va.va_address = 0xffff800000000000ull + 0x400000000ull;
   va.map_size = 4096;
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_GEM_VA, &va), "high range map");
   va.operation = AMDGPU_VA_OP_UNMAP;
   va.va_address = 0xffff800000000000ull + 0x400000000ull;
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_GEM_VA, &va), "amdgpu_vm_bo_unmap of the canonical address");
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_GEM_VA, &va) == -ENOENT, "amdgpu_vm_bo_unmap: no such mapping");

   struct drm_gem_close cl = {.handle = 9999};
   CHECK(io(fd0, DRM_IOCTL_GEM_CLOSE, &cl) == -EINVAL, "drm_gem_handle_delete: unknown handle");
   union drm_amdgpu_gem_mmap m = {.in = {.handle = 9999}};
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_GEM_MMAP, &m) == -ENOENT, "amdgpu_mode_dumb_mmap: lookup");
   struct bo hidden = bo_new(fd0, 4096, AMDGPU_GEM_DOMAIN_VRAM, AMDGPU_GEM_CREATE_NO_CPU_ACCESS);
   m.in.handle = hidden.handle;
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_GEM_MMAP, &m) == -EPERM, "amdgpu_mode_dumb_mmap: NO_CPU_ACCESS");
   union drm_amdgpu_gem_create gc = {
      .in = {.bo_size = 4096, .domains = AMDGPU_GEM_DOMAIN_GTT, .domain_flags = 1ull << 30}};
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_GEM_CREATE, &gc) == -EINVAL, "amdgpu_gem_create_ioctl: flags");

   /* PRIME: always-valid BOs cannot be exported; an export imports as the same handle on the
    * same file and as a handle to the same memory on the other node */
   struct bo local = bo_new(fd0, 4096, AMDGPU_GEM_DOMAIN_VRAM, AMDGPU_GEM_CREATE_VM_ALWAYS_VALID);
   struct drm_prime_handle ph = {.handle = local.handle, .flags = DRM_CLOEXEC | DRM_RDWR};
   CHECK(io(fd0, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph) == -EPERM,
         "amdgpu_gem_prime_export: VM_ALWAYS_VALID");
   ph.handle = b.handle;
   CHECK(!io(fd0, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph), "export");
   CHECK(lseek(ph.fd, 0, SEEK_END) == 8192, "dma-buf size is the BO size");
   struct drm_prime_handle back = {.fd = ph.fd};
   CHECK(!io(fd0, DRM_IOCTL_PRIME_FD_TO_HANDLE, &back) && back.handle == b.handle,
         "drm_gem_prime_fd_to_handle: same file, same handle");
   struct drm_prime_handle other = {.fd = ph.fd};
   CHECK(!io(fd1, DRM_IOCTL_PRIME_FD_TO_HANDLE, &other), "import on the other node");
   union drm_amdgpu_gem_mmap m1 = {.in = {.handle = other.handle}};
   CHECK(!io(fd1, DRM_IOCTL_AMDGPU_GEM_MMAP, &m1), "mmap the import");
   uint32_t *p1 = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd1, (off_t)m1.out.addr_ptr);
   b.cpu[3] = 0xabcd1234;
   CHECK(p1 != MAP_FAILED && p1[3] == 0xabcd1234, "one memory behind both nodes' handles");
   struct drm_prime_handle again = {.fd = ph.fd};
   CHECK(!io(fd1, DRM_IOCTL_PRIME_FD_TO_HANDLE, &again) && again.handle == other.handle,
         "drm_prime_lookup_buf_handle on the other node too");
   int nfd = open("/dev/null", O_RDONLY);
   struct drm_prime_handle bad = {.fd = nfd};
   CHECK(io(fd0, DRM_IOCTL_PRIME_FD_TO_HANDLE, &bad) == -EINVAL, "dma_buf_get: not a dma-buf");
   close(nfd);
   close(ph.fd);
}

/* ---- CS chunk checks (amdgpu_cs.c) ---- */
static void test_cs_checks(void)
{
   uint32_t so_empty = syncobj_new(fd0, 0);
   ib_write(ibbo.cpu, data.va, 7);
   struct drm_amdgpu_cs_chunk_ib ib = ib_chunk(ibbo.va, 8), bad_ib = ib;
   struct drm_amdgpu_cs_chunk_fence fc = {.handle = fencebo.handle, .offset = 0};
   struct drm_amdgpu_bo_list_entry ent = {.bo_handle = data.handle};
   struct drm_amdgpu_bo_list_in bl = {
      .bo_number = 1, .bo_info_size = sizeof(ent), .bo_info_ptr = (uintptr_t)&ent};
   struct drm_amdgpu_cs_chunk_sem sem = {.handle = 4242};
   struct drm_amdgpu_cs_chunk_syncobj tl = {.handle = so_empty, .point = 3};
   struct cs cs;

#define TRY(expect, src, ...)                               \
   do {                                                     \
      memset(&cs, 0, sizeof(cs));                           \
      __VA_ARGS__;                                          \
      CHECK(submit(fd0, ctx0, &cs, NULL) == (expect), src); \
   } while (0)

   TRY(0, "a valid CS", chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib)));
   memset(&cs, 0, sizeof(cs));
   chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
   CHECK(submit(fd0, 777, &cs, NULL) == -EINVAL, "amdgpu_cs_parser_init: unknown context");
   TRY(-EINVAL, "amdgpu_cs_pass1: num_chunks == 0", (void)0);
   TRY(-EINVAL, "amdgpu_cs_pass1: unknown chunk id", chunk(&cs, 0x77, &ib, sizeof(ib)));
   TRY(-EINVAL, "amdgpu_cs_pass1: IB chunk too small", chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, 8));
   bad_ib.ip_type = AMDGPU_HW_IP_NUM;
   TRY(-EINVAL, "amdgpu_ctx_get_entity: unknown HW IP",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &bad_ib, sizeof(ib)));
   bad_ib = ib;
   bad_ib.ip_instance = 1;
   TRY(-EINVAL, "amdgpu_ctx_get_entity: instance != 0",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &bad_ib, sizeof(ib)));
   bad_ib = ib;
   bad_ib.ring = 4;
   TRY(-EINVAL, "amdgpu_ctx_get_entity: ring >= amdgpu_ctx_num_entities[COMPUTE] (4)",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &bad_ib, sizeof(ib)));
   TRY(-EINVAL, "amdgpu_cs_pass1: no IB (gang_size 0)",
       chunk(&cs, AMDGPU_CHUNK_ID_BO_HANDLES, &bl, sizeof(bl)));
   fc.handle = 4242;
   TRY(-EINVAL, "amdgpu_cs_p1_user_fence: unknown BO",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_FENCE, &fc, sizeof(fc)));
   fc.handle = data.handle; /* 64 KiB, not one page */
   TRY(-EINVAL, "amdgpu_cs_p1_user_fence: size != PAGE_SIZE",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_FENCE, &fc, sizeof(fc)));
   fc.handle = fencebo.handle;
   fc.offset = 4092;
   TRY(-EINVAL, "amdgpu_cs_p1_user_fence: offset > size - 8",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_FENCE, &fc, sizeof(fc)));
   fc.offset = 0;
   TRY(-EINVAL, "amdgpu_cs_pass1: a single BO list only",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_BO_HANDLES, &bl, sizeof(bl));
       chunk(&cs, AMDGPU_CHUNK_ID_BO_HANDLES, &bl, sizeof(bl)));
   ent.bo_handle = 4242;
   TRY(-ENOENT, "amdgpu_bo_list_create: unknown BO",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_BO_HANDLES, &bl, sizeof(bl)));
   ent.bo_handle = data.handle;
   union drm_amdgpu_bo_list blc = {.in = {.operation = AMDGPU_BO_LIST_OP_CREATE,
                                          .bo_number = 1,
                                          .bo_info_size = sizeof(ent),
                                          .bo_info_ptr = (uintptr_t)&ent}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_BO_LIST, &blc), "amdgpu_bo_list_ioctl: create");
   uint32_t list = blc.out.list_handle;
   TRY(0, "a CS with a BO list handle", chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       cs.bo_list_handle = list);
   TRY(-EINVAL, "amdgpu_cs_parser_bos: a BO list handle and a BO_HANDLES chunk",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_BO_HANDLES, &bl, sizeof(bl)); cs.bo_list_handle = list);
   union drm_amdgpu_sched sch = {.in = {.op = AMDGPU_SCHED_OP_CONTEXT_PRIORITY_OVERRIDE,
                                        .fd = fd0,
                                        .priority = 7,
                                        .ctx_id = ctx0}};
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_SCHED, &sch) == -EINVAL, "amdgpu_sched_ioctl: priority");
   TRY(-ENOENT, "amdgpu_cs_parser_bos: unknown bo_list_handle",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       cs.bo_list_handle = 99);
   TRY(-ENOENT, "drm_syncobj_find_fence: unknown syncobj (SYNCOBJ_IN)",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_IN, &sem, sizeof(sem)));
   sem.handle = so_empty;
   TRY(-EINVAL, "drm_syncobj_find_fence: no fence, no WAIT_FOR_SUBMIT",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_IN, &sem, sizeof(sem)));
   TRY(-EINVAL, "drm_syncobj_find_fence: timeline point not submitted",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT, &tl, sizeof(tl)));
   sem.handle = 4242;
   TRY(-EINVAL, "amdgpu_cs_p2_syncobj_out: unknown syncobj",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_OUT, &sem, sizeof(sem)));
   sem.handle = so_empty;
   TRY(-EINVAL, "amdgpu_cs_p2_syncobj_out: post deps given twice",
       chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
       chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_OUT, &sem, sizeof(sem));
       chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL, &tl, sizeof(tl)));
#undef TRY
}

/* ---- a CS that runs: its write, the user fence, the signal chunk, WAIT_CS ---- */
static void test_cs_runs(void)
{
   uint32_t ctx = ctx_new(fd0), tlso = syncobj_new(fd0, 0);
   ib_write(ibbo.cpu + 64, data.va + 16, 0x600d);
   struct drm_amdgpu_cs_chunk_ib ib = ib_chunk(ibbo.va + 256, 8);
   struct drm_amdgpu_cs_chunk_fence fc = {.handle = fencebo.handle, .offset = 8 * 8};
   struct drm_amdgpu_cs_chunk_syncobj sig = {.handle = tlso, .point = 1};
   struct cs cs = {0};
   chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
   chunk(&cs, AMDGPU_CHUNK_ID_FENCE, &fc, sizeof(fc));
   chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL, &sig, sizeof(sig));
   uint64_t seq = 0;
   CHECK(!submit(fd0, ctx, &cs, &seq), "submit");
   CHECK(seq == 1, "amdgpu_ctx_init_entity: sequence starts at 1");
   uint64_t point = 1;
   struct drm_syncobj_timeline_wait w = {.handles = (uintptr_t)&tlso,
                                         .points = (uintptr_t)&point,
                                         .timeout_nsec = (int64_t)(now_ns() + 5000000000ull),
                                         .count_handles = 1};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w), "the signal chunk's point signals");
   CHECK(data.cpu[4] == 0x600d, "the IB's WRITE_DATA landed through the VM");
   CHECK(*(uint64_t *)(fencebo.cpu + 16) == seq, "the user fence holds the sequence number");
   union drm_amdgpu_wait_cs wc = {
      .in = {.handle = seq, .timeout = 0, .ip_type = AMDGPU_HW_IP_COMPUTE, .ctx_id = ctx}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_WAIT_CS, &wc) && wc.out.status == 0,
         "amdgpu_cs_wait_ioctl: done");
   /* the kernel zeroes the whole union on return: fill it again each time */
   wc = (union drm_amdgpu_wait_cs){
      .in = {.handle = seq + 1, .ip_type = AMDGPU_HW_IP_COMPUTE, .ctx_id = ctx}};
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_WAIT_CS, &wc) == -EINVAL, "amdgpu_ctx_get_fence: not submitted");

   /* an IB at an unmapped address: the job still completes (a VM fault does not fail it) */
   struct drm_amdgpu_cs_chunk_ib lost = ib_chunk(0x7f0000000000ull, 8);
   struct cs cs2 = {0};
   chunk(&cs2, AMDGPU_CHUNK_ID_IB, &lost, sizeof(lost));
   CHECK(!submit(fd0, ctx, &cs2, &seq), "submit an IB at an unmapped address");
   wc = (union drm_amdgpu_wait_cs){.in = {.handle = seq,
                                          .timeout = now_ns() + 5000000000ull,
                                          .ip_type = AMDGPU_HW_IP_COMPUTE,
                                          .ctx_id = ctx}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_WAIT_CS, &wc) && wc.out.status == 0,
         "gmc_v10_0_process_interrupt: a fault is logged, the fence still signals");
   union drm_amdgpu_ctx q = {.in = {.op = AMDGPU_CTX_OP_QUERY_STATE2, .ctx_id = ctx}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_CTX, &q) && q.out.state.flags == 0,
         "amdgpu_ctx_query2: no reset, not guilty");
   union drm_amdgpu_ctx fr = {.in = {.op = AMDGPU_CTX_OP_FREE_CTX, .ctx_id = ctx}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_CTX, &fr), "free");
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_CTX, &fr) == -EINVAL, "amdgpu_ctx_free: unknown id");
   union drm_amdgpu_ctx al = {.in = {.op = AMDGPU_CTX_OP_ALLOC_CTX, .priority = 100}};
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_CTX, &al) == -EINVAL, "amdgpu_ctx_priority_is_valid");
}

/* ---- syncobjs (drm_syncobj.c) ---- */
struct later {
   int fd;
   uint32_t handle;
   uint64_t point;
   unsigned delay_ms;
};

static void *signal_later(void *arg)
{
   struct later *l = arg;
   usleep(l->delay_ms * 1000);
   struct drm_syncobj_timeline_array a = {
      .handles = (uintptr_t)&l->handle, .points = (uintptr_t)&l->point, .count_handles = 1};
   io(l->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a);
   return NULL;
}

static int twait(uint32_t h, uint64_t point, uint32_t flags, int64_t timeout)
{
   struct drm_syncobj_timeline_wait w = {.handles = (uintptr_t)&h,
                                         .points = (uintptr_t)&point,
                                         .timeout_nsec = timeout,
                                         .count_handles = 1,
                                         .flags = flags};
   return io(fd0, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

static uint64_t query(uint32_t h)
{
   uint64_t p = ~0ull;
   struct drm_syncobj_timeline_array a = {
      .handles = (uintptr_t)&h, .points = (uintptr_t)&p, .count_handles = 1};
   return io(fd0, DRM_IOCTL_SYNCOBJ_QUERY, &a) ? ~0ull : p;
}

static void tsignal(uint32_t h, uint64_t point)
{
   struct drm_syncobj_timeline_array a = {
      .handles = (uintptr_t)&h, .points = (uintptr_t)&point, .count_handles = 1};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a), "timeline signal");
}

/* A job that stays pending until *gate = 1 (WAIT_REG_MEM), signalling (so, point). */
static void pending_job(uint32_t so, uint64_t point, uint32_t *gate_cpu, uint64_t gate_va,
                        unsigned slot)
{
   *gate_cpu = 0;
   ib_wait_then_write(ibbo.cpu + 128 + slot * 16, gate_va, data.va + 64, 1);
   struct drm_amdgpu_cs_chunk_ib ib = ib_chunk(ibbo.va + 512 + slot * 64, 16);
   struct drm_amdgpu_cs_chunk_syncobj sig = {.handle = so, .point = point};
   struct cs cs = {0};
   chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
   chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL, &sig, sizeof(sig));
   CHECK(!submit(fd0, ctx0, &cs, NULL), "pending job");
}

static void test_syncobj(void)
{
   struct drm_syncobj_create bad = {.flags = 2};
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_CREATE, &bad) == -EINVAL, "drm_syncobj_create_ioctl: flags");
   struct drm_syncobj_destroy d = {.handle = 4242};
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_DESTROY, &d) == -EINVAL, "drm_syncobj_destroy: unknown");

   uint32_t b = syncobj_new(fd0, 0), s = syncobj_new(fd0, DRM_SYNCOBJ_CREATE_SIGNALED);
   uint32_t hs[2] = {b, s};
   struct drm_syncobj_wait w = {.handles = (uintptr_t)hs, .count_handles = 1};
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_WAIT, &w) == -EINVAL,
         "drm_syncobj_array_wait_timeout: no fence without WAIT_FOR_SUBMIT is -EINVAL");
   w.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
   w.timeout_nsec = (int64_t)(now_ns() + 50000000);
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_WAIT, &w) == -ETIME,
         "WAIT_FOR_SUBMIT until the timeout: -ETIME");
   w.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_WAIT, &w) == -EINVAL,
         "drm_syncobj_wait_ioctl: WAIT_AVAILABLE is a timeline-wait flag");
   w.flags = 0;
   w.handles = (uintptr_t)&s;
   w.timeout_nsec = 0;
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_WAIT, &w), "CREATE_SIGNALED: the stub fence");
   uint32_t missing[1] = {4242};
   w.handles = (uintptr_t)missing;
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_WAIT, &w) == -ENOENT, "drm_syncobj_array_find: unknown handle");
   w.count_handles = 0;
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_WAIT, &w) == -EINVAL, "count_handles == 0");

   /* timeline chain: points signal in order, query reads the last signalled */
   uint32_t t = syncobj_new(fd0, 0);
   tsignal(t, 1);
   tsignal(t, 2);
   CHECK(query(t) == 2, "drm_syncobj_query_ioctl");
   CHECK(!twait(t, 2, 0, 0), "point 2 signalled");
   CHECK(!twait(t, 1, 0, 0), "an earlier point is covered by the chain");
   CHECK(twait(t, 3, 0, 0) == -EINVAL, "dma_fence_chain_find_seqno: point not yet on the timeline");
   CHECK(twait(t, 3, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, (int64_t)(now_ns() + 50000000)) ==
            -ETIME,
         "WAIT_FOR_SUBMIT: -ETIME at the deadline");
   /* blocking and thread-safe: another thread adds the point */
   pthread_t th;
   struct later l = {fd0, t, 3, 100};
   pthread_create(&th, NULL, signal_later, &l);
   CHECK(!twait(t, 3, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, (int64_t)(now_ns() + 5000000000ull)),
         "WAIT_FOR_SUBMIT wakes when another thread submits the point");
   pthread_join(th, NULL);

   /* a pending kernel point (a job), then an out-of-order host point: the chain starts a new
    * context (dma_fence_chain_init), the query reads 0 and point 4 waits for the job */
   uint32_t *gate = data.cpu + 32;
   uint64_t gate_va = data.va + 128;
   pending_job(t, 5, gate, gate_va, 0);
   CHECK(query(t) == 3, "the pending point 5 is not signalled: query reads 3");
   CHECK(!twait(t, 5, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE, 0),
         "WAIT_AVAILABLE: a fence is attached (signalled or not)");
   CHECK(twait(t, 5, 0, 0) == -ETIME, "not signalled: timeout 0 is -ETIME");
   tsignal(t, 4); /* out of order: 4 < 5 */
   CHECK(query(t) == 0, "drm_syncobj_query_ioctl on an out-of-order chain: prev_seqno 0");
   CHECK(twait(t, 4, 0, 0) == -ETIME, "point 4 now waits for the whole chain (the job)");
   /* WAIT_ALL against any: one signalled, one pending */
   uint32_t two[2] = {s, t};
   uint64_t pts[2] = {0, 5};
   struct drm_syncobj_timeline_wait tw = {
      .handles = (uintptr_t)two, .points = (uintptr_t)pts, .count_handles = 2, .timeout_nsec = 0};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &tw) && tw.first_signaled == 0,
         "without WAIT_ALL one signalled fence is enough (first_signaled)");
   tw.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &tw) == -ETIME, "WAIT_ALL: -ETIME");

   /* sync_file export of the pending point: not readable until the job ends; merge with a
    * signalled one (sync_file.c sync_file_merge) */
   uint32_t bin = syncobj_new(fd0, 0);
   struct drm_syncobj_transfer tr = {.src_handle = t, .src_point = 5, .dst_handle = bin};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_TRANSFER, &tr), "drm_syncobj_transfer_to_binary");
   struct drm_syncobj_handle ex = {.handle = bin,
                                   .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &ex), "export sync_file");
   struct drm_syncobj_handle ex2 = {.handle = s,
                                    .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &ex2), "export a signalled sync_file");
   struct sync_merge_data md = {.name = "m", .fd2 = ex2.fd};
   CHECK(!ioctl(ex.fd, SYNC_IOC_MERGE, &md), "SYNC_IOC_MERGE");
   struct pollfd pfd = {.fd = md.fence, .events = POLLIN};
   CHECK(poll(&pfd, 1, 0) == 0, "merged sync_file pending while the job is");
   struct drm_syncobj_handle ex3 = {.handle = b,
                                    .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE};
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &ex3) == -EINVAL,
         "drm_syncobj_export_sync_file: no fence");
   uint32_t imp = syncobj_new(fd0, 0);
   struct drm_syncobj_handle im = {
      .handle = imp, .fd = md.fence, .flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &im), "import sync_file");

   /* opaque fd: a new handle to the same syncobj */
   struct drm_syncobj_handle op = {.handle = t};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &op), "opaque export");
   struct drm_syncobj_handle back = {.fd = op.fd};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &back) && back.handle != t, "opaque import");

   /* release the job: everything signals */
   __atomic_store_n(gate, 1, __ATOMIC_SEQ_CST);
   CHECK(!twait(t, 5, 0, (int64_t)(now_ns() + 5000000000ull)), "the job ends, point 5 signals");
   CHECK(poll(&pfd, 1, 5000) == 1, "the merged sync_file becomes readable");
   w = (struct drm_syncobj_wait){.handles = (uintptr_t)&imp,
                                 .count_handles = 1,
                                 .timeout_nsec = (int64_t)(now_ns() + 5000000000ull)};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_WAIT, &w), "the imported fence signalled");
   uint64_t p = 0;
   struct drm_syncobj_timeline_array qa = {
      .handles = (uintptr_t)&back.handle, .points = (uintptr_t)&p, .count_handles = 1};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_QUERY, &qa) && p == 5,
         "the other handle sees the same chain, all signalled: the head's seqno");
   struct drm_syncobj_array ra = {.handles = (uintptr_t)&bin, .count_handles = 1};
   CHECK(!io(fd0, DRM_IOCTL_SYNCOBJ_RESET, &ra), "reset");
   w.handles = (uintptr_t)&bin;
   w.timeout_nsec = 0;
   CHECK(io(fd0, DRM_IOCTL_SYNCOBJ_WAIT, &w) == -EINVAL, "after reset: no fence");
   close(ex.fd);
   close(ex2.fd);
   close(md.fence);
   close(op.fd);
}

/* CS with a TIMELINE_WAIT chunk carrying WAIT_FOR_SUBMIT: the ioctl itself sleeps until the
 * point has a fence (drm_syncobj_find_fence), so a submission may precede its signaller. */
static void test_cs_wait_for_submit(void)
{
   uint32_t t = syncobj_new(fd0, 0);
   ib_write(ibbo.cpu + 512, data.va + 256, 0x5b);
   struct drm_amdgpu_cs_chunk_ib ib = ib_chunk(ibbo.va + 2048, 8);
   struct drm_amdgpu_cs_chunk_syncobj wt = {
      .handle = t, .point = 7, .flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT};
   struct cs cs = {0};
   chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
   chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT, &wt, sizeof(wt));
   pthread_t th;
   struct later l = {fd0, t, 7, 100};
   uint64_t t0 = now_ns();
   pthread_create(&th, NULL, signal_later, &l);
   CHECK(!submit(fd0, ctx0, &cs, NULL), "CS with WAIT_FOR_SUBMIT returns once the point exists");
   CHECK(now_ns() - t0 >= 90000000ull, "the CS ioctl slept until the signaller came");
   pthread_join(th, NULL);
   for (int i = 0; i < 500 && data.cpu[64] != 0x5b; i++)
      usleep(10000);
   CHECK(data.cpu[64] == 0x5b, "and the job ran");
}

/* A hang (run with VGPU_JOB_TIMEOUT_MS=200): amdgpu_job.c amdgpu_job_timedout sets -ETIME on
 * the job's fence and amdgpu_device_gpu_recover resets: the hung job's context is guilty
 * (QUERY2 RESET | GUILTY, and amdgpu_cs_parser_init refuses its next CS with -ECANCELED); a
 * context made before the reset sees RESET only (innocent); amdgpu_cs_wait_ioctl returns the
 * fence's error. */
static int test_timeout(void)
{
   uint32_t victim = ctx_new(fd0), bystander = ctx_new(fd0);
   data.cpu[200] = 0; /* the gate nobody opens */
   ib_wait_then_write(ibbo.cpu + 1024, data.va + 800, data.va + 804, 1);
   struct drm_amdgpu_cs_chunk_ib ib = ib_chunk(ibbo.va + 4096, 16);
   struct cs cs = {0};
   chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
   uint64_t seq = 0;
   CHECK(!submit(fd0, victim, &cs, &seq), "submit the hang");
   union drm_amdgpu_wait_cs wc = {.in = {.handle = seq,
                                         .timeout = now_ns() + 5000000000ull,
                                         .ip_type = AMDGPU_HW_IP_COMPUTE,
                                         .ctx_id = victim}};
   CHECK(io(fd0, DRM_IOCTL_AMDGPU_WAIT_CS, &wc) == -ETIME, "the hung job's fence error: -ETIME");
   union drm_amdgpu_ctx q = {.in = {.op = AMDGPU_CTX_OP_QUERY_STATE2, .ctx_id = victim}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_CTX, &q) &&
            q.out.state.flags == (AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_GUILTY),
         "amdgpu_ctx_query2: RESET | GUILTY for the hung context");
   q = (union drm_amdgpu_ctx){.in = {.op = AMDGPU_CTX_OP_QUERY_STATE2, .ctx_id = bystander}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_CTX, &q) && q.out.state.flags == AMDGPU_CTX_QUERY2_FLAGS_RESET,
         "amdgpu_ctx_query2: RESET only for an innocent context");
   uint32_t fresh = ctx_new(fd0);
   q = (union drm_amdgpu_ctx){.in = {.op = AMDGPU_CTX_OP_QUERY_STATE2, .ctx_id = fresh}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_CTX, &q) && q.out.state.flags == 0,
         "a context made after the reset: nothing to report");
   CHECK(submit(fd0, victim, &cs, NULL) == -ECANCELED, "amdgpu_cs_parser_init: guilty context");
   printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}

/* Closing a DRM fd while its job runs (amdgpu_driver_postclose_kms -> amdgpu_ctx_mgr_fini ->
 * drm_sched_entity_flush, at most MAX_WAIT_SCHED_ENTITY_Q_EMPTY = 1 s): close() returns without
 * waiting for the job, which keeps its memory until it ends. */
static void test_close_busy(void)
{
   int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
   uint32_t ctx = ctx_new(fd);
   struct bo ib = bo_new(fd, 4096, AMDGPU_GEM_DOMAIN_GTT, 0);
   struct bo mem = bo_new(fd, 4096, AMDGPU_GEM_DOMAIN_GTT, 0);
   ib_wait_then_write(ib.cpu, mem.va, mem.va + 4, 0x77);
   struct drm_amdgpu_cs_chunk_ib c = ib_chunk(ib.va, 16);
   struct cs cs = {0};
   chunk(&cs, AMDGPU_CHUNK_ID_IB, &c, sizeof(c));
   CHECK(!submit(fd, ctx, &cs, NULL), "submit a job that waits on memory");
   uint64_t t0 = now_ns();
   close(fd);
   CHECK(now_ns() - t0 < 3000000000ull, "close() returns after the entity flush, not the job");
   __atomic_store_n(mem.cpu, 1, __ATOMIC_SEQ_CST); /* the job still runs: let it end */
   for (int i = 0; i < 500 && mem.cpu[1] != 0x77; i++)
      usleep(10000);
   CHECK(mem.cpu[1] == 0x77, "the running job finished after the close, its memory alive");
}

/* Per-ring order (drm_sched: one entity per context and ring, its jobs in submission order):
 * a job queued behind a blocked one on the same ring waits; one on another ring does not.
 * GEM_WAIT_IDLE (amdgpu_gem_wait_idle_ioctl) and WAIT_FENCES (amdgpu_cs_wait_fences_ioctl:
 * status 1 when satisfied, wait_all or any) see the same. */
static void test_ordering(void)
{
   uint32_t *gate = data.cpu + 512;
   uint64_t gate_va = data.va + 2048;
   *gate = 0;
   data.cpu[600] = data.cpu[601] = 0;
   ib_wait_then_write(ibbo.cpu + 2048, gate_va, data.va + 2400, 1);
   ib_write(ibbo.cpu + 2064, data.va + 2404, 2);
   ib_write(ibbo.cpu + 2072, data.va + 2408, 3);
   struct drm_amdgpu_cs_chunk_ib blocked = ib_chunk(ibbo.va + 8192, 16);
   struct drm_amdgpu_cs_chunk_ib behind = ib_chunk(ibbo.va + 8256, 8);
   struct drm_amdgpu_cs_chunk_ib other = ib_chunk(ibbo.va + 8288, 8);
   other.ring = 1;
   struct cs a = {0}, b = {0}, c = {0};
   chunk(&a, AMDGPU_CHUNK_ID_IB, &blocked, sizeof(blocked));
   chunk(&b, AMDGPU_CHUNK_ID_IB, &behind, sizeof(behind));
   chunk(&c, AMDGPU_CHUNK_ID_IB, &other, sizeof(other));
   uint64_t sa, sb, sc;
   CHECK(!submit(fd0, ctx0, &a, &sa) && !submit(fd0, ctx0, &b, &sb) && !submit(fd0, ctx0, &c, &sc),
         "three jobs");
   for (int i = 0; i < 500 && data.cpu[602] != 3; i++)
      usleep(10000);
   CHECK(data.cpu[602] == 3, "compute ring 1 runs while ring 0 is blocked");
   CHECK(data.cpu[601] == 0, "the job behind the blocked one on ring 0 has not run");
   union drm_amdgpu_gem_wait_idle wi = {.in = {.handle = data.handle, .timeout = 0}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_GEM_WAIT_IDLE, &wi) && wi.out.status == 1,
         "amdgpu_gem_wait_idle_ioctl: busy");
   struct drm_amdgpu_fence f[2] = {
      {.ctx_id = ctx0, .ip_type = AMDGPU_HW_IP_COMPUTE, .ring = 1, .seq_no = sc},
      {.ctx_id = ctx0, .ip_type = AMDGPU_HW_IP_COMPUTE, .ring = 0, .seq_no = sb},
   };
   union drm_amdgpu_wait_fences wf = {
      .in = {.fences = (uintptr_t)f, .fence_count = 2, .wait_all = 0, .timeout_ns = 0}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_WAIT_FENCES, &wf) && wf.out.status == 1 &&
            wf.out.first_signaled == 0,
         "WAIT_FENCES any: the ring-1 job");
   wf = (union drm_amdgpu_wait_fences){
      .in = {.fences = (uintptr_t)f, .fence_count = 2, .wait_all = 1, .timeout_ns = 0}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_WAIT_FENCES, &wf) && wf.out.status == 0,
         "WAIT_FENCES all: not yet");
   __atomic_store_n(gate, 1, __ATOMIC_SEQ_CST);
   wf = (union drm_amdgpu_wait_fences){.in = {.fences = (uintptr_t)f,
                                              .fence_count = 2,
                                              .wait_all = 1,
                                              .timeout_ns = now_ns() + 5000000000ull}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_WAIT_FENCES, &wf) && wf.out.status == 1, "WAIT_FENCES all");
   CHECK(data.cpu[600] == 1 && data.cpu[601] == 2, "ring 0 ran both, in order");
   wi = (union drm_amdgpu_gem_wait_idle){.in = {.handle = data.handle, .timeout = ~0ull}};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_GEM_WAIT_IDLE, &wi) && wi.out.status == 0, "idle");
}

/* ---- faults (each its own run: VGPU_JOB_TIMEOUT_MS=300 and VGPU_INJECT as CMakeLists.txt
 * sets them). The IBs live in slots of 16 dwords from dword 4096 of ibbo. ---- */
static uint32_t *slot_cpu(unsigned slot)
{
   return ibbo.cpu + 4096 + slot * 16;
}

/* A CS of the 16-dword IB in slot (compute ring 0), with a binary out-syncobj when so != 0. */
static int submit_slot(uint32_t ctx, unsigned slot, uint32_t so, uint64_t *seq)
{
   struct drm_amdgpu_cs_chunk_ib ib = ib_chunk(ibbo.va + (4096 + slot * 16) * 4, 16);
   struct drm_amdgpu_cs_chunk_sem sig = {.handle = so};
   struct cs cs = {0};
   chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
   if (so)
      chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_OUT, &sig, sizeof(sig));
   return submit(fd0, ctx, &cs, seq);
}

/* A job that writes value at dword idx of data (8-dword IB padded to 16). */
static void slot_write(unsigned slot, unsigned idx, uint32_t value)
{
   ib_write(slot_cpu(slot), data.va + idx * 4, value);
   for (unsigned i = 8; i < 16; i++)
      slot_cpu(slot)[i] = NOP2;
}

/* amdgpu_cs_wait_ioctl with a 5 s deadline: the fence's error, or 1 if still busy. */
static int wait_cs(uint32_t ctx, uint64_t seq, uint64_t timeout_abs)
{
   union drm_amdgpu_wait_cs w = {
      .in = {
         .handle = seq, .timeout = timeout_abs, .ip_type = AMDGPU_HW_IP_COMPUTE, .ctx_id = ctx}};
   int r = io(fd0, DRM_IOCTL_AMDGPU_WAIT_CS, &w);
   return r ? r : (int)w.out.status;
}

static uint64_t query2(uint32_t ctx)
{
   union drm_amdgpu_ctx q = {.in = {.op = AMDGPU_CTX_OP_QUERY_STATE2, .ctx_id = ctx}};
   return io(fd0, DRM_IOCTL_AMDGPU_CTX, &q) ? ~0ull : q.out.state.flags;
}

/* The status of a binary syncobj's fence as a sync_file reports it (sync_file.c
 * sync_file_ioctl_fence_info: dma_fence_get_status, so the fence error when signalled). */
static int syncobj_status(uint32_t so)
{
   struct drm_syncobj_handle h = {
      .handle = so, .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, .fd = -1};
   if (io(fd0, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h))
      return 99;
   struct sync_file_info info = {0};
   int r = ioctl(h.fd, SYNC_IOC_FILE_INFO, &info) ? 98 : info.status;
   close(h.fd);
   return r;
}

#define RESET  AMDGPU_CTX_QUERY2_FLAGS_RESET
#define GUILTY AMDGPU_CTX_QUERY2_FLAGS_GUILTY
#define LOST   AMDGPU_CTX_QUERY2_FLAGS_VRAMLOST

/* A reset caused by another context (a never-ending WAIT_REG_MEM, VGPU_JOB_TIMEOUT_MS=600).
 * amdgpu_job.c amdgpu_job_timedout: the hung job's fence -ETIME, then amdgpu_device_gpu_recover
 * (drm_sched_increase_karma: its context guilty). The innocent context's job that was on the
 * hardware is not resubmitted: its hardware fence is cleared and drm_sched_start
 * (sched_main.c) ends it with -ECANCELED. The guilty context's queued job is skipped
 * (sched_entity.c drm_sched_entity_pop_job: -ECANCELED) and its next CS refused
 * (amdgpu_cs_parser_init). amdgpu_ctx.c amdgpu_ctx_query2: RESET for every context made before
 * the reset, GUILTY for the hung one. drm_syncobj.c: a wait on the point succeeds (it looks at
 * signalled only); the error reaches a sync_file's status. The innocent context goes on. */
static int test_reset_other(void)
{
   uint32_t hanger = ctx_new(fd0), innocent = ctx_new(fd0);
   uint32_t so_hang = syncobj_new(fd0, 0), so_inn = syncobj_new(fd0, 0);
   data.cpu[1000] = data.cpu[1002] = 0;
   ib_wait_then_write(slot_cpu(0), data.va + 4000, data.va + 4004, 0x11); /* gate 1000 */
   ib_wait_then_write(slot_cpu(1), data.va + 4008, data.va + 4012, 0x22); /* gate 1002 */
   slot_write(2, 1004, 0x33);
   slot_write(3, 1005, 0x44);
   uint64_t s_inn = 0, s_hang = 0, s_queued = 0, s_after = 0;
   CHECK(!submit_slot(hanger, 1, so_hang, &s_hang), "the hang");
   CHECK(!submit_slot(hanger, 2, 0, &s_queued), "a job queued behind the hang");
   usleep(300000); /* half the job timeout (600 ms) later, so the hang's timeout comes first */
   CHECK(!submit_slot(innocent, 0, so_inn, &s_inn), "the innocent job, blocked on the hardware");
   uint64_t deadline = now_ns() + 5000000000ull;
   CHECK(wait_cs(hanger, s_hang, deadline) == -ETIME, "amdgpu_job_timedout: -ETIME");
   CHECK(wait_cs(hanger, s_queued, deadline) == -ECANCELED,
         "drm_sched_entity_pop_job: a guilty entity's job is cancelled");
   CHECK(wait_cs(innocent, s_inn, deadline) == -ECANCELED,
         "drm_sched_start: the innocent job on the hardware ends -ECANCELED, not resubmitted");
   data.cpu[1000] = 1; /* its gate opens too late: the job is gone */
   usleep(50000);
   CHECK(data.cpu[1001] == 0 && data.cpu[1004] == 0, "neither cancelled job wrote anything");
   CHECK(twait(so_hang, 0, 0, (int64_t)deadline) == 0,
         "drm_syncobj_array_wait_timeout: signalled, the error is not the wait's");
   CHECK(syncobj_status(so_hang) == -ETIME, "sync_file_ioctl_fence_info: status -ETIME");
   CHECK(syncobj_status(so_inn) == -ECANCELED, "sync_file_ioctl_fence_info: status -ECANCELED");
   CHECK(query2(hanger) == (RESET | GUILTY), "amdgpu_ctx_query2: RESET | GUILTY (hung context)");
   CHECK(query2(innocent) == RESET, "amdgpu_ctx_query2: RESET (innocent, made before)");
   CHECK(query2(ctx0) == RESET, "amdgpu_ctx_query2: RESET (idle, made before: any reset)");
   uint32_t fresh = ctx_new(fd0);
   CHECK(query2(fresh) == 0, "amdgpu_ctx_query2: nothing for a context made after");
   CHECK(submit_slot(hanger, 3, 0, NULL) == -ECANCELED, "amdgpu_cs_parser_init: guilty context");
   CHECK(!submit_slot(innocent, 3, 0, &s_after) && wait_cs(innocent, s_after, deadline) == 0 &&
            data.cpu[1005] == 0x44,
         "the innocent context runs on after the reset");
   printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}

/* VGPU_RESET=queue: the per-queue reset amdgpu_job_timedout tries first in newer kernels
 * (amdgpu_job.c, stored copy ~6.15: dma_fence_set_error -ETIME, amdgpu_ring_reset,
 * atomic_inc(gpu_reset_counter), drm_sched_start; no drm_sched_increase_karma): the hung job
 * -ETIME, its context not guilty (its queued job runs, its next CS is accepted), QUERY2 RESET for
 * every context made before (the counter moved) and GUILTY for none. */
static int test_queue_reset(void)
{
   uint32_t hanger = ctx_new(fd0), other = ctx_new(fd0);
   data.cpu[1002] = 0;
   ib_wait_then_write(slot_cpu(1), data.va + 4008, data.va + 4012, 0x22); /* gate 1002 */
   slot_write(2, 1004, 0x33);
   slot_write(3, 1005, 0x44);
   uint64_t s_hang = 0, s_queued = 0, s = 0, deadline = now_ns() + 5000000000ull;
   CHECK(!submit_slot(hanger, 1, 0, &s_hang) && !submit_slot(hanger, 2, 0, &s_queued), "submit");
   CHECK(wait_cs(hanger, s_hang, deadline) == -ETIME, "amdgpu_job_timedout: -ETIME");
   CHECK(wait_cs(hanger, s_queued, deadline) == 0 && data.cpu[1004] == 0x33,
         "no karma: the entity is not guilty, its queued job runs");
   CHECK(query2(hanger) == RESET && query2(other) == RESET, "QUERY2: RESET, no GUILTY");
   CHECK(!submit_slot(hanger, 3, 0, &s) && wait_cs(hanger, s, deadline) == 0 &&
            data.cpu[1005] == 0x44,
         "the hung context's next CS is accepted and runs");
   printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}

/* VGPU_INJECT=hang@ctx2:job1,slow@ctx3:job1:100,lost-fence@ctx3:job2 (ctx1 is main's ctx0),
 * VGPU_JOB_TIMEOUT_MS=300. A lost fence interrupt: the work is done (its memory written) and the
 * fence signals when amdgpu_fence.c amdgpu_fence_fallback runs, AMDGPU_FENCE_JIFFIES_TIMEOUT
 * (HZ / 2) later. An injected hang is a timeout like any other. */
static int test_inject(void)
{
   uint32_t c2 = ctx_new(fd0), c3 = ctx_new(fd0);
   slot_write(0, 1010, 1);
   slot_write(1, 1011, 2);
   slot_write(2, 1012, 3);
   uint64_t s = 0, deadline = now_ns() + 5000000000ull, t0 = now_ns();
   CHECK(!submit_slot(c3, 0, 0, &s) && wait_cs(c3, s, deadline) == 0, "the slow job completes");
   CHECK(now_ns() - t0 >= 90000000ull && data.cpu[1010] == 1, "100 ms later, its work done");
   t0 = now_ns();
   CHECK(!submit_slot(c3, 1, 0, &s), "the lost-fence job");
   for (int i = 0; i < 200 && data.cpu[1011] != 2; i++)
      usleep(1000);
   CHECK(data.cpu[1011] == 2 && wait_cs(c3, s, 0) == 1, "its work is done, its fence not yet");
   CHECK(wait_cs(c3, s, deadline) == 0 && now_ns() - t0 >= 450000000ull,
         "amdgpu_fence_fallback signals it about 500 ms later");
   CHECK(!submit_slot(c2, 2, 0, &s) && wait_cs(c2, s, deadline) == -ETIME,
         "the injected hang times out: -ETIME");
   CHECK(data.cpu[1012] == 0, "the hung job never ran");
   CHECK(query2(c2) == (RESET | GUILTY) && query2(c3) == RESET, "QUERY2: guilty and innocent");
   printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}

/* VGPU_INJECT=vram-lost@ctx2:job1, VGPU_JOB_TIMEOUT_MS=300: a hang whose reset loses VRAM
 * (amdgpu_device.c amdgpu_device_gpu_recover -> amdgpu_device_check_vram_lost ->
 * vram_lost_counter). INFO VRAM_LOST_COUNTER moves (amdgpu_kms.c); QUERY2 sets VRAMLOST for
 * contexts made before (amdgpu_ctx_query2: ctx->generation against amdgpu_vm_generation); a job
 * submitted before the loss that runs after it is cancelled (amdgpu_job.c amdgpu_job_run:
 * job->generation differs, -ECANCELED); VRAM contents are gone, GTT survives; a CS on a context
 * made before the loss is refused (amdgpu_cs.c amdgpu_cs_pass1: -ECANCELED), a new context runs. */
static int test_vram_lost(void)
{
   uint32_t c2 = ctx_new(fd0), c3 = ctx_new(fd0);
   data.cpu[1020] = 0x1234;
   slot_cpu(10)[0] = 0xabcd; /* GTT */
   slot_write(0, 1021, 1);
   slot_write(1, 1022, 2);
   slot_write(2, 1023, 3);
   uint64_t s2 = 0, s3 = 0, deadline = now_ns() + 5000000000ull;
   CHECK(!submit_slot(c2, 0, 0, &s2), "the hang that loses VRAM");
   struct drm_amdgpu_cs_chunk_dep dep = {
      .ip_type = AMDGPU_HW_IP_COMPUTE, .ctx_id = c2, .handle = s2};
   struct drm_amdgpu_cs_chunk_ib ib = ib_chunk(ibbo.va + (4096 + 16) * 4, 16);
   struct cs cs = {0};
   chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
   chunk(&cs, AMDGPU_CHUNK_ID_DEPENDENCIES, &dep, sizeof(dep));
   CHECK(!submit(fd0, c3, &cs, &s3), "an innocent job waiting for it, submitted before the loss");
   CHECK(wait_cs(c2, s2, deadline) == -ETIME, "the hang: -ETIME");
   CHECK(wait_cs(c3, s3, deadline) == -ECANCELED, "amdgpu_job_run: older generation, -ECANCELED");
   uint32_t lost = 0;
   struct drm_amdgpu_info q = {
      .return_pointer = (uintptr_t)&lost, .return_size = 4, .query = AMDGPU_INFO_VRAM_LOST_COUNTER};
   CHECK(!io(fd0, DRM_IOCTL_AMDGPU_INFO, &q) && lost == 1, "AMDGPU_INFO_VRAM_LOST_COUNTER: 1");
   CHECK(query2(c2) == (RESET | LOST | GUILTY), "QUERY2: RESET | VRAMLOST | GUILTY");
   CHECK(query2(c3) == (RESET | LOST), "QUERY2: RESET | VRAMLOST for an innocent context");
   uint32_t fresh = ctx_new(fd0);
   CHECK(query2(fresh) == 0, "QUERY2: nothing for a context made after the loss");
   CHECK(data.cpu[1020] != 0x1234 && data.cpu[1022] != 2,
         "VRAM contents are gone (and the cancelled job wrote nothing)");
   CHECK(slot_cpu(10)[0] == 0xabcd, "GTT contents survive");
   CHECK(submit_slot(c3, 2, 0, NULL) == -ECANCELED,
         "amdgpu_cs_pass1: a context older than the loss, -ECANCELED");
   CHECK(!submit_slot(fresh, 2, 0, &s3) && wait_cs(fresh, s3, deadline) == 0 && data.cpu[1023] == 3,
         "a context made after the loss runs");
   printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}

/* An IB rewritten while its job is in flight (blocked on a gate): the kernel runs whatever the
 * memory holds when the CP reads it, so the new value lands; the model counts it
 * (reused_in_flight 1 in the report). A rewrite after the fence signalled is not counted. */
static int test_reuse(void)
{
   data.cpu[1030] = 0;
   ib_wait_then_write(slot_cpu(0), data.va + 4120, data.va + 4124, 0x55);
   uint64_t s = 0, deadline = now_ns() + 5000000000ull;
   CHECK(!submit_slot(ctx0, 0, 0, &s), "a job waiting on its gate");
   usleep(20000);
   slot_cpu(0)[11] = 0x56; /* the WRITE_DATA value, while the job is in flight */
   data.cpu[1030] = 1;
   CHECK(wait_cs(ctx0, s, deadline) == 0 && data.cpu[1031] == 0x56, "the CP read the rewritten IB");
   slot_cpu(0)[11] = 0x57; /* after the fence: free to reuse */
   printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}

/* A GPU page fault does not fail the job (gmc_v10_0.c gmc_v10_0_process_interrupt logs it and
 * amdgpu_vm_update_fault_cache records it). From DRM 3.55 (amdgpu_kms.c AMDGPU_INFO_GPUVM_FAULT,
 * struct drm_amdgpu_info_gpuvm_fault in the kernel's amdgpu_drm.h: addr u64, status u32, vmhub
 * u32) the file can read the last fault: the page address, GCVM_L2_PROTECTION_FAULT_STATUS (RW
 * bit 18 for a write: gc_10_3_0_sh_mask.h), vmhub AMDGPU_VMHUB_TYPE_GFX 0. An older kernel does
 * not know the query: -EINVAL. */
static int test_page_fault(void)
{
   const uint64_t bad = 0x7f0000001234ull & ~3ull;
   ib_write(slot_cpu(0), bad, 1);
   for (unsigned i = 8; i < 16; i++)
      slot_cpu(0)[i] = NOP2;
   uint64_t s = 0;
   CHECK(!submit_slot(ctx0, 0, 0, &s) && wait_cs(ctx0, s, now_ns() + 5000000000ull) == 0,
         "the faulting job completes without an error");
   drmVersionPtr v = drmGetVersion(fd0);
   int minor = v ? v->version_minor : 0;
   drmFreeVersion(v);
   struct {
      uint64_t addr;
      uint32_t status, vmhub;
   } fault = {0};
   struct drm_amdgpu_info q = {
      .return_pointer = (uintptr_t)&fault, .return_size = sizeof(fault), .query = 0x23};
   int r = io(fd0, DRM_IOCTL_AMDGPU_INFO, &q);
   if (minor < 55) {
      CHECK(r == -EINVAL, "DRM 3.49: AMDGPU_INFO_GPUVM_FAULT unknown, -EINVAL");
   } else {
      CHECK(!r && fault.addr == (bad & ~4095ull), "GPUVM_FAULT: the faulting page");
      CHECK(fault.status & (1u << 18), "GCVM_L2_PROTECTION_FAULT_STATUS: RW (a write)");
      CHECK(fault.vmhub == 0, "AMDGPU_VMHUB_TYPE_GFX");
   }
   printf("DRM 3.%d: %s: %d failure(s)\n", minor, failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}

/* drm_syncobj.c drm_syncobj_find_fence: with WAIT_FOR_SUBMIT and no fence for the point, the CS
 * ioctl itself sleeps up to DRM_SYNCOBJ_WAIT_FOR_SUBMIT_TIMEOUT (5 s; 200 ms here through
 * VGPU_WAIT_FOR_SUBMIT_TIMEOUT_MS), then fails with -ETIME. */
static int test_wait_for_submit_timeout(void)
{
   uint32_t t = syncobj_new(fd0, 0);
   slot_write(0, 1040, 1);
   struct drm_amdgpu_cs_chunk_ib ib = ib_chunk(ibbo.va + 4096 * 4, 16);
   struct drm_amdgpu_cs_chunk_syncobj wt = {
      .handle = t, .point = 3, .flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT};
   struct cs cs = {0};
   chunk(&cs, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
   chunk(&cs, AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT, &wt, sizeof(wt));
   uint64_t t0 = now_ns();
   CHECK(submit(fd0, ctx0, &cs, NULL) == -ETIME, "no signaller came: -ETIME");
   uint64_t slept = now_ns() - t0;
   CHECK(slept >= 150000000ull && slept < 4000000000ull, "the ioctl slept about 200 ms");
   CHECK(data.cpu[1040] == 0, "and nothing ran");
   printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
   fd0 = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
   fd1 = open("/dev/dri/renderD129", O_RDWR | O_CLOEXEC);
   if (fd0 < 0 || fd1 < 0) {
      fprintf(stderr, "FAIL: no render nodes (run under scripts/vgpu gfx1036,gfx1030)\n");
      return 1;
   }
   ctx0 = ctx_new(fd0);
   ibbo = bo_new(fd0, 65536, AMDGPU_GEM_DOMAIN_GTT, AMDGPU_GEM_CREATE_CPU_GTT_USWC);
   data = bo_new(fd0, 65536, AMDGPU_GEM_DOMAIN_VRAM, AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
   fencebo = bo_new(fd0, 4096, AMDGPU_GEM_DOMAIN_GTT, 0);
   if (!ctx0 || !ibbo.cpu || !data.cpu || !fencebo.cpu) {
      fprintf(stderr, "FAIL: setup\n");
      return 1;
   }
   static const struct {
      const char *name;
      int (*run)(void);
   } modes[] = {
      {"timeout", test_timeout},         {"reset", test_reset_other},
      {"queue-reset", test_queue_reset}, {"inject", test_inject},
      {"vram-lost", test_vram_lost},     {"reuse", test_reuse},
      {"page-fault", test_page_fault},   {"wait-for-submit-timeout", test_wait_for_submit_timeout},
   };
   for (unsigned i = 0; argc > 1 && i < sizeof(modes) / sizeof(modes[0]); i++)
      if (!strcmp(argv[1], modes[i].name))
         return modes[i].run();
   test_discovery();
   test_gem();
   test_cs_checks();
   test_cs_runs();
   test_syncobj();
   test_cs_wait_for_submit();
   test_ordering();
   test_close_busy();
   printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}
