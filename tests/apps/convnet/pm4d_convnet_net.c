#include "pm4d_convnet_net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 3x3 and 1x1 layers, stride 1 and 2, padding, one dilated layer, one without bias, the last
 * without ReLU (a linear head). */
static const struct {
   uint32_t k, r, stride, pad, dil;
   bool bias, relu;
} pm4d_convnet_layers[PM4D_CONVNET_LAYERS] = {
   {16, 3, 1, 1, 1, true, true}, {32, 3, 2, 1, 1, true, true}, {32, 1, 1, 0, 1, false, true},
   {64, 3, 2, 1, 1, true, true}, {64, 3, 1, 2, 2, true, true}, {32, 1, 1, 0, 1, true, false},
};

uint64_t pm4d_convnet_conv_in_elems(const struct pm4d_convnet_conv *cv)
{
   return (uint64_t)cv->n * cv->c * cv->h * cv->w;
}

uint64_t pm4d_convnet_conv_out_elems(const struct pm4d_convnet_conv *cv)
{
   return (uint64_t)cv->n * cv->k * cv->oh * cv->ow;
}

uint64_t pm4d_convnet_conv_filter_elems(const struct pm4d_convnet_conv *cv)
{
   return (uint64_t)cv->k * cv->c * cv->r * cv->s;
}

/* Knuth's MMIX LCG; the top 24 bits give a float in [lo, hi). */
static void pm4d_convnet_net_lcg(float *dst, uint64_t n, uint64_t seed, float lo, float hi)
{
   uint64_t state = seed;
   for (uint64_t i = 0; i < n; i++) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      float u = (float)(state >> 40) / 16777216.0f;
      dst[i] = lo + (hi - lo) * u;
   }
}

static uint32_t pm4d_convnet_out_dim(uint32_t in, uint32_t r, uint32_t stride, uint32_t pad,
                                     uint32_t dil)
{
   return (in + 2 * pad - dil * (r - 1) - 1) / stride + 1;
}

void pm4d_convnet_net_init(struct pm4d_convnet_net *net, uint32_t batch, uint32_t channels,
                           uint32_t size)
{
   memset(net, 0, sizeof(*net));
   uint32_t c = channels, h = size, w = size;
   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++) {
      struct pm4d_convnet_conv *cv = &net->conv[i];
      *cv = (struct pm4d_convnet_conv){
         .n = batch,
         .c = c,
         .h = h,
         .w = w,
         .k = pm4d_convnet_layers[i].k,
         .r = pm4d_convnet_layers[i].r,
         .s = pm4d_convnet_layers[i].r,
         .stride = pm4d_convnet_layers[i].stride,
         .pad = pm4d_convnet_layers[i].pad,
         .dil = pm4d_convnet_layers[i].dil,
         .bias = pm4d_convnet_layers[i].bias,
         .relu = pm4d_convnet_layers[i].relu,
      };
      cv->oh = pm4d_convnet_out_dim(h, cv->r, cv->stride, cv->pad, cv->dil);
      cv->ow = pm4d_convnet_out_dim(w, cv->s, cv->stride, cv->pad, cv->dil);
      c = cv->k;
      h = cv->oh;
      w = cv->ow;
   }
}

bool pm4d_convnet_net_fill(struct pm4d_convnet_net *net)
{
   uint64_t in_elems = pm4d_convnet_conv_in_elems(&net->conv[0]);
   net->input = malloc(in_elems * sizeof(float));
   if (!net->input)
      goto fail;
   pm4d_convnet_net_lcg(net->input, in_elems, 1, 0.0f, 1.0f);
   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++) {
      const struct pm4d_convnet_conv *cv = &net->conv[i];
      uint64_t fe = pm4d_convnet_conv_filter_elems(cv);
      /* Scaled by the fan-in so activations stay of order one through the layers. */
      float scale = sqrtf(3.0f / (float)(cv->c * cv->r * cv->s));
      net->filter[i] = malloc(fe * sizeof(float));
      if (!net->filter[i])
         goto fail;
      pm4d_convnet_net_lcg(net->filter[i], fe, 100 + (uint64_t)i, -scale, scale);
      if (cv->bias) {
         net->bias[i] = malloc(cv->k * sizeof(float));
         if (!net->bias[i])
            goto fail;
         pm4d_convnet_net_lcg(net->bias[i], cv->k, 200 + (uint64_t)i, -0.1f, 0.1f);
      }
   }
   return true;

