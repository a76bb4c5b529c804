/* Fences, syncobjs and sync_files (see vgpu_sync.h). Written from the kernel's
 * drivers/dma-buf/dma-fence-chain.c, dma-fence-unwrap.c, sync_file.c and
 * drivers/gpu/drm/drm_syncobj.c; each function names the one it follows. */
#include "vgpu_sync.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libdrm/drm.h>

struct vgpu_fence {
   atomic_int refs;
   enum vgpu_fence_kind kind;
   int signaled; /* PLAIN: set by the producer; CHAIN/ARRAY: cached once true */
   int error;
   /* CHAIN (struct dma_fence_chain): */
   uint64_t seqno, prev_seqno, context;
   struct vgpu_fence *prev, *inner;
   /* ARRAY */
   unsigned n;
   struct vgpu_fence **fences;
};

struct vgpu_syncobj {
   atomic_int refs;
   struct vgpu_fence *fence; /* NULL, a plain fence, or the head of a chain */
};

struct vgpu_sync_file {
   atomic_int refs;
   struct vgpu_fence *fence;
   int efd, notified;
   struct vgpu_sync_file *next; /* the not-yet-signalled list */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;
static struct vgpu_sync_file *pending_files;
static atomic_uint_fast64_t next_context = 1;

static void init_cond(void)
{
   pthread_condattr_t a;
   pthread_condattr_init(&a);
   pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
   pthread_cond_init(&cond, &a);
   pthread_condattr_destroy(&a);
}

uint64_t vgpu_now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void lock_sync(void)
{
   pthread_once(&cond_once, init_cond);
   pthread_mutex_lock(&lock);
}

/* Waits on the condition until abs_ns (INT64_MAX: no limit); returns 0 once abs_ns passed. */
static int wait_until_locked(int64_t abs_ns)
{
   if (abs_ns == INT64_MAX) {
      pthread_cond_wait(&cond, &lock);
      return 1;
   }
   if ((int64_t)vgpu_now_ns() >= abs_ns)
      return 0;
   struct timespec ts = {.tv_sec = abs_ns / 1000000000, .tv_nsec = abs_ns % 1000000000};
   pthread_cond_timedwait(&cond, &lock, &ts);
   return 1;
}

static struct vgpu_fence *fence_alloc(enum vgpu_fence_kind kind)
{
   struct vgpu_fence *f = calloc(1, sizeof(*f));
   if (!f)
      abort(); /* the model has no way to report ENOMEM from a signalling path */
   atomic_init(&f->refs, 1);
   f->kind = kind;
   return f;
}

struct vgpu_fence *vgpu_fence_create(void)
{
   struct vgpu_fence *f = fence_alloc(VGPU_FENCE_PLAIN);
   f->context = atomic_fetch_add(&next_context, 1);
   return f;
}

struct vgpu_fence *vgpu_fence_stub(void)
{
   /* Starts at one reference that is never dropped, so it is never freed. */
   static struct vgpu_fence stub = {.refs = 1, .kind = VGPU_FENCE_PLAIN, .signaled = 1};
   atomic_fetch_add(&stub.refs, 1);
   return &stub;
}

struct vgpu_fence *vgpu_fence_ref(struct vgpu_fence *f)
{
   if (f)
      atomic_fetch_add(&f->refs, 1);
   return f;
}

void vgpu_fence_unref(struct vgpu_fence *f)
{
   while (f && atomic_fetch_sub(&f->refs, 1) == 1) {
      struct vgpu_fence *prev = f->prev;
      vgpu_fence_unref(f->inner);
      for (unsigned i = 0; i < f->n; i++)
         vgpu_fence_unref(f->fences[i]);
      free(f->fences);
      free(f);
      f = prev; /* iterative: chains can be long */
   }
}

/* dma_fence_chain_signaled / dma_fence_array_signaled, with the chain's garbage collection of
 * signalled links (dma_fence_chain_walk). Caller holds the lock. */
static int signaled_locked(struct vgpu_fence *f)
{
   if (!f || f->signaled)
      return 1;
   switch (f->kind) {
   case VGPU_FENCE_PLAIN: return 0;
   case VGPU_FENCE_ARRAY:
      for (unsigned i = 0; i < f->n; i++)
         if (!signaled_locked(f->fences[i]))
            return 0;
      f->signaled = 1;
      return 1;
   case VGPU_FENCE_CHAIN:
      for (struct vgpu_fence *c = f; c; c = c->prev) {
         if (c->signaled)
            break;
         if (c->kind != VGPU_FENCE_CHAIN)
            return signaled_locked(c) ? (f->signaled = 1) : 0;
         if (!signaled_locked(c->inner))
            return 0;
      }
      f->signaled = 1;
      vgpu_fence_unref(f->prev);
      f->prev = NULL;
      return 1;
   }
   return 0;
}

static int error_locked(struct vgpu_fence *f)
{
   if (!f)
      return 0;
   if (f->error)
      return f->error;
   if (f->kind == VGPU_FENCE_CHAIN)
      return error_locked(f->inner);
   for (unsigned i = 0; i < f->n; i++)
      if (error_locked(f->fences[i]))
         return error_locked(f->fences[i]);
   return 0;
}

static void notify_files_locked(void)
{
   for (struct vgpu_sync_file **p = &pending_files; *p;) {
      struct vgpu_sync_file *sf = *p;
      if (signaled_locked(sf->fence)) {
         uint64_t one = 1;
         if (write(sf->efd, &one, sizeof(one)) != sizeof(one))
            (void)0; /* an eventfd write of 1 cannot fail short of overflow */
         sf->notified = 1;
         *p = sf->next;
      } else {
         p = &sf->next;
      }
   }
}

void vgpu_fence_signal(struct vgpu_fence *f, int error)
{
   lock_sync();
   if (error && !f->error)
      f->error = error;
   f->signaled = 1;
   notify_files_locked();
   pthread_cond_broadcast(&cond);
   pthread_mutex_unlock(&lock);
}

int vgpu_fence_is_signaled(struct vgpu_fence *f)
{
   lock_sync();
   int s = signaled_locked(f);
   pthread_mutex_unlock(&lock);
   return s;
}

int vgpu_fence_error(struct vgpu_fence *f)
{
   lock_sync();
   int e = error_locked(f);
   pthread_mutex_unlock(&lock);
   return e;
}

int vgpu_fence_wait_all(struct vgpu_fence *const *fences, unsigned n, const atomic_int *stop)
{
   lock_sync();
   for (;;) {
      unsigned i = 0;
      while (i < n && signaled_locked(fences[i]))
         i++;
      if (i == n || atomic_load(stop))
         break;
      wait_until_locked(INT64_MAX);
   }
   int r = atomic_load(stop) ? -1 : 0;
   pthread_mutex_unlock(&lock);
   return r;
}

int vgpu_fence_wait(struct vgpu_fence *f, int64_t abs_ns)
{
   lock_sync();
   int s;
   while (!(s = signaled_locked(f)) && wait_until_locked(abs_ns))
      ;
   pthread_mutex_unlock(&lock);
   return s;
}

void vgpu_sync_broadcast(void)
{
   lock_sync();
   pthread_cond_broadcast(&cond);
   pthread_mutex_unlock(&lock);
}

struct vgpu_syncobj *vgpu_syncobj_create(int signaled)
{
   struct vgpu_syncobj *s = calloc(1, sizeof(*s));
   if (!s)
      return NULL;
   atomic_init(&s->refs, 1);
   if (signaled) /* drm_syncobj_create: DRM_SYNCOBJ_CREATE_SIGNALED assigns the stub */
      s->fence = vgpu_fence_stub();
   return s;
}

struct vgpu_syncobj *vgpu_syncobj_ref(struct vgpu_syncobj *s)
{
   atomic_fetch_add(&s->refs, 1);
   return s;
}

void vgpu_syncobj_unref(struct vgpu_syncobj *s)
{
   if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
      vgpu_fence_unref(s->fence);
      free(s);
   }
}

