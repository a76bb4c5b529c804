#include "pm4d_tool_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

struct parser {
   const char *p, *start;
   char *why;
   size_t why_size;
};

static bool error(struct parser *ps, const char *what)
{
   unsigned line = 1;
   for (const char *c = ps->start; c < ps->p; c++)
      line += *c == '\n';
   snprintf(ps->why, ps->why_size, "line %u: %s", line, what);
   return false;
}

static void skip_space(struct parser *ps)
{
   while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r')
      ps->p++;
}

static bool parse_string(struct parser *ps, char **out)
{
   const char *s = ++ps->p; /* after the quote */
   char *buf = malloc(strlen(s) + 1), *w = buf;
   if (!buf)
      return error(ps, "out of memory");
   while (*s && *s != '"') {
      if (*s != '\\') {
         *w++ = *s++;
         continue;
      }
      s++;
      switch (*s) {
      case '"':
      case '\\':
      case '/': *w++ = *s++; break;
      case 'n':
         *w++ = '\n';
         s++;
         break;
      case 'u':
         for (int i = 1; i <= 4; i++)
            if (!s[i]) {
               free(buf);
               ps->p = s;
               return error(ps, "short \\u escape");
            }
         *w++ = '?';
         s += 5;
         break;
      default:
         free(buf);
         ps->p = s;
         return error(ps, "unknown escape in a string");
      }
   }
   if (*s != '"') {
      free(buf);
      ps->p = s;
      return error(ps, "unterminated string");
   }
   *w = '\0';
   ps->p = s + 1;
   *out = buf;
   return true;
}

static bool parse_value(struct parser *ps, struct pm4d_json *v, int depth);

/* Members of an array (keys NULL) or object, after the opening bracket. */
static bool parse_items(struct parser *ps, struct pm4d_json *v, bool object, int depth)
{
   char close = object ? '}' : ']';
   size_t cap = 0;
   skip_space(ps);
   if (*ps->p == close) {
      ps->p++;
      return true;
   }
   for (;;) {
      if (v->count == cap) {
         cap = cap ? cap * 2 : 8;
         struct pm4d_json *items = realloc(v->items, cap * sizeof(*items));
         char **keys = object ? realloc(v->keys, cap * sizeof(*keys)) : NULL;
         if (items)
            v->items = items;
         if (keys)
            v->keys = keys;
         if (!items || (object && !keys))
            return error(ps, "out of memory");
      }
      skip_space(ps);
      if (object) {
         if (*ps->p != '"')
            return error(ps, "expected a member name");
         if (!parse_string(ps, &v->keys[v->count]))
            return false;
         skip_space(ps);
         if (*ps->p++ != ':') {
            free(v->keys[v->count]);
            return error(ps, "expected ':'");
         }
      }
      memset(&v->items[v->count], 0, sizeof(v->items[0]));
      bool ok = parse_value(ps, &v->items[v->count], depth + 1);
      v->count++; /* freed with the rest, parsed or not */
      if (!ok)
         return false;
      skip_space(ps);
      if (*ps->p == close) {
         ps->p++;
         return true;
      }
      if (*ps->p++ != ',')
         return error(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
   }
}

static bool parse_value(struct parser *ps, struct pm4d_json *v, int depth)
{
   if (depth > MAX_DEPTH)
      return error(ps, "nested too deep");
   skip_space(ps);
   char c = *ps->p;
   if (c == '{' || c == '[') {
      ps->p++;
      v->type = c == '{' ? PM4D_JSON_OBJECT : PM4D_JSON_ARRAY;
      return parse_items(ps, v, c == '{', depth);
   }
   if (c == '"') {
      v->type = PM4D_JSON_STRING;
      return parse_string(ps, &v->string);
   }
   static const struct {
      const char *word;
      enum pm4d_json_type type;
      bool value;
   } words[] = {{"true", PM4D_JSON_BOOL, true},
                {"false", PM4D_JSON_BOOL, false},
                {"null", PM4D_JSON_NULL, false}};
   for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
      size_t n = strlen(words[i].word);
      if (!strncmp(ps->p, words[i].word, n)) {
         ps->p += n;
         v->type = words[i].type;
         v->boolean = words[i].value;
         return true;
      }
   }
   char *end;
   v->number = strtod(ps->p, &end);
   if (end == ps->p || (c != '-' && (c < '0' || c > '9')))
      return error(ps, "expected a value");
   v->type = PM4D_JSON_NUMBER;
   ps->p = end;
   return true;
}

bool pm4d_json_parse(const char *text, struct pm4d_json *out, char *why, size_t why_size)
{
   struct parser ps = {text, text, why, why_size};
   memset(out, 0, sizeof(*out));
   bool ok = parse_value(&ps, out, 0);
   if (ok) {
      skip_space(&ps);
      if (*ps.p)
         ok = error(&ps, "text after the value");
   }
   if (!ok)
      pm4d_json_free(out);
   return ok;
}

void pm4d_json_free(struct pm4d_json *v)
{
   for (size_t i = 0; i < v->count; i++) {
      pm4d_json_free(&v->items[i]);
      if (v->keys)
         free(v->keys[i]);
   }
   free(v->items);
   free(v->keys);
   free(v->string);
   memset(v, 0, sizeof(*v));
}

const struct pm4d_json *pm4d_json_get(const struct pm4d_json *v, const char *key)
{
   if (!v || v->type != PM4D_JSON_OBJECT)
      return NULL;
   for (size_t i = 0; i < v->count; i++)
      if (!strcmp(v->keys[i], key))
         return &v->items[i];
   return NULL;
}

double pm4d_json_number(const struct pm4d_json *v, double fallback)
{
   return v && v->type == PM4D_JSON_NUMBER ? v->number : fallback;
}
