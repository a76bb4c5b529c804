/* Forwarding header, kept only for tests/unit/direct, which still includes this name and spells
 * the message form CHECK(cond, fmt, ...): everything else uses tests/unit/pm4d_check.h, where
 * that form is CHECKF. Remove once tests/unit/direct includes pm4d_check.h. */
#ifndef PM4D_TEST_UTIL_H
#define PM4D_TEST_UTIL_H

#include "../pm4d_check.h"

#undef CHECK
#define CHECK(cond, ...) CHECKF(cond, __VA_ARGS__)
#define pm4d_test_result() pm4d_check_finish(__FILE__)

#endif
