#include "isa_test_util.h"
#include "pm4d_conv2d_ref.h"

bool isa_test_translate(void *user, uint64_t addr, bool write, void **host, size_t *bytes)
{
   (void)write;
   return pm4d_ref_translate(user, addr, host, bytes);
}
