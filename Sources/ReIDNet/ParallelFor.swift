internal import LinearAlgebra

/// Splits the network's own loops (depthwise, im2col, Winograd transforms, epilogues, pooling) over
/// the same cores the GEMMs use.
///
/// These loops run between BLAS calls, never during one, so together with OpenBLAS' threads the
/// process never runs more compute threads than ``GEMM/threadCount``.
enum ParallelFor {
    /// Runs `body(range)` on ``GEMM/threadCount`` disjoint, contiguous slices of `0..<count` at once
    /// (or inline when the work is too small to share).
    ///
    /// - Parameter minimumPerThread: below `count / threads` of this, everything runs inline.
    static func run(_ count: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = min(GEMM.threadCount, count / max(minimumPerThread, 1))
        guard threads > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        WorkerPool.run(threads) { slice in
            let start = count * slice / threads, end = count * (slice + 1) / threads
            if start < end { body(start..<end) }
        }
    }
}
