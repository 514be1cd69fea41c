#ifndef PANOPTES_CBLAS_SHIM_H
#define PANOPTES_CBLAS_SHIM_H
#include <cblas.h>
// OpenBLAS' own controls; declared in Debian's cblas.h as well, repeated here for clarity of origin.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);
#endif
