/* The per-file GPU VM: GEM_VA mappings (amdgpu_gem.c amdgpu_gem_va_ioctl, amdgpu_vm.c
 * amdgpu_vm_bo_map/unmap/clear_mappings/replace_map) and the translation the command processor
 * reads memory through. An unmapped range stays visible to jobs submitted before the unmap: the
 * kernel's page-table update for it is ordered after the VM's fences (amdgpu_vm_clear_freed). */
#include "vgpu_ioctls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096ull
/* amdgpu_gmc.h */
#define GMC_HOLE_START 0x0000800000000000ull
#define GMC_HOLE_END   0xffff800000000000ull
#define GMC_HOLE_MASK  0x0000ffffffffffffull
/* amdgpu_vm.h of kernel 6.1: AMDGPU_VA_RESERVED_SIZE */
#define VA_RESERVED_SIZE (1ull << 20)
/* A 48-bit VM (max_pfn = 1 << 36 pages on gfx10/11) */
#define VM_SIZE (1ull << 48)

static int live(const struct vgpu_mapping *m)
{
   return m->unmapped_at == UINT64_MAX;
}

static struct vgpu_mapping *overlap_locked(struct vgpu_file *f, uint64_t start, uint64_t last)
{
   for (unsigned i = 0; i < f->n_maps; i++) {
      struct vgpu_mapping *m = &f->maps[i];
      if (live(m) && m->start <= last && start <= m->last)
         return m;
   }
   return NULL;
}

static int insert_locked(struct vgpu_file *f, const struct vgpu_mapping *m)
{
   if (f->n_maps == f->cap_maps) {
      unsigned cap = f->cap_maps ? f->cap_maps * 2 : 64;
      struct vgpu_mapping *n = realloc(f->maps, cap * sizeof(*n));
      if (!n)
         return -ENOMEM;
      f->maps = n;
      f->cap_maps = cap;
   }
   f->maps[f->n_maps++] = *m;
   if (m->bo)
      vgpu_bo_ref(m->bo);
   return 0;
}

void vgpu_vm_reap_locked(struct vgpu_file *f)
{
   if (f->jobs_in_flight)
      return;
   unsigned j = 0;
   for (unsigned i = 0; i < f->n_maps; i++) {
      if (live(&f->maps[i]))
         f->maps[j++] = f->maps[i];
      else
         vgpu_bo_unref(f->maps[i].bo);
   }
   f->n_maps = j;
}

void vgpu_vm_bo_del_locked(struct vgpu_file *f, struct vgpu_bo *bo, uint64_t now_seq)
{
   for (unsigned i = 0; i < f->n_maps; i++)
      if (f->maps[i].bo == bo && live(&f->maps[i]))
         f->maps[i].unmapped_at = now_seq;
   vgpu_vm_reap_locked(f);
}

/* amdgpu_vm_bo_map's parameter checks and overlap test ("bo %p va 0x%010Lx-0x%010Lx conflict
 * with 0x%010Lx-0x%010Lx"). */
static int map_locked(struct vgpu_file *f, struct vgpu_bo *bo, uint64_t saddr, uint64_t offset,
                      uint64_t size, uint64_t flags)
{
   if ((saddr | offset | size) & (PAGE - 1))
      return -EINVAL;
   if (saddr + size <= saddr || offset + size <= offset)
      return -EINVAL;
   uint64_t eaddr = saddr + size - 1;
   if ((bo && offset + size > bo->size) || eaddr >= VM_SIZE)
      return -EINVAL;
   struct vgpu_mapping *o = overlap_locked(f, saddr, eaddr);
   if (o) {
      vgpu_log(0, "amdgpu: bo %p va 0x%010llx-0x%010llx conflict with 0x%010llx-0x%010llx",
               (void *)bo, (unsigned long long)(saddr / PAGE), (unsigned long long)(eaddr / PAGE),
               (unsigned long long)(o->start / PAGE), (unsigned long long)(o->last / PAGE + 1));
      return -EINVAL;
   }
   struct vgpu_mapping m = {
      .start = saddr,
      .last = eaddr,
      .offset = offset,
      .flags = flags,
      .bo = bo,
      .unmapped_at = UINT64_MAX,
   };
   return insert_locked(f, &m);
}

