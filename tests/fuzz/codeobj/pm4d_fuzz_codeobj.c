/* libFuzzer target for the code-object loader: any bytes must be refused with a reason or
 * loaded into sane fields, and an accepted object's image must lay out within image_size. */
#include <stdlib.h>
#include <string.h>

#include "pm4d_codeobj.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   static struct pm4d_codeobj_info info;
   char reason[128] = "";
   if (pm4d_codeobj_load(data, size, &info, reason, sizeof(reason)) != PM4D_CODEOBJ_OK) {
      if (!reason[0])
         __builtin_trap(); /* every refusal carries a reason */
      return 0;
   }
   if (info.image_size > PM4D_CODEOBJ_IMAGE_MAX || info.num_kernels > PM4D_CODEOBJ_KERNELS_MAX)
      __builtin_trap();
   uint8_t *image = malloc((size_t)info.image_size);
   if (!image)
      return 0;
   if (pm4d_codeobj_image_copy(data, size, image, (size_t)info.image_size, reason,
                               sizeof(reason)) != PM4D_CODEOBJ_OK)
      __builtin_trap(); /* load accepted it, so the copy must work */
   for (uint32_t i = 0; i < info.num_kernels; i++) {
      const struct pm4d_kernel_desc *d = &info.kernels[i];
      if (d->desc_offset + 64 > info.image_size || d->num_args > PM4D_KERNEL_ARGS_MAX ||
          !memchr(d->name, 0, sizeof(d->name)) || d->private_segment_size)
         __builtin_trap();
   }
   free(image);
   return 0;
}
