/* Kernels that each ask for one thing the PM4 path does not provide, built (one code object
 * per -D switch) for pm4d_test_codeobj_refuse: the loader must refuse real compiler output,
 * not only hand-edited bytes. Without a switch the kernel is clean (the control). */
__attribute__((reqd_work_group_size(64, 1, 1))) kernel void pm4d_bad(global float *out, uint n)
{
   const uint i = __builtin_amdgcn_workitem_id_x();
#if defined(PM4D_USE_DISPATCH_PTR)
   out[i] = ((const __constant uint *)__builtin_amdgcn_dispatch_ptr())[3];
#elif defined(PM4D_USE_QUEUE_PTR)
   out[i] = ((const __constant uint *)__builtin_amdgcn_queue_ptr())[3];
#elif defined(PM4D_USE_SCRATCH)
   volatile float a[64]; /* dynamically indexed: lives in scratch */
   for (uint j = 0; j < 64; j++)
      a[(j * n) & 63] = (float)j;
   out[i] = a[(i * n) & 63];
#elif defined(PM4D_USE_IMPLICIT_ARGS)
   out[i] = ((const __constant uint *)__builtin_amdgcn_implicitarg_ptr())[0];
#else
   out[i] = (float)n;
#endif
}
