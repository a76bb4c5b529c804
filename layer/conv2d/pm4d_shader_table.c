#include "pm4d_shader_table.h"
#include "pm4d_alloc.h"

#include "pm4d_known_shaders.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TOKENS 16
#define MAX_LINE   512
/* A user table larger than this is refused rather than read into memory. */
#define MAX_FILE_BYTES (1u << 20)

static const char *const field_names[PM4D_FIELD_COUNT] = {
   [PM4D_FIELD_N] = "n",
   [PM4D_FIELD_C] = "c",
   [PM4D_FIELD_H] = "h",
   [PM4D_FIELD_W] = "w",
   [PM4D_FIELD_K] = "k",
   [PM4D_FIELD_R] = "r",
   [PM4D_FIELD_S] = "s",
   [PM4D_FIELD_OH] = "oh",
   [PM4D_FIELD_OW] = "ow",
   [PM4D_FIELD_STRIDE_H] = "stride_h",
   [PM4D_FIELD_STRIDE_W] = "stride_w",
   [PM4D_FIELD_PAD_H] = "pad_h",
   [PM4D_FIELD_PAD_W] = "pad_w",
   [PM4D_FIELD_DIL_H] = "dil_h",
   [PM4D_FIELD_DIL_W] = "dil_w",
   [PM4D_FIELD_GROUPS] = "groups",
   [PM4D_FIELD_BIAS] = "bias_present",
   [PM4D_FIELD_RELU] = "relu",
};

static const char *const role_names[PM4D_CONV2D_ROLE_COUNT] = {
   [PM4D_CONV2D_INPUT] = "input",
   [PM4D_CONV2D_FILTER] = "filter",
   [PM4D_CONV2D_BIAS] = "bias",
   [PM4D_CONV2D_OUTPUT] = "output",
};

const char *pm4d_conv2d_field_name(enum pm4d_conv2d_field f)
{
   return (unsigned)f < PM4D_FIELD_COUNT ? field_names[f] : "unknown";
}

const char *pm4d_conv2d_role_name(enum pm4d_conv2d_role r)
{
   return (unsigned)r < PM4D_CONV2D_ROLE_COUNT ? role_names[r] : "unknown";
}

static int name_index(const char *const *names, int count, const char *s)
{
   for (int i = 0; i < count; i++)
      if (strcmp(names[i], s) == 0)
         return i;
   return -1;
}

/* ---- parser ------------------------------------------------------------------------------- */

struct parser {
   const char *origin;
   unsigned line;
   char *err;
   size_t err_size;
   struct pm4d_shader_entry cur;
   int in_entry;
   unsigned entry_line;
   struct pm4d_shader_entry *out; /* entries parsed from this text */
   size_t n_out, cap_out;
};

static enum pm4d_shader_table_status fail(struct parser *p, const char *fmt, ...)
{
   va_list ap;
   int n = snprintf(p->err, p->err_size, "%s:%u: ", p->origin, p->line);
   if (n >= 0 && (size_t)n < p->err_size) {
      va_start(ap, fmt);
      vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
      va_end(ap);
   }
   return PM4D_SHADER_TABLE_SYNTAX;
}

/* Unsigned 32-bit number, decimal or 0x hex (no octal, no sign), the whole token. */
static int parse_u32(const char *s, uint32_t *v)
{
   char *end;
   unsigned long long x;
   int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
   if (!strchr("0123456789", s[0]) || !s[0] || (s[0] == '0' && s[1] && !hex))
      return 0;
   errno = 0;
   x = strtoull(hex ? s + 2 : s, &end, hex ? 16 : 10);
   if (hex && (!s[2] || !strchr("0123456789abcdefABCDEF", s[2])))
      return 0;
   if (errno || *end || x > UINT32_MAX)
      return 0;
   *v = (uint32_t)x;
   return 1;
}

