/* A small JSON reader for the tool (the stats file): the whole text becomes a tree of values.
 * Strings keep their escapes undone only for \" \\ \/ and \n (the stats writer emits no others
 * except \u00XX for control characters, which become '?'). */
#ifndef PM4D_TOOL_JSON_H
#define PM4D_TOOL_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum pm4d_json_type {
   PM4D_JSON_NULL,
   PM4D_JSON_BOOL,
   PM4D_JSON_NUMBER,
   PM4D_JSON_STRING,
   PM4D_JSON_ARRAY,
   PM4D_JSON_OBJECT
};

struct pm4d_json {
   enum pm4d_json_type type;
   bool boolean;
   double number;
   char *string;            /* STRING */
   char **keys;             /* OBJECT: keys[i] names items[i] */
   struct pm4d_json *items; /* ARRAY and OBJECT */
   size_t count;
};

/* Parses text; on error returns false with a reason ("line L: ...") in why. */
bool pm4d_json_parse(const char *text, struct pm4d_json *out, char *why, size_t why_size);
void pm4d_json_free(struct pm4d_json *v);
/* The member `key` of an object, or NULL (also when v is NULL or no object). */
const struct pm4d_json *pm4d_json_get(const struct pm4d_json *v, const char *key);
/* The number, or fallback when v is not one. */
double pm4d_json_number(const struct pm4d_json *v, double fallback);

#endif
