/* The direct path of one device: back end, target, kernels and templates, app memory,
 * counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_reason.h"
#include "pm4d_alloc.h"
#include "pm4d_direct_internal.h"
#include "pm4d_counters.h"
#include "pm4d_direct_test.h"
#include "pm4d_config.h"
#include "pm4d_futex.h"
#include "pm4d_killfile.h"

const char *pm4d_direct_status_name(enum pm4d_direct_status s)
{
   switch (s) {
   case PM4D_DIRECT_OK: return "ok";
   case PM4D_DIRECT_UNAVAILABLE: return "unavailable";
   case PM4D_DIRECT_UNSUPPORTED: return "unsupported";
   case PM4D_DIRECT_RING_FULL: return "ring full";
   case PM4D_DIRECT_INVALID: return "invalid";
   case PM4D_DIRECT_NOMEM: return "out of memory";
   case PM4D_DIRECT_FAILED: return "failed";
   }
   return "unknown";
}

void pm4d_direct_event_bump(struct pm4d_direct *d)
{
   atomic_fetch_add(&d->event, 1);
   pm4d_futex_wake(&d->event);
}

void pm4d_direct_event_wait(struct pm4d_direct *d, uint32_t seen, uint64_t deadline_ns)
{
   pm4d_futex_wait(&d->event, seen, deadline_ns);
}

/* Loads the embedded code object of d->target, uploads it and builds a template per variant. */
static enum pm4d_direct_status load_kernels(struct pm4d_direct *d, char *reason, size_t rs)
{
   const struct pm4d_code_object *cos;
   size_t n = pm4d_embedded_code_objects(&cos), i;
   for (i = 0; i < n && strcmp(cos[i].target, d->target) != 0; i++)
      ;
   if (i == n) {
      /* Say what this build has, so the fix (PM4D_AMD_TARGETS, a clang 15+) is plain. */
      char built[256] = "";
      for (size_t j = 0, used = 0; j < n && used < sizeof(built); j++)
         used += (size_t)snprintf(built + used, sizeof(built) - used, "%s%s", j ? " " : "",
                                  cos[j].target);
      return pm4d_fail(
         reason, rs, PM4D_DIRECT_UNAVAILABLE,
         n ? "no embedded code object for %s: this build has %s (PM4D_AMD_TARGETS)"
           : "no embedded code object for %s%s: the build had PM4D_AMD_KERNELS=OFF or "
             "found no clang 15+ with a matching ld.lld",
         d->target, built);
   }
   const struct pm4d_code_object *co = &cos[i];
   enum pm4d_gfx_level level;
   if (!pm4d_gfx_parse(d->target, &level) ||
       pm4d_builder_init_target(&d->builder, d->target) != PM4D_OK)
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNAVAILABLE, "%s is no GFX level the PM4 core knows",
                       d->target);
   if (pm4d_codeobj_load(co->elf, co->size, &d->info, reason, rs) != PM4D_CODEOBJ_OK)
      return PM4D_DIRECT_UNAVAILABLE;

   void *image = pm4d_malloc(d->info.image_size);
   if (!image)
      return pm4d_fail(reason, rs, PM4D_DIRECT_NOMEM, "out of memory for the code image");
   uint64_t base = 0;
   enum pm4d_direct_status st = PM4D_DIRECT_UNAVAILABLE;
   if (pm4d_codeobj_image_copy(co->elf, co->size, image, d->info.image_size, reason, rs) ==
       PM4D_CODEOBJ_OK)
      st = d->ops->upload_code(d->dev, image, d->info.image_size, &d->info, &base, reason, rs);
   free(image);
   if (st != PM4D_DIRECT_OK)
      return st;

   d->level = level;
   pm4d_validator_init_target(&d->validator, d->target);
   for (unsigned v = 0; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
      const struct pm4d_kernel_desc *k =
         pm4d_codeobj_find(&d->info, pm4d_conv2d_variant_name((enum pm4d_conv2d_variant)v));
      char why[PM4D_PM4_REASON_MAX] = "";
      if (!k || pm4d_builder_check_kernel(&d->builder, k, why, sizeof(why)) != PM4D_OK)
         continue; /* shapes that need this variant are unsupported */
      uint64_t entry = base + k->desc_offset + (uint64_t)k->entry_offset;
      uint32_t ndw = pm4d_builder_dispatch_dw(&d->builder, k, false); /* a later dispatch */
      struct pm4d_direct_kernel *kv = &d->kernels[v];
      kv->desc = k;
      kv->program = entry;
      kv->dispatch_dw = ndw;
      d->dispatch_dw_max = ndw > d->dispatch_dw_max ? ndw : d->dispatch_dw_max;
      d->dispatch_dw_min =
         d->dispatch_dw_min && d->dispatch_dw_min < ndw ? d->dispatch_dw_min : ndw;
      /* A variant without a template still runs through the dynamic builder. */
      if (pm4d_template_build(&d->builder, k, entry, &kv->tmpl_storage, why, sizeof(why)) ==
          PM4D_OK)
         kv->tmpl = &kv->tmpl_storage;
      pm4d_validator_add_program(&d->validator, entry, base + d->info.image_size - entry, k);
   }
   if (!d->kernels[PM4D_CONV2D_DIRECT].desc)
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNAVAILABLE,
                       "the %s code object has no usable %s kernel", d->target,
                       pm4d_conv2d_variant_name(PM4D_CONV2D_DIRECT));

   char why[PM4D_PM4_REASON_MAX] = "";
   struct pm4d_cs cs;
   pm4d_cs_init(&cs, d->head, PM4D_BATCH_HEAD_MAX_DW);
   if (pm4d_tail_template_build(&d->builder, &d->tail, why, sizeof(why)) != PM4D_OK ||
       pm4d_builder_batch_head(&d->builder, &cs, why, sizeof(why)) != PM4D_OK)
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNAVAILABLE, "batch head/tail: %s", why);
   d->head_dw = cs.cdw;
   enum pm4d_direct_status st2 = pm4d_direct_disarm_prepare(d, reason, rs);
   return st2 == PM4D_DIRECT_OK ? pm4d_direct_batch_prepare(d, reason, rs) : st2;
}