fail:
   pm4d_convnet_net_free(net);
   return false;
}

void pm4d_convnet_net_free(struct pm4d_convnet_net *net)
{
   free(net->input);
   net->input = NULL;
   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++) {
      free(net->filter[i]);
      free(net->bias[i]);
      net->filter[i] = net->bias[i] = NULL;
   }
}

/* The arithmetic the shaders define (pm4d_conv2d_common.glsl): fp32, taps in the order c, r, s,
 * each a rounded multiply then a rounded add. The product is its own statement so that no
 * compiler contracts it into a fused multiply-add. */
static void pm4d_convnet_conv_ref(const struct pm4d_convnet_conv *cv, const float *x,
                                  const float *f, const float *b, float *y)
{
   for (uint32_t n = 0; n < cv->n; n++)
      for (uint32_t k = 0; k < cv->k; k++)
         for (uint32_t oy = 0; oy < cv->oh; oy++)
            for (uint32_t ox = 0; ox < cv->ow; ox++) {
               float acc = 0.0f;
               for (uint32_t c = 0; c < cv->c; c++)
                  for (uint32_t r = 0; r < cv->r; r++) {
                     int64_t iy = (int64_t)oy * cv->stride - cv->pad + (int64_t)r * cv->dil;
                     if (iy < 0 || iy >= cv->h)
                        continue;
                     for (uint32_t s = 0; s < cv->s; s++) {
                        int64_t ix = (int64_t)ox * cv->stride - cv->pad + (int64_t)s * cv->dil;
                        if (ix < 0 || ix >= cv->w)
                           continue;
                        float prod = x[(((uint64_t)n * cv->c + c) * cv->h + iy) * cv->w + ix] *
                                     f[(((uint64_t)k * cv->c + c) * cv->r + r) * cv->s + s];
                        acc += prod;
                     }
                  }
               if (b)
                  acc += b[k];
               if (cv->relu && acc < 0.0f)
                  acc = 0.0f;
               y[(((uint64_t)n * cv->k + k) * cv->oh + oy) * cv->ow + ox] = acc;
            }
}

float *pm4d_convnet_net_reference(const struct pm4d_convnet_net *net)
{
   const float *x = net->input;
   float *prev = NULL;
   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++) {
      const struct pm4d_convnet_conv *cv = &net->conv[i];
      float *y = malloc(pm4d_convnet_conv_out_elems(cv) * sizeof(float));
      if (!y) {
         free(prev);
         return NULL;
      }
      pm4d_convnet_conv_ref(cv, x, net->filter[i], net->bias[i], y);
      free(prev);
      prev = y;
      x = y;
   }
   return prev;
}

double pm4d_convnet_net_rel_error(const float *got, const float *ref, uint64_t n, uint64_t *differ)
{
   double max_err = 0.0, max_ref = 0.0;
   *differ = 0;
   for (uint64_t i = 0; i < n; i++) {
      *differ += memcmp(&got[i], &ref[i], sizeof(float)) != 0;
      double e = fabs((double)got[i] - (double)ref[i]);
      /* A NaN from the GPU must fail the check, so it is not lost in a comparison. */
      if (e != e)
         return INFINITY;
      if (e > max_err)
         max_err = e;
      if (fabs((double)ref[i]) > max_ref)
         max_ref = fabs((double)ref[i]);
   }
   return max_ref > 0.0 ? max_err / max_ref : max_err;
}
