#include "CBLASLoader.h"

#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

// Declared in Debian's cblas.h as well; repeated so a cblas.h without them still matches.
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

static const char *const library = "libopenblas.so.0";

// The real functions, filled once by `load` before `once` completes (pthread_once orders those writes
// before every reader that passes it).
static __typeof__(&cblas_sgemm) real_cblas_sgemm;
static __typeof__(&openblas_set_num_threads) real_openblas_set_num_threads;
static __typeof__(&openblas_get_corename) real_openblas_get_corename;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int loaded;
static atomic_int threads;  // 0: OpenBLAS's own default
static char failure[512];

static void load(void) {
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *reason = dlerror();
        snprintf(failure, sizeof failure, "cannot load OpenBLAS (%s): %s", library, reason ? reason : "unknown error");
        return;
    }
    real_cblas_sgemm = (__typeof__(real_cblas_sgemm))dlsym(handle, "cblas_sgemm");
    real_openblas_set_num_threads = (__typeof__(real_openblas_set_num_threads))dlsym(handle, "openblas_set_num_threads");
    real_openblas_get_corename = (__typeof__(real_openblas_get_corename))dlsym(handle, "openblas_get_corename");
    if (!real_cblas_sgemm || !real_openblas_set_num_threads || !real_openblas_get_corename) {
        snprintf(failure, sizeof failure, "%s lacks cblas_sgemm, openblas_set_num_threads or openblas_get_corename", library);
        return;
    }
    const int count = atomic_load(&threads);
    if (count > 0) real_openblas_set_num_threads(count);
    atomic_store(&loaded, 1);
}

// The process cannot go on without the function: say what is missing and what to do, and stop.
static void require(void) {
    pthread_once(&once, load);
    if (atomic_load(&loaded)) return;
    fprintf(stderr, "panoptes: %s; install OpenBLAS (on Debian, apt-get install libopenblas0) and run again\n", failure);
    abort();
}

void panoptes_blas_set_threads(int count) {
    atomic_store(&threads, count);
    if (atomic_load(&loaded)) real_openblas_set_num_threads(count);
}

__attribute__((visibility("hidden"))) void cblas_sgemm(
    OPENBLAS_CONST enum CBLAS_ORDER order, OPENBLAS_CONST enum CBLAS_TRANSPOSE transA,
    OPENBLAS_CONST enum CBLAS_TRANSPOSE transB, OPENBLAS_CONST blasint m, OPENBLAS_CONST blasint n,
    OPENBLAS_CONST blasint k, OPENBLAS_CONST float alpha, OPENBLAS_CONST float *a, OPENBLAS_CONST blasint lda,
    OPENBLAS_CONST float *b, OPENBLAS_CONST blasint ldb, OPENBLAS_CONST float beta, float *c,
    OPENBLAS_CONST blasint ldc) {
    require();
    real_cblas_sgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

__attribute__((visibility("hidden"))) char *openblas_get_corename(void) {
    require();
    return real_openblas_get_corename();
}