/* amdgpu_vm_bo_clear_mappings: everything in [saddr, saddr + size) goes; mappings that straddle
 * the range keep their parts outside it. */
static int clear_locked(struct vgpu_file *f, uint64_t saddr, uint64_t size)
{
   uint64_t eaddr = saddr + size - 1;
   unsigned n = f->n_maps;
   for (unsigned i = 0; i < n; i++) {
      struct vgpu_mapping m = f->maps[i];
      if (!live(&m) || m.start > eaddr || m.last < saddr)
         continue;
      f->maps[i].unmapped_at = f->jobs_submitted;
      if (m.start < saddr) {
         struct vgpu_mapping head = m;
         head.last = saddr - 1;
         if (insert_locked(f, &head))
            return -ENOMEM;
      }
      if (m.last > eaddr) {
         struct vgpu_mapping tail = m;
         tail.start = eaddr + 1;
         tail.offset = m.offset + (eaddr + 1 - m.start);
         if (insert_locked(f, &tail))
            return -ENOMEM;
      }
   }
   vgpu_vm_reap_locked(f);
   return 0;
}

/* amdgpu_gem.c amdgpu_gem_va_ioctl */
int vgpu_gem_va_ioctl(struct vgpu_file *f, void *arg)
{
   struct drm_amdgpu_gem_va *args = arg;
   const uint32_t valid_flags = AMDGPU_VM_DELAY_UPDATE | AMDGPU_VM_PAGE_READABLE |
                                AMDGPU_VM_PAGE_WRITEABLE | AMDGPU_VM_PAGE_EXECUTABLE |
                                AMDGPU_VM_MTYPE_MASK;
   const uint32_t prt_flags = AMDGPU_VM_DELAY_UPDATE | AMDGPU_VM_PAGE_PRT;
   uint64_t va = args->va_address;
   if (va < VA_RESERVED_SIZE) {
      vgpu_log(1, "va_address 0x%llx is in reserved area 0x%llx", (unsigned long long)va,
               VA_RESERVED_SIZE);
      return -EINVAL;
   }
   if (va >= GMC_HOLE_START && va < GMC_HOLE_END) {
      vgpu_log(1, "va_address 0x%llx is in VA hole 0x%llx-0x%llx", (unsigned long long)va,
               GMC_HOLE_START, GMC_HOLE_END);
      return -EINVAL;
   }
   va &= GMC_HOLE_MASK;
   if (va + args->map_size > VM_SIZE - VA_RESERVED_SIZE)
      return -EINVAL;
   if ((args->flags & ~valid_flags) && (args->flags & ~prt_flags))
      return -EINVAL;
   switch (args->operation) {
   case AMDGPU_VA_OP_MAP:
   case AMDGPU_VA_OP_UNMAP:
   case AMDGPU_VA_OP_CLEAR:
   case AMDGPU_VA_OP_REPLACE: break;
   default: return -EINVAL;
   }
   /* PRT mappings (sparse residency) have no BO: the file's prt_va. The command processor sees
    * them as unbacked (its accesses fault). */
   struct vgpu_bo *bo = NULL;
   if (args->operation != AMDGPU_VA_OP_CLEAR && !(args->flags & AMDGPU_VM_PAGE_PRT)) {
      bo = vgpu_file_lookup_bo(f, args->handle);
      if (!bo)
         return -ENOENT;
   }
   int r = 0;
   pthread_mutex_lock(&f->lock);
   switch (args->operation) {
   case AMDGPU_VA_OP_MAP:
      r = map_locked(f, bo, va, args->offset_in_bo, args->map_size, args->flags);
      break;
   case AMDGPU_VA_OP_UNMAP: { /* amdgpu_vm_bo_unmap: this BO's mapping starting at va */
      r = -ENOENT;
      for (unsigned i = 0; i < f->n_maps; i++) {
         struct vgpu_mapping *m = &f->maps[i];
         if (live(m) && m->bo == bo && m->start == (va & ~(PAGE - 1))) {
            m->unmapped_at = f->jobs_submitted;
            r = 0;
            break;
         }
      }
      vgpu_vm_reap_locked(f);
      break;
   }
   case AMDGPU_VA_OP_CLEAR: r = clear_locked(f, va, args->map_size); break;
   case AMDGPU_VA_OP_REPLACE: /* amdgpu_vm_bo_replace_map: checks, clear, then map */
      if ((va | args->offset_in_bo | args->map_size) & (PAGE - 1) || !args->map_size ||
          (bo && args->offset_in_bo + args->map_size > bo->size))
         r = -EINVAL;
      else if (!(r = clear_locked(f, va, args->map_size)))
         r = map_locked(f, bo, va, args->offset_in_bo, args->map_size, args->flags);
      break;
   }
   pthread_mutex_unlock(&f->lock);
   vgpu_bo_unref(bo);
   return r;
}