static int parse_fingerprint(const char *s, uint64_t *v)
{
   char *end;
   size_t n = strlen(s);
   if (n < 3 || n > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
      return 0;
   for (size_t i = 2; i < n; i++)
      if (!strchr("0123456789abcdefABCDEF", s[i]))
         return 0;
   errno = 0;
   *v = strtoull(s + 2, &end, 16);
   return errno == 0 && *end == '\0';
}

static int copy_name(char *dst, const char *src)
{
   size_t n = strlen(src);
   if (n == 0 || n >= PM4D_SHADER_NAME_MAX)
      return 0;
   memcpy(dst, src, n + 1);
   return 1;
}

static enum pm4d_shader_table_status parse_source(struct parser *p, enum pm4d_conv2d_field f,
                                                  char **tok, int n)
{
   struct pm4d_conv2d_source *src = &p->cur.fields[f];
   const char *name = field_names[f];

   if (src->kind != PM4D_SOURCE_UNSET)
      return fail(p, "%s given twice", name);
   if (n == 2 && strcmp(tok[1], "derived") == 0) {
      if (f != PM4D_FIELD_OH && f != PM4D_FIELD_OW)
         return fail(p, "only oh and ow can be derived, not %s", name);
      src->kind = PM4D_SOURCE_DERIVED;
      return PM4D_SHADER_TABLE_OK;
   }
   if (n == 3 && strcmp(tok[1], "spec") == 0 && parse_u32(tok[2], &src->arg)) {
      src->kind = PM4D_SOURCE_SPEC;
      return PM4D_SHADER_TABLE_OK;
   }
   if (n == 3 && strcmp(tok[1], "const") == 0 && parse_u32(tok[2], &src->arg)) {
      src->kind = PM4D_SOURCE_CONST;
      return PM4D_SHADER_TABLE_OK;
   }
   if ((n == 3 || n == 5) && strcmp(tok[1], "push") == 0 && parse_u32(tok[2], &src->arg)) {
      if (src->arg % 4 || src->arg > 252)
         return fail(p, "%s: push offset %u not a 4-aligned u32 inside 256 bytes", name, src->arg);
      if (n == 5 && (strcmp(tok[3], "&") || !parse_u32(tok[4], &src->mask) || !src->mask))
         return fail(p, "%s: expected 'push OFFSET & MASK' with a non-zero mask", name);
      src->kind = PM4D_SOURCE_PUSH;
      return PM4D_SHADER_TABLE_OK;
   }
   return fail(p, "%s: expected 'push OFFSET [& MASK]', 'spec ID', 'const VALUE'%s", name,
               (f == PM4D_FIELD_OH || f == PM4D_FIELD_OW) ? " or 'derived'" : "");
}

/* expect push OFFSET = A*B*...*CONST */
static enum pm4d_shader_table_status parse_expect(struct parser *p, char **tok, int n)
{
   struct pm4d_shader_expect ex = {.factor = 1};
   char *save = NULL;

   if (n != 5 || strcmp(tok[1], "push") || !parse_u32(tok[2], &ex.push_offset) ||
       strcmp(tok[3], "="))
      return fail(p, "expected 'expect push OFFSET = FIELD*FIELD*...'");
   if (ex.push_offset % 4 || ex.push_offset > 252)
      return fail(p, "expect: push offset %u not a 4-aligned u32 inside 256 bytes", ex.push_offset);
   if (p->cur.n_expect >= PM4D_SHADER_MAX_EXPECT)
      return fail(p, "more than %u expect lines", PM4D_SHADER_MAX_EXPECT);
   for (char *f = strtok_r(tok[4], "*", &save); f; f = strtok_r(NULL, "*", &save)) {
      int idx = name_index(field_names, PM4D_FIELD_COUNT, f);
      uint32_t c;
      if (idx >= 0) {
         if (ex.n_fields >= PM4D_SHADER_MAX_FACTORS)
            return fail(p, "expect: more than %u fields in a product", PM4D_SHADER_MAX_FACTORS);
         ex.fields[ex.n_fields++] = (enum pm4d_conv2d_field)idx;
      } else if (parse_u32(f, &c)) {
         if (__builtin_mul_overflow(ex.factor, c, &ex.factor))
            return fail(p, "expect: constant factor overflows 32 bits");
      } else {
         return fail(p, "expect: '%s' is neither a field name nor a number", f);
      }
   }
   if (ex.n_fields == 0)
      return fail(p, "expect: the product names no field");
   p->cur.expect[p->cur.n_expect++] = ex;
   return PM4D_SHADER_TABLE_OK;
}

static enum pm4d_shader_table_status parse_binding(struct parser *p, enum pm4d_conv2d_role r,
                                                   char **tok, int n)
{
   struct pm4d_shader_binding *b = &p->cur.buffers[r];
   if (b->present)
      return fail(p, "%s given twice", role_names[r]);
   if (n != 3 || !parse_u32(tok[1], &b->set) || !parse_u32(tok[2], &b->binding))
      return fail(p, "expected '%s SET BINDING'", role_names[r]);
   b->present = 1;
   return PM4D_SHADER_TABLE_OK;
}

static enum pm4d_shader_table_status check_entry(struct parser *p)
{
   struct pm4d_shader_entry *e = &p->cur;
   static const enum pm4d_conv2d_role required[] = {PM4D_CONV2D_INPUT, PM4D_CONV2D_FILTER,
                                                    PM4D_CONV2D_OUTPUT};
   for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
      if (!e->buffers[required[i]].present)
         return fail(p, "shader %s: no %s binding", e->name, role_names[required[i]]);
   for (int a = 0; a < PM4D_CONV2D_ROLE_COUNT; a++)
      for (int b = a + 1; b < PM4D_CONV2D_ROLE_COUNT; b++)
         if (e->buffers[a].present && e->buffers[b].present &&
             e->buffers[a].set == e->buffers[b].set &&
             e->buffers[a].binding == e->buffers[b].binding)
            return fail(p, "shader %s: %s and %s share set %u binding %u", e->name, role_names[a],
                        role_names[b], e->buffers[a].set, e->buffers[a].binding);
   /* A variant the kernels do not run always passes through: its fields may stay unmapped. */
   for (int f = 0; f < PM4D_FIELD_COUNT && e->variant == PM4D_SHADER_CONV2D; f++)
      if (e->fields[f].kind == PM4D_SOURCE_UNSET)
         return fail(p, "shader %s: no source for %s", e->name, field_names[f]);
   if (!e->buffers[PM4D_CONV2D_BIAS].present && e->fields[PM4D_FIELD_BIAS].kind &&
       (e->fields[PM4D_FIELD_BIAS].kind != PM4D_SOURCE_CONST ||
        e->fields[PM4D_FIELD_BIAS].arg != 0))
      return fail(p, "shader %s: bias_present must be 'const 0' without a bias binding", e->name);
   return PM4D_SHADER_TABLE_OK;
}

static enum pm4d_shader_table_status end_entry(struct parser *p)
{
   enum pm4d_shader_table_status st = check_entry(p);
   if (st != PM4D_SHADER_TABLE_OK)
      return st;
   if (p->n_out == p->cap_out) {
      size_t cap = p->cap_out ? 2 * p->cap_out : 8;
      struct pm4d_shader_entry *n = pm4d_realloc(p->out, cap * sizeof(*n));
      if (!n)
         return PM4D_SHADER_TABLE_NO_MEMORY;
      p->out = n;
      p->cap_out = cap;
   }
   p->out[p->n_out++] = p->cur;
   p->in_entry = 0;
   return PM4D_SHADER_TABLE_OK;
}

static enum pm4d_shader_table_status begin_entry(struct parser *p, char **tok, int n)
{
   struct pm4d_shader_entry *e = &p->cur;
   if (p->in_entry)
      return fail(p, "'shader' inside the entry begun at line %u (missing 'end')", p->entry_line);
   uint64_t fp;
   char name[PM4D_SHADER_NAME_MAX];

   if ((n != 3 && !(n == 5 && strcmp(tok[3], "like") == 0)) || !parse_fingerprint(tok[1], &fp))
      return fail(p, "expected 'shader 0xFINGERPRINT NAME [like OTHER]' (up to 16 hex digits)");
   if (!copy_name(name, tok[2]))
      return fail(p, "shader name longer than %u bytes", PM4D_SHADER_NAME_MAX - 1);
   memset(e, 0, sizeof(*e));
   strcpy(e->entry_point, "main");
   e->variant = PM4D_SHADER_CONV2D;
   e->activation_layout = PM4D_LAYOUT_NCHW;
   e->filter_layout = PM4D_LAYOUT_KCRS;
   if (n == 5) {
      /* Same interface as an entry earlier in this text; entry, variant, layout and dtype
         * lines may follow to state what differs. */
      size_t i = p->n_out;
      while (i > 0 && strcmp(p->out[i - 1].name, tok[4]) != 0)
         i--;
      if (i == 0)
         return fail(p, "'like %s': no earlier shader of that name in this file", tok[4]);
      *e = p->out[i - 1];
   }
   e->fingerprint = fp;
   memcpy(e->name, name, sizeof(name));
   p->in_entry = 1;
   p->entry_line = p->line;
   return PM4D_SHADER_TABLE_OK;
}

static enum pm4d_shader_table_status parse_entry_line(struct parser *p, char **tok, int n)
{
   struct pm4d_shader_entry *e = &p->cur;
   int idx;

   if (strcmp(tok[0], "end") == 0)
      return n == 1 ? end_entry(p) : fail(p, "'end' takes no arguments");
   if (strcmp(tok[0], "entry") == 0) {
      if (n != 2 || !copy_name(e->entry_point, tok[1]))
         return fail(p, "expected 'entry NAME' (under %u bytes)", PM4D_SHADER_NAME_MAX);
      return PM4D_SHADER_TABLE_OK;
   }
   if (strcmp(tok[0], "variant") == 0) {
      static const char *const variants[] = {"conv2d", "conv_transpose2d"};
      if (n != 2 || (idx = name_index(variants, 2, tok[1])) < 0)
         return fail(p, "expected 'variant conv2d|conv_transpose2d'");
      e->variant = (enum pm4d_shader_variant)idx;
      return PM4D_SHADER_TABLE_OK;
   }
   if (strcmp(tok[0], "layout") == 0) {
      static const char *const acts[] = {"NCHW", "NHWC"}, *const filters[] = {"KCRS", "KRSC"};
      int a, f;
      if (n != 3 || (a = name_index(acts, 2, tok[1])) < 0 ||
          (f = name_index(filters, 2, tok[2])) < 0)
         return fail(p, "expected 'layout NCHW|NHWC KCRS|KRSC'");
      e->activation_layout = a ? PM4D_LAYOUT_NHWC : PM4D_LAYOUT_NCHW;
      e->filter_layout = f ? PM4D_LAYOUT_KRSC : PM4D_LAYOUT_KCRS;
      return PM4D_SHADER_TABLE_OK;
   }
   if (strcmp(tok[0], "dtype") == 0) {
      static const char *const types[] = {"f32", "f16"};
      int t;
      if (n != 3 || (idx = name_index(role_names, PM4D_CONV2D_ROLE_COUNT, tok[1])) < 0 ||
          (t = name_index(types, 2, tok[2])) < 0)
         return fail(p, "expected 'dtype input|filter|bias|output f32|f16'");
      e->dtype[idx] = (enum pm4d_conv2d_dtype)t;
      return PM4D_SHADER_TABLE_OK;
   }
   if (strcmp(tok[0], "expect") == 0)
      return parse_expect(p, tok, n);
   if ((idx = name_index(role_names, PM4D_CONV2D_ROLE_COUNT, tok[0])) >= 0)
      return parse_binding(p, (enum pm4d_conv2d_role)idx, tok, n);
   if ((idx = name_index(field_names, PM4D_FIELD_COUNT, tok[0])) >= 0)
      return parse_source(p, (enum pm4d_conv2d_field)idx, tok, n);
   return fail(p, "unknown keyword '%s'", tok[0]);
}

static enum pm4d_shader_table_status parse_line(struct parser *p, char *line)
{
   char *tok[MAX_TOKENS], *save = NULL;
   int n = 0;
   char *hash = strchr(line, '#');
   if (hash)
      *hash = '\0';
   for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
      if (n == MAX_TOKENS)
         return fail(p, "more than %d words on a line", MAX_TOKENS);
      tok[n++] = t;
   }
   if (n == 0)
      return PM4D_SHADER_TABLE_OK;
   if (strcmp(tok[0], "shader") == 0)
      return begin_entry(p, tok, n);
   if (!p->in_entry)
      return fail(p, "'%s' outside a 'shader' ... 'end' block", tok[0]);
   return parse_entry_line(p, tok, n);
}

