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

    /// Runs `body(forEachItem)` on ``GEMM/threadCount`` threads that share `0..<count` (inline with fewer
    /// than two items): each thread sets up what it needs once, then its `forEachItem` calls its closure
    /// on each item it takes, first from its own even part, then from the others' (`WorkerPool.runShared`),
    /// so a thread on a slowed core does not hold the others up. What an item computes does not depend on
    /// the thread.
    static func runShared(_ count: Int, _ body: (_ forEachItem: ((Int) -> Void) -> Void) -> Void) {
        let threads = min(GEMM.threadCount, count)
        guard threads > 1 else {
            body { each in (0..<count).forEach(each) }
            return
        }
        WorkerPool.runShared(threads, items: count, grain: 1) { _, forEachClaim in
            withoutActuallyEscaping(forEachClaim) { forEachClaim in
                body { each in
                    withoutActuallyEscaping(each) { each in forEachClaim { items, _ in items.forEach(each) } }
                }
            }
        }
    }
}
