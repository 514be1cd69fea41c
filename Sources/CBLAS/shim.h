#ifndef PANOPTES_CBLAS_SHIM_H
#define PANOPTES_CBLAS_SHIM_H
#include <cblas.h>
#include <dlfcn.h>
// OpenBLAS' own controls; declared in Debian's cblas.h as well, repeated here for clarity of origin.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);

// Stops OpenBLAS's idle worker threads, which its next threaded product starts again: the function
// OpenBLAS's own fork handler calls (`blas_thread_shutdown_`), looked up at run time since only its
// pthread build has it (null handle: glibc's RTLD_DEFAULT, every loaded object). Returns 0 where it is
// missing.
static inline int panoptes_openblas_stop_idle_threads(void) {
    int (*shutdown)(void) = (int (*)(void))dlsym((void *)0, "blas_thread_shutdown_");
    if (!shutdown) return 0;
    shutdown();
    return 1;
}
#endif