void vgpu_syncobj_replace_fence(struct vgpu_syncobj *s, struct vgpu_fence *fence)
{
   lock_sync();
   struct vgpu_fence *old = s->fence;
   s->fence = vgpu_fence_ref(fence);
   pthread_cond_broadcast(&cond);
   pthread_mutex_unlock(&lock);
   vgpu_fence_unref(old);
}

/* drm_syncobj_add_point + dma_fence_chain_init: an in-order point continues the chain's context
 * (prev_seqno = the previous point); an out-of-order one ("You are adding an unorder point to
 * timeline!") starts a new context with seqno max(prev, point) and prev_seqno 0. */
void vgpu_syncobj_add_point(struct vgpu_syncobj *s, struct vgpu_fence *fence, uint64_t point)
{
   struct vgpu_fence *c = fence_alloc(VGPU_FENCE_CHAIN);
   c->inner = vgpu_fence_ref(fence);
   lock_sync();
   struct vgpu_fence *prev = s->fence;
   int prev_chain = prev && prev->kind == VGPU_FENCE_CHAIN;
   if (prev_chain && point > prev->seqno) {
      c->prev_seqno = prev->seqno;
      c->context = prev->context;
      c->seqno = point;
   } else {
      c->context = atomic_fetch_add(&next_context, 1);
      c->seqno = prev_chain && prev->seqno > point ? prev->seqno : point;
   }
   c->prev = prev; /* the syncobj's reference moves to the link */
   s->fence = c;
   pthread_cond_broadcast(&cond);
   pthread_mutex_unlock(&lock);
}

