/* pm4d-spirv-info [--offset BYTES --size BYTES] [--template NAME] FILE
 * Prints what the known-shader table needs to know about a SPIR-V module: fingerprint, entry
 * point, workgroup size, storage-buffer bindings, push-constant members, spec constants.
 * --offset/--size read a module embedded in another file (e.g. a shader array in a .so).
 * --template NAME prints instead a known_shaders.txt entry to fill in (format: README.md). */
#include "pm4d_fingerprint.h"
#include "pm4d_spirv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_size(const char *s, long *v)
{
   char *end;
   errno = 0;
   *v = strtol(s, &end, 0);
   return errno == 0 && *end == '\0' && *v >= 0;
}

static int read_slice(const char *path, long offset, long size, uint32_t **words, size_t *bytes)
{
   FILE *f = fopen(path, "rb");
   int ok = 0;
   if (!f) {
      fprintf(stderr, "pm4d-spirv-info: %s: %s\n", path, strerror(errno));
      return 0;
   }
   if (size < 0) {
      if (fseek(f, 0, SEEK_END) || (size = ftell(f) - offset) < 0)
         goto out;
   }
   if (fseek(f, offset, SEEK_SET))
      goto out;
   *words = malloc((size_t)size + 4);
   if (!*words)
      goto out;
   *bytes = fread(*words, 1, (size_t)size, f);
   ok = *bytes == (size_t)size;
out:
   if (!ok)
      fprintf(stderr, "pm4d-spirv-info: %s: cannot read %ld bytes at %ld\n", path, size, offset);
   fclose(f);
   return ok;
}

static void print_info(const struct pm4d_spirv_info *in, uint64_t fp)
{
   static const char *const dims = "xyz";
   printf("fingerprint 0x%016" PRIx64 "\n", fp);
   printf("version %u.%u generator 0x%08x bound %u\n", (in->version >> 16) & 0xff,
          (in->version >> 8) & 0xff, in->generator, in->bound);
   printf("entry %s (%u GLCompute entry point%s)\n", in->entry_point, in->compute_entries,
          in->compute_entries == 1 ? "" : "s");
   printf("local_size %u %u %u\n", in->local_size[0], in->local_size[1], in->local_size[2]);
   for (int i = 0; i < 3; i++)
      if (in->local_size_spec[i] >= 0)
         printf("local_size_%c spec %d\n", dims[i], in->local_size_spec[i]);
   for (uint32_t i = 0; i < in->n_buffers; i++)
      printf("buffer set %u binding %u %s\n", in->buffers[i].set, in->buffers[i].binding,
             in->buffers[i].kind == PM4D_SPIRV_STORAGE_BUFFER ? "storage" : "uniform");
   for (uint32_t i = 0; i < in->n_push_members; i++)
      printf("push member %u offset %u size %u\n", i, in->push_members[i].offset,
             in->push_members[i].size);
   printf("push_size %u\n", in->push_size);
   for (uint32_t i = 0; i < in->n_spec; i++)
      printf("spec id %u default %" PRIu64 " bits %u\n", in->spec[i].id, in->spec[i].value,
             in->spec[i].bits);
}

/* A table entry with what the module fixes filled in and the mapping left as comments. */
static void print_template(const struct pm4d_spirv_info *in, uint64_t fp, const char *name)
{
   printf("shader 0x%016" PRIx64 " %s\n  entry %s\n  variant conv2d\n  layout NCHW KCRS\n", fp,
          name, in->entry_point);
   for (uint32_t i = 0; i < in->n_buffers; i++)
      printf("  # input|filter|bias|output %u %u\n", in->buffers[i].set, in->buffers[i].binding);
   for (uint32_t i = 0; i < in->n_push_members; i++)
      if (in->push_members[i].size == 4)
         printf("  # FIELD push %u   (member %u)\n", in->push_members[i].offset, i);
   for (uint32_t i = 0; i < in->n_spec; i++)
      printf("  # FIELD spec %u   (default %" PRIu64 ")\n", in->spec[i].id, in->spec[i].value);
   printf("  # fields: n c h w k r s oh ow stride_h stride_w pad_h pad_w dil_h dil_w groups\n"
          "  #         bias_present relu  (push OFFSET [& MASK] | spec ID | const V | derived)\n"
          "end\n");
}

int main(int argc, char **argv)
{
   long offset = 0, size = -1;
   const char *path = NULL, *template_name = NULL;
   uint32_t *words = NULL;
   size_t bytes = 0, bad = 0;
   struct pm4d_spirv_info *info = NULL;
   enum pm4d_spirv_status st;
   uint64_t fp = 0;
   int rc = 2;

   for (int i = 1; i < argc; i++) {
      if (strcmp(argv[i], "--offset") == 0 && i + 1 < argc && parse_size(argv[i + 1], &offset))
         i++;
      else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc && parse_size(argv[i + 1], &size))
         i++;
      else if (strcmp(argv[i], "--template") == 0 && i + 1 < argc)
         template_name = argv[++i];
      else if (argv[i][0] != '-' && !path)
         path = argv[i];
      else
         goto usage;
   }
   if (!path)
      goto usage;
   info = malloc(sizeof(*info));
   if (!info || !read_slice(path, offset, size, &words, &bytes))
      goto out;
   st = pm4d_spirv_parse(words, bytes, info, &bad);
   if (st == PM4D_SPIRV_OK)
      st = pm4d_fingerprint_compute(words, bytes, &fp);
   if (st != PM4D_SPIRV_OK) {
      fprintf(stderr, "pm4d-spirv-info: %s: %s at word %zu\n", path, pm4d_spirv_status_name(st),
              bad);
      rc = 1;
      goto out;
   }
   if (template_name)
      print_template(info, fp, template_name);
   else
      print_info(info, fp);
   rc = 0;
out:
   free(words);
   free(info);
   return rc;
usage:
   fprintf(stderr, "usage: pm4d-spirv-info [--offset BYTES --size BYTES] [--template NAME] "
                   "FILE.spv\n");
   return 2;
}