/* The sim is a test device: PM4DIRECT_SIM_CORRUPT_TEMPLATE=DWORD:MASK corrupts its dispatch
 * templates as pm4d_direct_test_corrupt_templates does, so whole-app fault tests can make every
 * batch invalid (refused by debug validation, or an unknown opcode for the sim). */
static void corrupt_from_env(struct pm4d_direct *d, const struct pm4d_direct_config *cfg)
{
   const char *v = pm4d_config_get()->sim_corrupt;
   unsigned dword, mask;
   /* pm4d_config checked the syntax: a value is there only when it parses. */
   if (cfg->backend == PM4D_DIRECT_BACKEND_SIM && sscanf(v, "%u:%x", &dword, &mask) == 2)
      pm4d_direct_test_corrupt_templates(d, dword, mask);
}

enum pm4d_direct_status pm4d_direct_create(const struct pm4d_direct_config *cfg,
                                           const struct pm4d_direct_callbacks *cb,
                                           struct pm4d_direct **out, char *reason,
                                           size_t reason_size)
{
   enum pm4d_direct_status st;
   if (!cfg || !cb || !cb->batch_failed || !out)
      return pm4d_fail(reason, reason_size, PM4D_DIRECT_UNAVAILABLE, "missing config or callbacks");
   struct pm4d_direct *d = pm4d_calloc(1, sizeof(*d));
   if (!d)
      return pm4d_fail(reason, reason_size, PM4D_DIRECT_NOMEM, "out of memory");
   d->cb = *cb;
   d->debug = cfg->debug;
   d->ring_bytes = cfg->ring_bytes ? cfg->ring_bytes : PM4D_RING_DEFAULT_BYTES;
   d->deadline_base_ns =
      cfg->deadline_base_ns ? cfg->deadline_base_ns : PM4D_DIRECT_DEFAULT_DEADLINE_NS;
   pthread_rwlock_init(&d->mem_lock, NULL);
   pthread_mutex_init(&d->mu, NULL);

   st = (cfg->backend == PM4D_DIRECT_BACKEND_AMDGPU
            ? pm4d_direct_amdgpu_open
            : pm4d_direct_sim_open)(cfg, &d->dev, &d->ops, d->target, reason, reason_size);
   if (st != PM4D_DIRECT_OK)
      goto fail;
   d->compute_units = d->ops->compute_units ? d->ops->compute_units(d->dev) : 0;
   d->max_inflight = d->ops->max_inflight && d->ops->max_inflight < PM4D_DIRECT_MAX_INFLIGHT
                        ? d->ops->max_inflight
                        : PM4D_DIRECT_MAX_INFLIGHT;
   st = load_kernels(d, reason, reason_size);
   if (st != PM4D_DIRECT_OK)
      goto fail;
   corrupt_from_env(d, cfg);
   pm4d_direct_test_bad_address(d, pm4d_config_get()->bad_address);
   pm4d_direct_vm_fault_init(d);
   st = pm4d_direct_watchdog_start(d);
   if (st != PM4D_DIRECT_OK) {
      pm4d_reason_set(reason, reason_size, "could not start the watchdog thread");
      goto fail;
   }
   /* While a direct path exists, a thread turns the kill file into a flag the layer reads for
    * free (without one, readers stat() it every 50 ms themselves). */
   d->killfile_watched = pm4d_killfile_watch_start(pm4d_killfile_process());
   *out = d;
   return PM4D_DIRECT_OK;

fail:
   pm4d_direct_destroy(d);
   return st;
}