/* dma_fence_chain_find_seqno: 0 with *f the fence for point (NULL when it has signalled and been
 * collected), or -EINVAL when the timeline has not reached point. Caller holds the lock. */
static int find_seqno_locked(struct vgpu_fence **f, uint64_t point)
{
   if (!point)
      return 0;
   struct vgpu_fence *head = *f;
   if (!head || head->kind != VGPU_FENCE_CHAIN || head->seqno < point)
      return -EINVAL;
   struct vgpu_fence *c = head;
   while (c && c->kind == VGPU_FENCE_CHAIN && c->context == head->context &&
          c->prev_seqno >= point) {
      if (signaled_locked(c)) {
         c = NULL; /* the point and all before it have signalled */
         break;
      }
      c = c->prev;
   }
   *f = c;
   return 0;
}

/* The fence for point or NULL, referenced, with *found set; caller holds the lock. */
static struct vgpu_fence *lookup_locked(struct vgpu_syncobj *s, uint64_t point, int *found)
{
   struct vgpu_fence *f = s->fence;
   *found = f && !find_seqno_locked(&f, point);
   if (!*found)
      return NULL;
   return f ? vgpu_fence_ref(f) : vgpu_fence_stub();
}

int vgpu_syncobj_find_fence(struct vgpu_syncobj *s, uint64_t point, uint32_t flags,
                            uint64_t timeout_ns, struct vgpu_fence **out)
{
   int64_t deadline = (int64_t)(vgpu_now_ns() + timeout_ns);
   int found;
   lock_sync();
   *out = lookup_locked(s, point, &found);
   while (!found && (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT) && wait_until_locked(deadline))
      *out = lookup_locked(s, point, &found);
   pthread_mutex_unlock(&lock);
   if (found)
      return 0;
   return (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT) ? -ETIME : -EINVAL;
}

/* drm_syncobj_array_wait_timeout: a fence found for an entry stays that entry's fence (later
 * replacements do not change what is waited for); entries without one fail at once with -EINVAL
 * unless WAIT_FOR_SUBMIT or WAIT_AVAILABLE is set, and are then picked up when one is attached.
 * WAIT_AVAILABLE counts an attached fence as done. A timeout (including 0) gives -ETIME. */
int vgpu_syncobj_wait(struct vgpu_syncobj *const *s, const uint64_t *points, unsigned n,
                      uint32_t flags, int64_t abs_ns, uint32_t *first)
{
   struct vgpu_fence **f = calloc(n, sizeof(*f));
   int *found = calloc(n, sizeof(*found));
   if (!f || !found) {
      free(f);
      free(found);
      return -ENOMEM;
   }
   int r = -ETIME;
   lock_sync();
   for (unsigned i = 0; i < n; i++) {
      f[i] = lookup_locked(s[i], points ? points[i] : 0, &found[i]);
      if (!found[i] && !(flags & (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
                                  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE))) {
         r = -EINVAL;
         goto out;
      }
   }
   for (;;) {
      unsigned done = 0;
      for (unsigned i = 0; i < n; i++) {
         if (!found[i])
            f[i] = lookup_locked(s[i], points ? points[i] : 0, &found[i]);
         if (!found[i])
            continue;
         if ((flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE) || signaled_locked(f[i])) {
            if (!(flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL)) {
               if (first)
                  *first = i;
               r = 0;
               goto out;
            }
            done++;
         }
      }
      if (done == n) {
         if (first)
            *first = 0;
         r = 0;
         goto out;
      }
      if (!wait_until_locked(abs_ns))
         break;
   }
out:
   pthread_mutex_unlock(&lock);
   for (unsigned i = 0; i < n; i++)
      vgpu_fence_unref(f[i]);
   free(f);
   free(found);
   return r;
}