void *vgpu_vm_translate(struct vgpu_file *f, uint64_t va, uint64_t size, int write,
                        uint64_t job_seq)
{
   va &= GMC_HOLE_MASK; /* canonical, sign-extended addresses: the hardware uses 48 bits */
   void *p = NULL;
   pthread_mutex_lock(&f->lock);
   for (unsigned i = 0; i < f->n_maps; i++) {
      const struct vgpu_mapping *m = &f->maps[i];
      if (va < m->start || va > m->last || !(live(m) || job_seq < m->unmapped_at))
         continue;
      if (!m->bo || (size && va + size - 1 > m->last))
         continue; /* crosses the mapping's end: the host pages are not contiguous */
      uint32_t need = write ? AMDGPU_VM_PAGE_WRITEABLE : AMDGPU_VM_PAGE_READABLE;
      if (!(m->flags & need))
         continue;
      p = (char *)m->bo->cpu + m->offset + (va - m->start);
      break;
   }
   pthread_mutex_unlock(&f->lock);
   return p;
}

/* gmc_v10_0.c gmc_v10_0_process_interrupt's report of a GCVM L2 protection fault, and
 * amdgpu_vm_update_fault_cache's record of it (read by AMDGPU_INFO_GPUVM_FAULT in DRM 3.55+).
 * The fault does not fail the job: on hardware the wave retries or reads zero; a hang that
 * follows is a scheduler timeout. */
void vgpu_vm_fault(struct vgpu_file *f, uint64_t va, int write, const char *what)
{
   atomic_fetch_add(&vgpu_stats.vm_faults, 1);
   char comm[64] = "?";
   FILE *fp = fopen("/proc/self/comm", "r");
   if (fp) {
      if (fgets(comm, sizeof(comm), fp))
         comm[strcspn(comm, "\n")] = 0;
      fclose(fp);
   }
   /* GCVM_L2_PROTECTION_FAULT_STATUS: RW bit 18 (gc_10_3_0_sh_mask.h
    * GCVM_L2_PROTECTION_FAULT_STATUS__RW_MASK), MAPPING_ERROR bit 8 (no valid PTE; the layout
    * mmhub_3_3_0_sh_mask.h's MMVM_L2_PROTECTION_FAULT_STATUS shares: WALKER_ERROR is 3:1) */
   uint32_t status = (write ? 1u << 18 : 0) | (1u << 8);
   pthread_mutex_lock(&f->lock);
   f->last_fault.addr = va & GMC_HOLE_MASK & ~(PAGE - 1);
   f->last_fault.status = status;
   f->last_fault.write = write;
   f->last_fault.count++;
   pthread_mutex_unlock(&f->lock);
   vgpu_log(0,
            "amdgpu %s: [gfxhub] page fault (src_id:0 ring:24 vmid:1 pasid:%u, for process %s "
            "pid %d thread %s pid %d)",
            f->dev->pci_slot, f->pasid, comm, getpid(), comm, getpid());
   vgpu_log(0, "amdgpu %s:   in page starting at address 0x%016llx from client 0x1b (UTCL2)",
            f->dev->pci_slot, (unsigned long long)(va & GMC_HOLE_MASK & ~(PAGE - 1)));
   vgpu_log(0, "amdgpu %s: GCVM_L2_PROTECTION_FAULT_STATUS:0x%08X (%s, %s)", f->dev->pci_slot,
            status, write ? "write" : "read", what ? what : "access");
}
