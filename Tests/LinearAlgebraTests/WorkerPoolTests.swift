import Foundation
import LinearAlgebra
import Synchronization
import XCTest

/// The compute threads' regions: every slice once, and a region started inside a slice kept on that
/// slice's thread, so the cores never hold more compute threads than there are of them.
final class WorkerPoolTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(GEMM.threadCount >= 2, "one compute thread (PANOPTES_THREADS or the cores): no regions to share")
    }

    /// The thread running the caller, as a number to compare.
    private static var currentThread: UInt { UInt(pthread_self()) }

    func testRegion_runsEverySliceOnce_onAsManyThreads() {
        let slices = GEMM.threadCount
        let seen = Mutex([(slice: Int, thread: UInt)]())
        WorkerPool.run(slices) { slice in
            // Long enough that no one thread could take every slice in turn.
            usleep(20_000)
            seen.withLock { $0.append((slice, Self.currentThread)) }
        }
        let runs = seen.withLock { $0 }
        XCTAssertEqual(runs.map(\.slice).sorted(), Array(0..<slices))
        XCTAssertEqual(Set(runs.map(\.thread)).count, slices, "the slices shared \(Set(runs.map(\.thread)).count) threads")
    }

    /// A product inside an image's slice (MobileNetV2's projections) must not wake threads of its own while
    /// every compute thread is busy with the region: its slices run in order on the slice's thread. Then
    /// the next region has every thread again.
    func testRegionInsideASlice_runsOnThatSlicesThread_inOrder() {
        let slices = GEMM.threadCount
        let inner = Mutex([(outer: Int, outerThread: UInt, slice: Int, thread: UInt)]())
        WorkerPool.run(slices) { outer in
            let outerThread = Self.currentThread
            WorkerPool.run(slices) { slice in
                // Slice 0 waits long enough for a woken thread to take slice 1, were there one.
                if slice == 0 { usleep(20_000) }
                inner.withLock { $0.append((outer, outerThread, slice, Self.currentThread)) }
            }
        }
        let runs = inner.withLock { $0 }
        XCTAssertEqual(runs.count, slices * slices)
        for outer in 0..<slices {
            let mine = runs.filter { $0.outer == outer }
            XCTAssertEqual(mine.map(\.slice), Array(0..<slices), "outer slice \(outer)'s inner slices ran out of order")
            XCTAssertTrue(mine.allSatisfy { $0.thread == $0.outerThread },
                          "outer slice \(outer)'s inner slices ran on \(Set(mine.map(\.thread)).count) threads")
        }
        testRegion_runsEverySliceOnce_onAsManyThreads()
    }

    /// A shared region tells each thread its slice and hands every item out exactly once, each thread's
    /// own part first from its front in halving claims; and when one slice's thread is slow, the others
    /// take the rest of its part from the back, so the slow thread does not hold the region up.
    func testSharedRegion_claimsEveryItemOnce_andASlowThreadsPartPassesToTheOthers() {
        let threads = GEMM.threadCount, items = 1000, grain = 7
        // Slice 0, whose part is the first, runs on the calling thread.
        let owner = Self.currentThread
        let claims = Mutex([(thread: UInt, items: Range<Int>, ahead: Int)]())
        let slices = Mutex([(slice: Int, thread: UInt)]())
        WorkerPool.runShared(threads, items: items, grain: grain) { slice, forEachClaim in
            slices.withLock { $0.append((slice, Self.currentThread)) }
            var first = true
            forEachClaim { range, ahead in
                // The thread of the first part stalls on its first claim, long enough for the others to
                // finish theirs.
                if first && range.lowerBound == 0 { usleep(200_000) }
                first = false
                claims.withLock { $0.append((Self.currentThread, range, ahead)) }
            }
        }
        // Each thread is told its own slice index (what it picks its scratch by), slice 0 the caller's.
        let ran = slices.withLock { $0 }
        XCTAssertEqual(ran.map(\.slice).sorted(), Array(0..<threads), "slice indices handed out")
        XCTAssertEqual(Set(ran.map(\.thread)).count, threads, "two slices told to one thread")
        XCTAssertEqual(ran.first { $0.slice == 0 }?.thread, owner, "slice 0 not on the calling thread")
        let all = claims.withLock { $0 }
        XCTAssertEqual(all.flatMap { Array($0.items) }.sorted(), Array(0..<items), "items claimed twice or never")
        XCTAssertTrue(all.allSatisfy { !$0.items.isEmpty && $0.items.count <= max(grain, items / threads / 2) },
                      "a claim of \(all.map(\.items.count).max() ?? 0) items: more than half a part")
        let ownEnd = items / threads
        // The calling thread may start its slice only after the others have taken its whole part (a busy
        // host preempted it there once in CI): then it claims nothing, and nothing of its part waited on it.
        if let slow = all.first(where: { $0.thread == owner && $0.items.lowerBound == 0 }) {
            XCTAssertEqual(slow.ahead, ownEnd, "its first claim may prefetch up to its part's end")
        }
        let taken = all.filter { $0.thread != owner && $0.items.lowerBound < ownEnd }.reduce(0) { $0 + $1.items.count }
        XCTAssertGreaterThan(taken, ownEnd / 2, "the other threads took only \(taken) of the slow thread's \(ownEnd) items")
    }
}