/* drm_syncobj_query_ioctl: a binary syncobj reads 0; a chain reads the last point of its
 * current context that has signalled in order (the head's seqno when all has, else the
 * prev_seqno of the oldest unsignalled link); LAST_SUBMITTED reads the head's seqno. */
uint64_t vgpu_syncobj_query(struct vgpu_syncobj *s, uint32_t flags)
{
   uint64_t point = 0;
   lock_sync();
   struct vgpu_fence *head = s->fence;
   if (head && head->kind == VGPU_FENCE_CHAIN) {
      if (flags & DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED) {
         point = head->seqno;
      } else {
         struct vgpu_fence *last = head;
         for (struct vgpu_fence *c = head; c && c->kind == VGPU_FENCE_CHAIN; c = c->prev) {
            if (c->context != head->context)
               break;
            if (signaled_locked(c))
               break;
            last = c;
         }
         point = signaled_locked(last) ? last->seqno : last->prev_seqno;
      }
   }
   pthread_mutex_unlock(&lock);
   return point;
}

struct vgpu_sync_file *vgpu_sync_file_create(struct vgpu_fence *fence, int *fd_out)
{
   struct vgpu_sync_file *sf = calloc(1, sizeof(*sf));
   if (!sf)
      return NULL;
   sf->efd = eventfd(0, EFD_CLOEXEC);
   if (sf->efd < 0) {
      free(sf);
      return NULL;
   }
   atomic_init(&sf->refs, 1);
   sf->fence = vgpu_fence_ref(fence);
   lock_sync();
   sf->next = pending_files;
   pending_files = sf;
   notify_files_locked();
   pthread_mutex_unlock(&lock);
   *fd_out = sf->efd;
   return sf;
}

struct vgpu_sync_file *vgpu_sync_file_ref(struct vgpu_sync_file *sf)
{
   atomic_fetch_add(&sf->refs, 1);
   return sf;
}

/* The fd itself is closed by whoever closes it (the fd table); this drops the object. */
void vgpu_sync_file_unref(struct vgpu_sync_file *sf)
{
   if (!sf || atomic_fetch_sub(&sf->refs, 1) != 1)
      return;
   lock_sync();
   for (struct vgpu_sync_file **p = &pending_files; *p; p = &(*p)->next)
      if (*p == sf) {
         *p = sf->next;
         break;
      }
   pthread_mutex_unlock(&lock);
   vgpu_fence_unref(sf->fence);
   free(sf);
}

struct vgpu_fence *vgpu_sync_file_fence(struct vgpu_sync_file *sf)
{
   return sf->fence;
}

static void append_flat(struct vgpu_fence *a, struct vgpu_fence ***list, unsigned *n)
{
   if (a->kind == VGPU_FENCE_ARRAY) {
      for (unsigned i = 0; i < a->n; i++)
         append_flat(a->fences[i], list, n);
      return;
   }
   struct vgpu_fence **l = realloc(*list, (*n + 1) * sizeof(**list));
   if (!l)
      abort();
   l[(*n)++] = vgpu_fence_ref(a);
   *list = l;
}

/* sync_file_merge -> dma_fence_unwrap_merge: the fences of both, flattened, in one array. */
struct vgpu_fence *vgpu_fence_merge(struct vgpu_fence *a, struct vgpu_fence *b)
{
   struct vgpu_fence *m = fence_alloc(VGPU_FENCE_ARRAY);
   lock_sync();
   append_flat(a, &m->fences, &m->n);
   append_flat(b, &m->fences, &m->n);
   pthread_mutex_unlock(&lock);
   return m;
}
