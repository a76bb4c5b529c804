/* A host-memory GPU VM for the CP tests: a few mapped ranges at fixed GPU addresses with
 * unmapped holes between them; translate() refuses any access that leaves a range, as the
 * driver's VM does, and fault() records what the CP reported. */
#ifndef VGPU_CP_TEST_VM_H
#define VGPU_CP_TEST_VM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_cp.h"

#define VM_RANGES_MAX 64 /* the batch: 4 ranges, and up to 4 per job */

struct test_vm_range {
   uint64_t va, size;
   uint8_t *host;
   int writable;
};

struct test_vm {
   struct vgpu_mem_ops ops;
   uint32_t n;
   struct test_vm_range r[VM_RANGES_MAX];
   unsigned faults;
   uint64_t fault_va;
   int fault_write;
   const char *fault_what;
};

static void *test_vm_translate(void *user, uint64_t va, uint64_t size, int write)
{
   struct test_vm *vm = user;
   for (uint32_t i = 0; i < vm->n; i++) {
      if (va >= vm->r[i].va && size <= vm->r[i].size && va - vm->r[i].va <= vm->r[i].size - size)
         return write && !vm->r[i].writable ? NULL : vm->r[i].host + (va - vm->r[i].va);
   }
   return NULL;
}

static void test_vm_fault(void *user, uint64_t va, int write, const char *what)
{
   struct test_vm *vm = user;
   vm->faults++;
   vm->fault_va = va;
   vm->fault_write = write;
   vm->fault_what = what;
}

static void test_vm_init(struct test_vm *vm)
{
   *vm =
      (struct test_vm){.ops = {.user = vm, .translate = test_vm_translate, .fault = test_vm_fault}};
}

/* Maps size bytes (zeroed, 4 KiB-aligned host memory) at va; returns the host pointer. */
static void *test_vm_map(struct test_vm *vm, uint64_t va, uint64_t size, int writable)
{
   void *host = aligned_alloc(4096, (size + 4095) & ~(uint64_t)4095);
   if (!host || vm->n == VM_RANGES_MAX)
      abort();
   memset(host, 0, size);
   vm->r[vm->n++] = (struct test_vm_range){va, size, host, writable};
   return host;
}

static void test_vm_destroy(struct test_vm *vm)
{
   for (uint32_t i = 0; i < vm->n; i++)
      free(vm->r[i].host);
}

#endif
