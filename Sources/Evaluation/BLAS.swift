internal import CBLAS

/// The one place Evaluation calls OpenBLAS: a row-major `C = alpha · A · Bᵀ + beta · C` over `cblas_sgemm`.
///
/// Distances need only this product (query rows against gallery rows, both stored row-major), so the
/// wrapper takes exactly that shape and checks it before handing pointers to C.
enum BLAS {
    /// Wraps `cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ...)`: `c[m×n] = alpha·a[m×k]·b[n×k]ᵀ + beta·c`.
    ///
    /// - Note: `a`, `b` and `c` are dense row-major with leading dimensions `k`, `k` and `ldc`.
    static func gemmABt(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m > 0 && n > 0 && k > 0, "gemm shapes must be positive: m=\(m) n=\(n) k=\(k)")
        precondition(ldc >= n, "ldc \(ldc) must be at least n \(n)")
        precondition(m <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max) && ldc <= Int(Int32.max))
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(k), b, blasint(k), beta, c, blasint(ldc))
    }
}
