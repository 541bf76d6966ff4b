/* kmodel_port.h: force-include this header when compiling a driver for the kernel model
   (gcc/clang: -include kmodel_port.h; MSVC: /FI kmodel_port.h). The driver's sources stay unchanged.

   On amd64 the DDK's KeGetCurrentIrql, KeRaiseIrql and KeLowerIrql are inline functions that read and write
   CR8, a privileged register. Declared here before the DDK headers, __readcr8/__writecr8 become ordinary
   calls into the model (which keeps the IRQL per thread) instead of mingw-w64's inline `mov cr8`.
   Without this header the model still works: it emulates the faulting instruction (slower, see
   docs/kernel-model.md). On x86 these calls are HAL functions (KeGetCurrentIrql, KfRaiseIrql, KfLowerIrql)
   that the model implements, so there is nothing to redirect. Nothing else here changes what the driver
   compiles to. */
#ifndef KMODEL_PORT_H
#define KMODEL_PORT_H 1
#if defined(__MINGW32__) && (defined(__x86_64__) || defined(_M_X64))
#define __INTRINSIC_DEFINED___readcr8
#define __INTRINSIC_DEFINED___writecr8
#ifdef __cplusplus
extern "C" {
#endif
__extension__ unsigned long long __readcr8(void);
__extension__ void __writecr8(unsigned long long);
#ifdef __cplusplus
}
#endif
#endif
#endif
