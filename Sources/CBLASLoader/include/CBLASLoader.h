#ifndef PANOPTES_CBLAS_LOADER_H
#define PANOPTES_CBLAS_LOADER_H

/// OpenBLAS, loaded when a product first needs it rather than when the process starts.
///
/// Linked the usual way, OpenBLAS (and libgfortran, libquadmath) was loaded and relocated before `main`
/// and started its worker threads, which spun for a tenth of a second: every command paid about 2 ms
/// for it (`--version` and `embed` alike), though the network's products run on CKernels wherever AVX2
/// and FMA do. Now the executable does not name the library: this target defines the OpenBLAS
/// functions Panoptes calls (hidden, so the library never sees them) as forwarders through pointers that
/// `dlsym` fills on the first call of any of them (`cblas_sgemm`, `openblas_get_corename` ...), once per
/// process; OpenBLAS then gets the thread count given to `panoptes_blas_set_threads`.

/// The threads OpenBLAS runs its products on: applied now if it is loaded, else as soon as it loads.
void panoptes_blas_set_threads(int count);

#endif
