/* libFuzzer: pm4d_spirv_parse and pm4d_fingerprint_compute on arbitrary bytes. Both must return
 * a status for anything, agree on the header/length check, and the fingerprint of a module must
 * not depend on where its words live. */
#include "pm4d_fingerprint.h"
#include "pm4d_spirv.h"

#include <stdlib.h>
#include <string.h>

static struct pm4d_spirv_info info;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   /* Exactly `size` bytes, word aligned, so ASan sees any over-read. */
   uint32_t *words = malloc(size ? size : 1);
   enum pm4d_spirv_status parsed, hashed, checked;
   uint64_t fp = 0;
   size_t bad = 0;

   if (!words)
      return 0;
   memcpy(words, data, size);
   parsed = pm4d_spirv_parse(words, size, &info, &bad);
   hashed = pm4d_fingerprint_compute(words, size, &fp);
   checked = size % 4 ? PM4D_SPIRV_TOO_SHORT : pm4d_spirv_check(words, size / 4, NULL);
   if (hashed != checked && hashed != PM4D_SPIRV_NO_MEMORY)
      abort();
   if (parsed == PM4D_SPIRV_OK &&
       (checked != PM4D_SPIRV_OK || bad > size / 4 || info.n_buffers > PM4D_SPIRV_MAX_BUFFERS ||
        info.n_push_members > PM4D_SPIRV_MAX_PUSH_MEMBERS || info.n_spec > PM4D_SPIRV_MAX_SPEC ||
        !memchr(info.entry_point, 0, sizeof(info.entry_point))))
      abort();
   free(words);
   return 0;
}
