/* The host side of the kernels' ABI: shape checks and their reasons, output sizes, variant
 * choice, grids for known shapes (the convention in pm4d_conv2d.cl), kernarg bytes at the
 * offsets of the argument table. */
#include <string.h>

#include "pm4d_check.h"
#include "pm4d_kernels.h"

static struct pm4d_conv2d_params shape(uint32_t n, uint32_t c, uint32_t hw, uint32_t k, uint32_t rs,
                                       uint32_t stride, uint32_t pad)
{
   return (struct pm4d_conv2d_params){.n = n,
                                      .c = c,
                                      .h = hw,
                                      .w = hw,
                                      .k = k,
                                      .r = rs,
                                      .s = rs,
                                      .stride_h = stride,
                                      .stride_w = stride,
                                      .pad_h = pad,
                                      .pad_w = pad,
                                      .dil_h = 1,
                                      .dil_w = 1,
                                      .groups = 1};
}

/* Refused, with a reason that contains want. */
static void check_refused(struct pm4d_conv2d_params p, const char *what, const char *want)
{
   char reason[128] = "";
   CHECKF(!pm4d_conv2d_params_check(&p, reason, sizeof(reason)) && strstr(reason, want),
          "%s: accepted or reason \"%s\" without \"%s\"", what, reason, want);
}

static void check_grid(struct pm4d_conv2d_params p, enum pm4d_conv2d_variant v, uint32_t x,
                       uint32_t y, uint32_t z)
{
   char reason[128];
   uint32_t g[3] = {0};
   CHECKF(pm4d_conv2d_params_check(&p, reason, sizeof(reason)), "%s", reason);
   CHECKF(pm4d_conv2d_grid(v, &p, g) && g[0] == x && g[1] == y && g[2] == z,
          "%s: grid %ux%ux%u, want %ux%ux%u", pm4d_conv2d_variant_name(v), g[0], g[1], g[2], x, y,
          z);
}

/* pm4d_conv2d_variant_choose(p, cus) is want. */
static void check_choice(struct pm4d_conv2d_params p, uint32_t cus, enum pm4d_conv2d_variant want,
                         const char *what)
{
   char reason[128];
   CHECKF(pm4d_conv2d_params_check(&p, reason, sizeof(reason)), "%s: %s", what, reason);
   enum pm4d_conv2d_variant got = pm4d_conv2d_variant_choose(&p, cus);
   CHECKF(got == want, "%s: %s, want %s", what, pm4d_conv2d_variant_name(got),
          pm4d_conv2d_variant_name(want));
}