void pm4d_direct_destroy(struct pm4d_direct *d)
{
   if (!d)
      return;
   while (d->queues)
      pm4d_direct_queue_destroy(d->queues);
   pm4d_direct_watchdog_stop(d);
   /* The per-submission figures reach the process counters once, here (not on the fast path). */
   pm4d_counter_add(PM4D_CTR_direct_template_dispatches, d->stats.template_dispatches);
   pm4d_counter_add(PM4D_CTR_direct_dynamic_dispatches, d->stats.dynamic_dispatches);
   pm4d_counter_max(PM4D_CTR_ring_high_water_dw, d->stats.ring_high_water_dw);
   if (d->killfile_watched)
      pm4d_killfile_watch_stop(pm4d_killfile_process());
   for (uint32_t i = 0; i < d->nmem; i++)
      d->ops->memory_unregister(d->dev, d->mem[i].id, d->mem[i].host);
   free(d->mem);
   pm4d_index_finish(&d->mem_index);
   if (d->ops)
      d->ops->destroy(d->dev);
   pthread_rwlock_destroy(&d->mem_lock);
   pthread_mutex_destroy(&d->mu);
   free(d);
}

const char *pm4d_direct_backend_name(const struct pm4d_direct *d)
{
   return d->ops->name;
}

enum pm4d_address_space pm4d_direct_address_space(const struct pm4d_direct *d)
{
   return d->ops->space;
}

enum pm4d_conv2d_variant pm4d_direct_variant(const struct pm4d_direct *d,
                                             const struct pm4d_conv2d_params *p, uint32_t grid[3])
{
   enum pm4d_conv2d_variant v = pm4d_conv2d_variant_choose(p, d->compute_units);
   if (!d->kernels[v].desc)
      v = PM4D_CONV2D_DIRECT; /* the faster variant did not load: the generic one runs all */
   return pm4d_conv2d_grid(v, p, grid) ? v : PM4D_CONV2D_VARIANT_COUNT;
}

const char *pm4d_direct_variant_name(const struct pm4d_direct *d,
                                     const struct pm4d_conv2d_params *p)
{
   uint32_t grid[3];
   const char *name = pm4d_conv2d_variant_name(pm4d_direct_variant(d, p, grid));
   return name ? name : "none";
}

bool pm4d_direct_supports(const struct pm4d_direct *d, const struct pm4d_conv2d_params *p)
{
   uint32_t grid[3];
   return pm4d_direct_variant(d, p, grid) != PM4D_CONV2D_VARIANT_COUNT;
}

enum pm4d_direct_status pm4d_direct_memory_register(struct pm4d_direct *d, uint64_t id, void *host,
                                                    uint64_t size, int dmabuf_fd)
{
   enum pm4d_direct_status st = PM4D_DIRECT_OK;
   if (id == 0 || size == 0)
      return PM4D_DIRECT_UNSUPPORTED;
   pthread_rwlock_wrlock(&d->mem_lock);
   if (pm4d_direct_memory_find_locked(d, id)) {
      st = PM4D_DIRECT_UNSUPPORTED; /* registered twice: the layer's bug, refuse */
      goto out;
   }
   /* the index first: nothing may fail once the back end has the memory */
   if (!pm4d_index_reserve(&d->mem_index, d->mem, sizeof(*d->mem), d->nmem, d->nmem + 1)) {
      st = PM4D_DIRECT_NOMEM;
      goto out;
   }
   if (d->nmem == d->memcap) {
      uint32_t cap = d->memcap ? d->memcap * 2 : 16;
      struct pm4d_direct_memory *m = pm4d_realloc(d->mem, cap * sizeof(*m));
      if (!m) {
         st = PM4D_DIRECT_NOMEM;
         goto out;
      }
      d->mem = m;
      d->memcap = cap;
   }
   st = d->ops->memory_register(d->dev, id, host, size, dmabuf_fd);
   if (st == PM4D_DIRECT_OK) {
      pm4d_index_add(&d->mem_index, id, d->nmem);
      d->mem[d->nmem++] = (struct pm4d_direct_memory){id, size, host, (uint64_t)(uintptr_t)host};
      d->mem_changes++;
   }
out:
   pthread_rwlock_unlock(&d->mem_lock);
   return st;
}

