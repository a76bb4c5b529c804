/* Hooks for tests only: fault injection and template corruption. Not for the layer. */
#ifndef PM4D_DIRECT_TEST_H
#define PM4D_DIRECT_TEST_H

#include "pm4d_direct.h"

/* Sets the back end's injected faults (sim: PM4DIRECT_SIM_FAULT syntax; "" clears).
 * UNAVAILABLE when the back end has none. */
enum pm4d_direct_status pm4d_direct_test_inject(struct pm4d_direct *d, const char *spec,
                                                char *reason, size_t reason_size);
/* XORs dword `index` of every dispatch template with mask (call with no submission in
 * flight); a corrupted template must be refused by debug-mode validation. */
void pm4d_direct_test_corrupt_templates(struct pm4d_direct *d, uint32_t index, uint32_t mask);

#endif
