import Foundation
import Synchronization

/// The compute threads behind ``GEMM/threadCount``: the calling thread and `threadCount − 1` workers
/// that stay awake (spinning) for a short while after each parallel region, so the next region, a few
/// microseconds later, starts without waking a sleeping thread.
///
/// A convolution of one image runs about a hundred short regions (products, transforms, depthwise
/// channels); woken through `DispatchQueue.concurrentPerform`, two threads embedded one MobileNetV2 crop
/// hardly faster than one. Workers that find no work for about 100 µs sleep until the next region.
///
/// One region at a time: a call made while another thread's region is running runs its slices through
/// `DispatchQueue.concurrentPerform` instead, so nothing waits on anything but its own work. A call made
/// from inside a region's slice runs its slices one after another on that thread: the other threads are
/// busy with the region's other slices, and more threads than cores only take turns.
public enum WorkerPool {
    /// Runs `body(slice)` for every slice in `0..<slices` (at most ``GEMM/threadCount``), slice 0 on the
    /// calling thread, and returns when all are done.
    public static func run(_ slices: Int, _ body: (Int) -> Void) {
        precondition(slices <= GEMM.threadCount, "WorkerPool: \(slices) slices for \(GEMM.threadCount) threads")
        // Nested inside a slice: MobileNetV2's blocks ran each image's projection as a region of its own,
        // and the nested slices' dispatch threads put four compute threads on two cores (`embed` of 96
        // crops at batch 16 took 8% longer).
        if slices <= 1 || isInsideRegion {
            for slice in 0..<slices { body(slice) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let job = Job(body: body)
            guard shared.busy.withLock({ busy -> Bool in
                if busy { return false }
                busy = true
                return true
            }) else {
                DispatchQueue.concurrentPerform(iterations: slices) { slice in
                    markInsideRegion(true)
                    job.body(slice)
                    markInsideRegion(false)
                }
                return
            }
            markInsideRegion(true)
            shared.run(job, slices: slices)
            markInsideRegion(false)
            shared.busy.withLock { $0 = false }
        }
    }

    /// Runs `body(thread, forEachClaim)` on `threads` threads (as ``run(_:_:)`` does; `thread` is the
    /// slice, 0..<`threads`, for per-thread scratch) that share the items 0..<`items` (see `SharedRange`):
    /// each thread sets up what it needs once, then its `forEachClaim` calls its closure on each run of
    /// items it claims, with the end up to which its next claims from its own part may go (what it may
    /// prefetch). Claims from a thread's own part start at half of what is left of it and halve, down to
    /// `grain`.
    public static func runShared(
        _ threads: Int, items: Int, grain: Int,
        _ body: (_ thread: Int, _ forEachClaim: (_ claim: (_ items: Range<Int>, _ ahead: Int) -> Void) -> Void) -> Void
    ) {
        let shared = SharedRange(items: items, parts: max(threads, 1))
        run(threads) { slice in
            body(slice) { claim in shared.forEachClaim(part: slice, grain: grain, claim) }
        }
    }

    /// Whether the calling thread is running a slice of a region (set on a worker for good).
    private static var isInsideRegion: Bool { pthread_getspecific(insideRegionKey) != nil }

    private static func markInsideRegion(_ inside: Bool) {
        pthread_setspecific(insideRegionKey, inside ? UnsafeRawPointer(bitPattern: 1) : nil)
    }

    private static let insideRegionKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "WorkerPool: no thread-specific key left")
        return key
    }()

    private static let shared = Pool(workers: GEMM.threadCount - 1)

    /// One region's work. Safety of `@unchecked Sendable`: `body` lives only while `run` waits for every
    /// slice, and each slice writes only its own outputs.
    private final class Job: @unchecked Sendable {
        let body: (Int) -> Void
        init(body: @escaping (Int) -> Void) { self.body = body }
    }

    /// Safety of `@unchecked Sendable`: `job` and `slices` are written only by the one caller holding
    /// `busy`, before `generation` is raised with release ordering, and read by workers after they see
    /// it raised with acquire ordering; `remaining` hands the slices' writes back the same way.
    private final class Pool: @unchecked Sendable {
        let workers: Int
        let busy = Mutex(false)
        let generation = Atomic<Int>(0)
        let remaining = Atomic<Int>(0)
        let sleep = NSCondition()
        var job: Job?
        var slices = 0
        private var started = false

        init(workers: Int) { self.workers = workers }

        func run(_ job: Job, slices: Int) {
            if !started {
                started = true
                for index in 0..<workers {
                    let thread = Thread { [self] in work(index: index) }
                    thread.name = "panoptes-compute-\(index + 1)"
                    thread.start()
                }
            }
            self.job = job
            self.slices = slices
            remaining.store(workers, ordering: .releasing)
            generation.add(1, ordering: .releasing)
            sleep.lock()
            sleep.broadcast()
            sleep.unlock()
            job.body(0)
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 4096 { sched_yield() }
            }
            self.job = nil
        }

        private func work(index: Int) {
            WorkerPool.markInsideRegion(true)
            var seen = 0
            while true {
                var spins = 0
                while generation.load(ordering: .acquiring) == seen {
                    spins += 1
                    if spins < 200_000 { continue }  // about 100 µs awake after the last region
                    sleep.lock()
                    while generation.load(ordering: .acquiring) == seen { sleep.wait() }
                    sleep.unlock()
                }
                seen = generation.load(ordering: .acquiring)
                if index + 1 < slices, let job { job.body(index + 1) }
                remaining.subtract(1, ordering: .releasing)
            }
        }
    }
}