enum pm4d_direct_status pm4d_direct_memory_place(struct pm4d_direct *d, uint64_t id, uint64_t base)
{
   enum pm4d_direct_status st = PM4D_DIRECT_UNSUPPORTED;
   if (!base)
      return st;
   pthread_rwlock_wrlock(&d->mem_lock);
   const struct pm4d_direct_memory *found = pm4d_direct_memory_find_locked(d, id);
   struct pm4d_direct_memory *m = found ? &d->mem[found - d->mem] : NULL;
   if (m && m->base == base) {
      st = PM4D_DIRECT_OK;
   } else if (m && !m->base) {
      m->base = base;
      d->mem_changes++; /* the plans' range verdicts follow the memory's place */
      st = PM4D_DIRECT_OK;
   }
   pthread_rwlock_unlock(&d->mem_lock);
   return st;
}

void pm4d_direct_memory_unregister(struct pm4d_direct *d, uint64_t id)
{
   pthread_rwlock_wrlock(&d->mem_lock);
   for (uint32_t i = 0; i < d->nmem; i++) {
      if (d->mem[i].id == id) {
         d->ops->memory_unregister(d->dev, id, d->mem[i].host);
         d->mem[i] = d->mem[--d->nmem];
         pm4d_index_rebuild(&d->mem_index, d->mem, sizeof(*d->mem), d->nmem); /* moved */
         d->mem_changes++;
         break;
      }
   }
   pthread_rwlock_unlock(&d->mem_lock);
}

void pm4d_direct_stats_add(struct pm4d_direct_stats *out, const struct pm4d_direct_stats *in)
{
   out->batches += in->batches;
   out->jobs += in->jobs;
   out->template_dispatches += in->template_dispatches;
   out->dynamic_dispatches += in->dynamic_dispatches;
   out->validation_failures += in->validation_failures;
   out->ring_full += in->ring_full;
   out->hangs += in->hangs;
   out->faults += in->faults;
   out->resets += in->resets;
   if (in->ring_high_water_dw > out->ring_high_water_dw)
      out->ring_high_water_dw = in->ring_high_water_dw;
}

void pm4d_direct_stats_get(const struct pm4d_direct *d, struct pm4d_direct_stats *out)
{
   struct pm4d_direct *m = (struct pm4d_direct *)d; /* locks only */
   pthread_mutex_lock(&m->mu);
   *out = d->stats;
   for (struct pm4d_direct_queue *q = d->queues; q; q = q->next) {
      pthread_mutex_lock(&q->mu);
      pm4d_direct_stats_add(out, &q->stats);
      pthread_mutex_unlock(&q->mu);
   }
   pthread_mutex_unlock(&m->mu);
}

enum pm4d_direct_status pm4d_direct_test_inject(struct pm4d_direct *d, const char *spec,
                                                char *reason, size_t reason_size)
{
   if (!d->ops->inject)
      return pm4d_fail(reason, reason_size, PM4D_DIRECT_UNAVAILABLE, "%s has no fault injection",
                       d->ops->name);
   return d->ops->inject(d->dev, spec, reason, reason_size);
}

void pm4d_direct_test_bad_address(struct pm4d_direct *d, uint32_t n)
{
   d->test_bad_job = n;
   atomic_store(&d->test_jobs, 0);
}

void pm4d_direct_test_flip_next_batch(struct pm4d_direct *d, uint32_t index, uint32_t mask)
{
   d->test_flip_index = index;
   d->test_flip_mask = mask;
}

uint32_t pm4d_direct_test_corrupt_switch(struct pm4d_direct *d, uint32_t index, uint32_t mask)
{
   struct pm4d_direct_disarm *s = &d->disarm[0];
   if (index >= s->ndw || index == s->slot || index == s->slot + 1)
      return 0;
   s->dw[index] ^= mask;
   return 1;
}

uint32_t pm4d_direct_test_corrupt_templates(struct pm4d_direct *d, uint32_t index, uint32_t mask)
{
   uint32_t n = 0;
   for (unsigned v = 0; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
      struct pm4d_template *t = &d->kernels[v].tmpl_storage;
      uint32_t at = index + t->barrier_dw;
      const struct pm4d_dispatch_slots *s = &t->slots;
      if (!d->kernels[v].tmpl || at >= t->ndw || at == s->kernarg_lo || at == s->kernarg_hi ||
          at == s->grid[0] || at == s->grid[1] || at == s->grid[2])
         continue; /* no template, past the end, or a slot every instantiation overwrites */
      t->dw[at] ^= mask;
      n++;
   }
   return n;
}
