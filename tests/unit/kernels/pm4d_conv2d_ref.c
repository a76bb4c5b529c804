#include "pm4d_conv2d_ref.h"

#include <math.h>
#include <stdio.h>

void pm4d_ref_fill(float *x, size_t n, uint32_t *seed)
{
   for (size_t i = 0; i < n; i++) {
      *seed = *seed * 1664525u + 1013904223u;
      x[i] = (float)((double)(*seed >> 8) / (double)(1u << 23) - 1.0);
   }
}

void pm4d_ref_conv2d(const struct pm4d_conv2d_params *p, const float *in, const float *filter,
                     const float *bias, float *out)
{
   const uint32_t cpg = p->c / p->groups, kpg = p->k / p->groups;
   for (uint32_t b = 0; b < p->n; b++)
      for (uint32_t k = 0; k < p->k; k++)
         for (uint32_t y = 0; y < p->oh; y++)
            for (uint32_t x = 0; x < p->ow; x++) {
               const uint32_t g = k / kpg;
               double acc = p->has_bias ? bias[k] : 0.0;
               for (uint32_t ci = 0; ci < cpg; ci++)
                  for (uint32_t ry = 0; ry < p->r; ry++)
                     for (uint32_t sx = 0; sx < p->s; sx++) {
                        long iy = (long)y * p->stride_h - p->pad_h + (long)ry * p->dil_h;
                        long ix = (long)x * p->stride_w - p->pad_w + (long)sx * p->dil_w;
                        if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w)
                           continue;
                        size_t ii = (((size_t)b * p->c + g * cpg + ci) * p->h + iy) * p->w + ix;
                        size_t fi = (((size_t)k * cpg + ci) * p->r + ry) * p->s + sx;
                        acc += (double)in[ii] * filter[fi];
                     }
               if (p->relu && acc < 0)
                  acc = 0;
               out[(((size_t)b * p->k + k) * p->oh + y) * p->ow + x] = (float)acc;
            }
}

double pm4d_ref_rel_error(const float *a, const float *b, size_t n)
{
   double diff = 0, norm = 0;
   for (size_t i = 0; i < n; i++) {
      double d = (double)a[i] - b[i];
      diff += d * d;
      norm += (double)b[i] * b[i];
   }
   return sqrt(diff) / (norm > 0 ? sqrt(norm) : 1.0);
}

uint64_t pm4d_ref_register(struct pm4d_ref_space *s, void *host, size_t bytes)
{
   if (s->count == PM4D_REF_REGIONS_MAX)
      return 0;
   /* 4 GiB apart, starting at 4 GiB: no region can be mistaken for another. */
   uint64_t addr = ((uint64_t)s->count + 1) << 32;
   s->regions[s->count].addr = addr;
   s->regions[s->count].host = host;
   s->regions[s->count].bytes = bytes;
   s->count++;
   return addr;
}

bool pm4d_ref_translate(void *user, uint64_t addr, void **host, size_t *bytes)
{
   const struct pm4d_ref_space *s = user;
   for (unsigned i = 0; i < s->count; i++) {
      uint64_t off = addr - s->regions[i].addr;
      if (addr >= s->regions[i].addr && off < s->regions[i].bytes) {
         *host = (char *)s->regions[i].host + off;
         *bytes = s->regions[i].bytes - (size_t)off;
         return true;
      }
   }
   return false;
}

enum pm4d_clrun_status pm4d_ref_dispatch(struct pm4d_clrun *r, struct pm4d_ref_space *s,
                                         enum pm4d_conv2d_variant v,
                                         const struct pm4d_conv2d_params *p,
                                         const struct pm4d_conv2d_buffers *bufs, char *reason,
                                         size_t reason_size)
{
   /* 256 bytes: like a real kernarg segment, larger than the explicit arguments. */
   _Alignas(16) uint8_t kernarg[256];
   uint32_t grid[3];
   if (!pm4d_conv2d_grid(v, p, grid) ||
       !pm4d_conv2d_pack_kernargs(p, bufs, kernarg, sizeof(kernarg))) {
      snprintf(reason, reason_size, "no grid or kernargs for this shape");
      return PM4D_CLRUN_BAD_ARGS;
   }
   return pm4d_clrun_dispatch(r, pm4d_conv2d_variant_name(v), grid, kernarg, sizeof(kernarg),
                              pm4d_ref_translate, s, reason, reason_size);
}
