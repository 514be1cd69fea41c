import Dispatch
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
        withoutActuallyEscaping(body) { body in
            let task = SliceTask(body: body, count: count, slices: threads)
            WorkerPool.run(threads) { task.run(slice: $0) }
        }
    }
}

/// One `ParallelFor.run` call shared by its worker threads.
///
/// Safety of `@unchecked Sendable`: `body` is only called, never stored past `run`, and each call
/// receives a disjoint slice of the index range; callers write only the outputs of their own slice
/// (every use in this module partitions by output channel, plane or row).
private final class SliceTask: @unchecked Sendable {
    let body: (Range<Int>) -> Void
    let count: Int
    let slices: Int

    init(body: @escaping (Range<Int>) -> Void, count: Int, slices: Int) {
        self.body = body
        self.count = count
        self.slices = slices
    }

    func run(slice: Int) {
        let start = count * slice / slices, end = count * (slice + 1) / slices
        if start < end { body(start..<end) }
    }
}