static enum pm4d_shader_table_status append(struct pm4d_shader_table *t,
                                            const struct pm4d_shader_entry *e, size_t n)
{
   if (t->count + n > t->cap) {
      size_t cap = t->cap ? t->cap : 8;
      struct pm4d_shader_entry *grown;
      while (cap < t->count + n)
         cap *= 2;
      grown = pm4d_realloc(t->entries, cap * sizeof(*grown));
      if (!grown)
         return PM4D_SHADER_TABLE_NO_MEMORY;
      t->entries = grown;
      t->cap = cap;
   }
   for (size_t i = 0; i < n; i++) {
      t->entries[t->count] = e[i];
      t->entries[t->count].seq = (uint32_t)t->count;
      t->count++;
   }
   return PM4D_SHADER_TABLE_OK;
}

enum pm4d_shader_table_status pm4d_shader_table_parse(struct pm4d_shader_table *t, const char *text,
                                                      size_t len, const char *origin, char *err,
                                                      size_t err_size)
{
   struct parser p = {.origin = origin ? origin : "<table>", .err = err, .err_size = err_size};
   enum pm4d_shader_table_status st = PM4D_SHADER_TABLE_OK;
   char line[MAX_LINE];
   size_t pos = 0;

   if (err_size)
      err[0] = '\0';
   while (pos < len && st == PM4D_SHADER_TABLE_OK) {
      const char *nl = memchr(text + pos, '\n', len - pos);
      size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
      p.line++;
      if (n >= sizeof(line)) {
         st = fail(&p, "line longer than %d bytes", MAX_LINE - 1);
         break;
      }
      memcpy(line, text + pos, n);
      line[n] = '\0';
      if (memchr(line, '\0', n)) {
         st = fail(&p, "NUL byte in the text");
         break;
      }
      st = parse_line(&p, line);
      pos += n + 1;
   }
   if (st == PM4D_SHADER_TABLE_OK && p.in_entry) {
      p.line = p.entry_line;
      st = fail(&p, "shader %s: no 'end'", p.cur.name);
   }
   if (st == PM4D_SHADER_TABLE_OK)
      st = append(t, p.out, p.n_out);
   if (st == PM4D_SHADER_TABLE_NO_MEMORY && err_size)
      snprintf(err, err_size, "%s: out of memory", p.origin);
   free(p.out);
   return st;
}