int main(void)
{
   char reason[128];
   struct pm4d_conv2d_params p;

   /* Output sizes: (in + 2 pad - dil (r - 1) - 1) / stride + 1. */
   p = shape(1, 3, 224, 64, 7, 2, 3);
   CHECKF(pm4d_conv2d_params_check(&p, reason, sizeof(reason)) && p.oh == 112 && p.ow == 112,
          "7x7/2 stem: %ux%u", p.oh, p.ow);
   p = shape(1, 4, 12, 4, 3, 1, 2);
   p.dil_h = p.dil_w = 2;
   CHECKF(pm4d_conv2d_params_check(&p, reason, sizeof(reason)) && p.oh == 12, "dilated: %u", p.oh);

   p = shape(1, 3, 8, 4, 3, 1, 1);
   p.groups = 2;
   check_refused(p, "groups not dividing c", "does not divide");
   check_refused(shape(1, 3, 2, 4, 3, 1, 0), "filter larger than the input", "filter larger");
   check_refused(shape(0, 3, 8, 4, 3, 1, 1), "n = 0", "is zero");
   check_refused(shape(1, 3, 8, 4, 3, 0, 1), "stride 0", "is zero");
   check_refused(shape(4096, 1024, 1024, 4, 3, 1, 1), "input of 2^32 elements", "2^31");
   /* Products past 64 bits: 2^16 everywhere makes the input and output 2^64 elements, which
    * wrap to 0 in 64-bit arithmetic; the filter (k x c/groups x 1 x 1) is only 2^16. */
   p = shape(65536, 65536, 65536, 65536, 1, 1, 0);
   p.groups = 65536;
   check_refused(p, "input and output of 2^64 elements", "2^31");
   p = shape(UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, 1, 1, 0);
   p.groups = UINT32_MAX;
   check_refused(p, "every size 2^32 - 1", "2^31");

   /* Variant choice. */
   /* fp32 3x3 stride 1 on the large grid: Winograd, unless fewer input channels than its
    * 8-channel step (then the GEMM's 4-channel step). */
   check_choice(shape(1, 64, 56, 64, 3, 1, 1), 0, PM4D_CONV2D_3X3_WINO, "3x3 s1");
   check_choice(shape(1, 8, 56, 64, 3, 1, 1), 0, PM4D_CONV2D_3X3_WINO, "3x3 s1, c 8");
   check_choice(shape(1, 7, 56, 64, 3, 1, 1), 0, PM4D_CONV2D_3X3, "3x3 s1, c 7");
   check_choice(shape(1, 64, 56, 256, 1, 2, 0), 0, PM4D_CONV2D_1X1, "1x1 s2");
   p = shape(1, 64, 56, 64, 3, 2, 1);
   check_choice(p, 0, PM4D_CONV2D_DIRECT, "3x3 s2");
   pm4d_conv2d_params_check(&p, reason, sizeof(reason));
   CHECKF(!pm4d_conv2d_grid(PM4D_CONV2D_3X3, &p, (uint32_t[3]){0}), "3x3 grid for stride 2");
   CHECKF(!pm4d_conv2d_grid(PM4D_CONV2D_3X3_SMALL, &p, (uint32_t[3]){0}),
          "3x3_small grid for stride 2");
   /* With the device's CUs: 512 channels at 7x7, batch 1, make 1 x 8 large tiles (49 pixels
    * of 128, 512 channels of 64): under half of 132 CUs, so the small tiles; at batch 32 it is
    * 13 x 8 = 104 tiles, over half, so the large ones. No CU count: always the large. */
   p = shape(1, 512, 7, 512, 3, 1, 1);
   check_choice(p, 132, PM4D_CONV2D_3X3_SMALL, "512@7 n1, 132 CUs");
   check_choice(p, 16, PM4D_CONV2D_3X3_WINO, "8 tiles on 16 CUs");
   check_choice(p, 17, PM4D_CONV2D_3X3_SMALL, "8 tiles on 17 CUs");
   check_choice(shape(32, 512, 7, 512, 3, 1, 1), 132, PM4D_CONV2D_3X3_WINO, "512@7 n32, 132 CUs");
   p = shape(1, 2048, 7, 512, 1, 1, 0);
   check_choice(p, 132, PM4D_CONV2D_1X1_SMALL, "1x1 n1, 132 CUs");
   check_choice(p, 0, PM4D_CONV2D_1X1, "1x1, no CU count");
   pm4d_conv2d_params_check(&p, reason, sizeof(reason));
   /* An fp16 filter: the GEMMs' _f16 twins (the direct kernel reads either). */
   p.filter_f16 = true;
   check_choice(p, 132, PM4D_CONV2D_1X1_SMALL_F16, "f16 1x1, 132 CUs");
   check_choice(p, 0, PM4D_CONV2D_1X1_F16, "f16 1x1, no CU count");
   CHECKF(!pm4d_conv2d_variant_supports(PM4D_CONV2D_1X1, &p) &&
             !pm4d_conv2d_variant_supports(PM4D_CONV2D_1X1_SMALL, &p) &&
             pm4d_conv2d_variant_supports(PM4D_CONV2D_DIRECT, &p),
          "fp32 GEMM took an fp16 filter");
   p = shape(1, 512, 7, 512, 3, 1, 1);
   p.filter_f16 = true;
   check_choice(p, 132, PM4D_CONV2D_3X3_SMALL_F16, "f16 3x3, 132 CUs");
   p.filter_f16 = false;
   pm4d_conv2d_params_check(&p, reason, sizeof(reason));
   CHECKF(!pm4d_conv2d_variant_supports(PM4D_CONV2D_3X3_F16, &p), "f16 GEMM took fp32");
   p.filter_f16 = true;
   check_choice(p, 0, PM4D_CONV2D_3X3_F16, "f16 3x3, no CU count: not Winograd (fp32 only)");
   CHECKF(!pm4d_conv2d_variant_supports(PM4D_CONV2D_3X3_WINO, &p), "Winograd took fp16");
   p = shape(1, 64, 56, 64, 3, 2, 1);
   pm4d_conv2d_params_check(&p, reason, sizeof(reason));
   CHECKF(!pm4d_conv2d_variant_supports(PM4D_CONV2D_3X3_WINO, &p), "Winograd took stride 2");
   CHECKF(pm4d_conv2d_variant_from_name("pm4d_conv2d_1x1") == PM4D_CONV2D_1X1 &&
             pm4d_conv2d_variant_from_name("x") == PM4D_CONV2D_VARIANT_COUNT,
          "names");

   /* Grids: ResNet 3x3 at 56x56, batch 32 -> 32 * 3136 pixels in tiles of 128; k 64 -> one
    * block of 64; the batch is part of the pixels. */
   check_grid(shape(32, 64, 56, 64, 3, 1, 1), PM4D_CONV2D_3X3, 784, 1, 1);
   check_grid(shape(32, 64, 56, 64, 3, 1, 1), PM4D_CONV2D_DIRECT, 49, 16, 32);
   check_grid(shape(2, 256, 14, 1024, 1, 1, 0), PM4D_CONV2D_1X1, 4, 16, 1);
   /* Small tiles: 64 pixels x 16 channels. 49 pixels -> 1, 512 channels -> 32. */
   check_grid(shape(1, 512, 7, 512, 3, 1, 1), PM4D_CONV2D_3X3_SMALL, 1, 32, 1);
   check_grid(shape(1, 1024, 14, 256, 1, 1, 0), PM4D_CONV2D_1X1_SMALL, 4, 16, 1);
   /* Winograd: 2x2 output tiles over the batch in blocks of 32, channels in blocks of 32.
    * 28x28 at batch 32 -> 32 * 14 * 14 = 6272 tiles -> 196; 128 channels -> 4. A 7x7 output
    * rounds up to 4 x 4 tiles: 16 -> 1 block; 33 channels -> 2. */
   check_grid(shape(32, 128, 28, 128, 3, 1, 1), PM4D_CONV2D_3X3_WINO, 196, 4, 1);
   check_grid(shape(1, 8, 7, 33, 3, 1, 1), PM4D_CONV2D_3X3_WINO, 1, 2, 1);
   check_grid(shape(3, 8, 9, 33, 3, 1, 0), PM4D_CONV2D_3X3_WINO, 2, 2, 1); /* 7x7 out, 48 */
   p = shape(1, 32, 9, 32, 3, 1, 1);
   p.groups = 32; /* depthwise: one channel per group, one block of 4 per group */
   check_grid(p, PM4D_CONV2D_DIRECT, 2, 32, 1);

   /* Kernarg bytes land at the table's offsets. */
   const struct pm4d_kernel_arg *args;
   size_t nargs = pm4d_conv2d_args(&args);
   uint8_t ka[128];
   uint64_t a;
   uint32_t u;
   p = shape(3, 16, 20, 8, 3, 2, 1);
   p.has_bias = true;
   p.relu = true;
   pm4d_conv2d_params_check(&p, reason, sizeof(reason));
   struct pm4d_conv2d_buffers bufs = {0x1000, 0x2000, 0x3000, 0x4000};
   CHECKF(!pm4d_conv2d_pack_kernargs(&p, &bufs, ka, PM4D_CONV2D_KERNARG_SIZE - 1),
          "packed into a short buffer");
   memset(ka, 0xee, sizeof(ka));
   CHECKF(pm4d_conv2d_pack_kernargs(&p, &bufs, ka, sizeof(ka)), "pack");
   CHECKF(nargs == 21 && args[3].offset == 24 && args[20].offset + 4 == PM4D_CONV2D_KERNARG_SIZE,
          "argument table shape");
   memcpy(&a, ka + args[2].offset, 8);
   CHECKF(a == 0x3000, "bias address %llx", (unsigned long long)a);
   memcpy(&u, ka + args[4].offset, 4);
   CHECKF(u == 3, "n %u", u);
   memcpy(&u, ka + args[11].offset, 4); /* oh */
   CHECKF(u == 10, "oh %u", u);
   memcpy(&u, ka + args[20].offset, 4);
   CHECKF(u == (PM4D_CONV2D_FLAG_BIAS | PM4D_CONV2D_FLAG_RELU), "flags %u", u);
   CHECKF(ka[PM4D_CONV2D_KERNARG_SIZE] == 0 && ka[sizeof(ka) - 1] == 0, "tail not zeroed");
   /* Unpacking gives back what was packed; buffer sizes follow the shape. */
   struct pm4d_conv2d_params back;
   struct pm4d_conv2d_buffers back_bufs;
   uint64_t bytes[4];
   CHECKF(pm4d_conv2d_unpack_kernargs(ka, sizeof(ka), &back, &back_bufs) &&
             pm4d_conv2d_params_equal(&back, &p) && !memcmp(&back_bufs, &bufs, sizeof(bufs)),
          "unpack(pack(p)) != p");
   CHECKF(!pm4d_conv2d_unpack_kernargs(ka, PM4D_CONV2D_KERNARG_SIZE - 1, &back, &back_bufs),
          "unpacked short kernargs");
   pm4d_conv2d_buffer_bytes(&p, bytes);
   CHECKF(bytes[0] == 3 * 16 * 20 * 20 * 4 && bytes[1] == 8 * 16 * 9 * 4 && bytes[2] == 8 * 4 &&
             bytes[3] == 3 * 8 * 10 * 10 * 4,
          "buffer sizes");
   p.has_bias = false;
   pm4d_conv2d_pack_kernargs(&p, &bufs, ka, sizeof(ka));
   memcpy(&a, ka + args[2].offset, 8);
   CHECKF(a == 0, "bias address without bias: %llx", (unsigned long long)a);
   /* An fp16 filter: flag 4, two bytes a word, and back again. */
   p.filter_f16 = true;
   pm4d_conv2d_pack_kernargs(&p, &bufs, ka, sizeof(ka));
   memcpy(&u, ka + args[20].offset, 4);
   CHECKF(u == (PM4D_CONV2D_FLAG_RELU | 4u), "flags with an fp16 filter %u", u);
   CHECKF(pm4d_conv2d_unpack_kernargs(ka, sizeof(ka), &back, &back_bufs) && back.filter_f16,
          "fp16 flag lost");
   pm4d_conv2d_buffer_bytes(&p, bytes);
   CHECKF(bytes[1] == 8 * 16 * 9 * 2, "fp16 filter bytes %llu", (unsigned long long)bytes[1]);
   return pm4d_check_finish("kernels_abi");
}
