#ifndef PANOPTES_CBLAS_SHIM_H
#define PANOPTES_CBLAS_SHIM_H
// OpenBLAS's header only: CBLASLoader defines the functions Panoptes calls and loads the library on the
// first call.
#include <cblas.h>
// OpenBLAS's own control; declared in Debian's cblas.h as well, repeated here for clarity of origin.
char *openblas_get_corename(void);
#endif