enum pm4d_shader_table_status pm4d_shader_table_load_builtin(struct pm4d_shader_table *t, char *err,
                                                             size_t err_size)
{
   return pm4d_shader_table_parse(t, pm4d_known_shaders_text, pm4d_known_shaders_size,
                                  "known_shaders.txt", err, err_size);
}

enum pm4d_shader_table_status pm4d_shader_table_load_file(struct pm4d_shader_table *t,
                                                          const char *path, char *err,
                                                          size_t err_size)
{
   enum pm4d_shader_table_status st = PM4D_SHADER_TABLE_IO;
   char *buf = NULL;
   size_t n = 0;
   struct stat sb;
   /* Only a regular file of bounded size: no symbolic link (O_NOFOLLOW), and no FIFO or device
    * to block on (O_NONBLOCK, then fstat). */
   int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
   if (fd < 0) {
      snprintf(err, err_size, "%s: cannot open: %s", path,
               errno == ELOOP ? "it is a symbolic link (not followed)" : strerror(errno));
      return st;
   }
   if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
      snprintf(err, err_size, "%s: not a regular file", path);
      goto fail;
   }
   if (sb.st_size > MAX_FILE_BYTES) {
      snprintf(err, err_size, "%s: larger than %u bytes", path, MAX_FILE_BYTES);
      goto fail;
   }
   buf = pm4d_malloc(MAX_FILE_BYTES + 1);
   if (!buf) {
      st = PM4D_SHADER_TABLE_NO_MEMORY;
      snprintf(err, err_size, "%s: out of memory", path);
      goto fail;
   }
   while (n <= MAX_FILE_BYTES) {
      ssize_t got = read(fd, buf + n, MAX_FILE_BYTES + 1 - n);
      if (got == 0)
         break;
      if (got < 0 && errno == EINTR)
         continue;
      if (got < 0) {
         snprintf(err, err_size, "%s: read error: %s", path, strerror(errno));
         goto fail;
      }
      n += (size_t)got;
   }
   if (n > MAX_FILE_BYTES) {
      snprintf(err, err_size, "%s: larger than %u bytes", path, MAX_FILE_BYTES);
      goto fail;
   }
   st = pm4d_shader_table_parse(t, buf, n, path, err, err_size);
