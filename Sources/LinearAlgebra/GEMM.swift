internal import CBLAS
internal import CBLASLoader
import Foundation

/// The one door to OpenBLAS: single-precision matrix products (wraps `cblas_sgemm`), used by ReIDNet's
/// convolutions and Evaluation's distances alike.
///
/// Every matrix is row-major. One thread policy for the whole process: the thread count is set once,
/// the first time any product runs, to ``threadCount``: one BLAS thread per core this process may use
/// (or `PANOPTES_THREADS`). The network's own loops (im2col, depthwise, epilogues) run on the calling
/// thread *between* BLAS calls, never concurrently with them, so the process never runs more compute
/// threads than cores.
/// - Note: call from one thread at a time (the embedder is owned by one actor or one task; an
///   evaluation runs after embedding, on one task).
public enum GEMM {
    /// Compute threads: `PANOPTES_THREADS` when set to a positive integer, else the cores this
    /// process may use (`ProcessInfo.activeProcessorCount`). Read once, on first use; OpenBLAS gets
    /// the same count (when it loads, if it has not) and ReIDNet's own loops split into as many slices.
    public static let threadCount: Int = {
        let requested = ProcessInfo.processInfo.environment["PANOPTES_THREADS"].flatMap { Int($0) } ?? 0
        let count = requested > 0 ? requested : max(1, ProcessInfo.processInfo.activeProcessorCount)
        // OpenBLAS loads at its first product (CBLASLoader), and then runs it on as many threads. (Loaded
        // at start-up, its threads spun for a tenth of a second where the network ran its own kernels and
        // asked it for nothing.)
        panoptes_blas_set_threads(Int32(count))
        return count
    }()

    /// The OpenBLAS kernel family in use (`openblas_get_corename`), e.g. "Haswell" or "Zen".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// C = A·B (+ C when `accumulate`), with A m×k, B k×n (or n×k when `transposeB`), C m×n.
    ///
    /// Leading dimensions are the row strides of the (untransposed, stored) matrices; the
    /// preconditions check each against the shape, so a wrong stride stops here instead of reading
    /// out of bounds in C.
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool = false
    ) {
        precondition(m > 0 && n > 0 && k > 0, "GEMM shape must be positive: m=\(m) n=\(n) k=\(k)")
        precondition(lda >= k, "GEMM lda \(lda) < k \(k)")
        precondition(ldb >= (transposeB ? k : n), "GEMM ldb \(ldb) too small for k=\(k) n=\(n)")
        precondition(ldc >= n, "GEMM ldc \(ldc) < n \(n)")
        precondition(max(m, n, k, lda, ldb, ldc) <= Int(Int32.max), "GEMM dimension exceeds Int32")
        _ = threadCount
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), 1,
            a, Int32(lda), b, Int32(ldb), accumulate ? 1 : 0, c, Int32(ldc))
    }
}
