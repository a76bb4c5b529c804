/* Hooks for tests only: fault injection and template corruption. Not for the layer. */
#ifndef PM4D_DIRECT_TEST_H
#define PM4D_DIRECT_TEST_H

#include "pm4d_direct.h"

/* Sets the back end's injected faults (sim: PM4DIRECT_SIM_FAULT syntax; "" clears).
 * UNAVAILABLE when the back end has none. */
enum pm4d_direct_status pm4d_direct_test_inject(struct pm4d_direct *d, const char *spec,
                                                char *reason, size_t reason_size);
/* XORs dword `index` of every dispatch template with mask (call with no submission in
 * flight); a batch built from a corrupted template is refused before its kick. */
/* `index` counts from after the barrier prefix, so both dispatch forms carry the damage. Slot
 * dwords (overwritten by every instantiation) are left alone. Returns how many templates it
 * changed. */
uint32_t pm4d_direct_test_corrupt_templates(struct pm4d_direct *d, uint32_t index, uint32_t mask);

/* XORs dword `index` of the stored fallback switch between two jobs with mask (call with no
 * submission in flight); the address dwords (patched per job) are left alone. Returns how
 * many dwords it changed (0 or 1). */
uint32_t pm4d_direct_test_corrupt_switch(struct pm4d_direct *d, uint32_t index, uint32_t mask);

/* XORs dword index % ndw of the next batch with mask after it is built in the ring and before
 * it is checked and kicked (call with no submission in flight): it must be refused. */
void pm4d_direct_test_flip_next_batch(struct pm4d_direct *d, uint32_t index, uint32_t mask);

/* The n-th job submitted to d from now on (1: the next; 0: none) has its output address moved
 * one byte past the end of its registered memory before the plan, as a wrong address the layer
 * computed would be: the plan refuses its batch (UNSUPPORTED, no kick). PM4DIRECT_BAD_ADDRESS=N
 * sets it at device creation, for whole-app fault tests. */
void pm4d_direct_test_bad_address(struct pm4d_direct *d, uint32_t n);

/* The libdrm functions (a struct pm4d_drm_ops, e.g. the test recorder's) the amdgpu back end
 * of later pm4d_direct_create calls uses; NULL: the real ones. */
void pm4d_direct_test_amdgpu_ops(const void *drm_ops);

#endif