fail:
   free(buf);
   close(fd);
   return st;
}

static int entry_cmp(const void *a, const void *b)
{
   const struct pm4d_shader_entry *x = a, *y = b;
   int c;
   if (x->fingerprint != y->fingerprint)
      return x->fingerprint < y->fingerprint ? -1 : 1;
   c = strcmp(x->entry_point, y->entry_point);
   if (c)
      return c;
   return (x->seq > y->seq) - (x->seq < y->seq);
}

void pm4d_shader_table_finish(struct pm4d_shader_table *t)
{
   size_t out = 0;
   if (t->count == 0)
      return;
   qsort(t->entries, t->count, sizeof(*t->entries), entry_cmp);
   /* Keep the last loaded of each (fingerprint, entry point). */
   for (size_t i = 0; i < t->count; i++) {
      const struct pm4d_shader_entry *e = &t->entries[i];
      if (i + 1 < t->count && e[1].fingerprint == e->fingerprint &&
          strcmp(e[1].entry_point, e->entry_point) == 0)
         continue;
      t->entries[out++] = *e;
   }
   t->count = out;
}

const struct pm4d_shader_entry *pm4d_shader_table_lookup(const struct pm4d_shader_table *t,
                                                         uint64_t fingerprint,
                                                         const char *entry_point)
{
   size_t lo = 0, hi = t->count;
   /* Lower bound of the fingerprint, then the (few) entries sharing it. */
   while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (t->entries[mid].fingerprint < fingerprint)
         lo = mid + 1;
      else
         hi = mid;
   }
   for (; lo < t->count && t->entries[lo].fingerprint == fingerprint; lo++)
      if (strcmp(t->entries[lo].entry_point, entry_point) == 0)
         return &t->entries[lo];
   return NULL;
}

void pm4d_shader_table_init(struct pm4d_shader_table *t)
{
   memset(t, 0, sizeof(*t));
}

void pm4d_shader_table_free(struct pm4d_shader_table *t)
{
   free(t->entries);
   memset(t, 0, sizeof(*t));
}
