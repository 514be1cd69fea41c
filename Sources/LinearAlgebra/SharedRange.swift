internal import CKernels

/// Items 0..<count shared among threads: each thread owns an even part and takes it from its front, half
/// of what is left at a time down to `grain` items, then takes from the backs of the others' parts,
/// `grain` at a time, until none is left. A thread slowed by its core (another guest on the host, a page
/// fault) no longer holds up the region. With an even split fixed in advance, the two threads of
/// ResNet-50 at 256x128 batch 8 waited 2-3% of the batch for each other on a quiet machine and about 15%
/// in a noisy spell (timed in `WorkerPool.run`). Shared (its products' tiles and its Winograd layers'
/// points and blocks), ResNet-50 at batch 8 took 2-10% less time in noisy spells and 0.997-1.017 of the
/// time on a quiet machine (alternating in-process runs, 20-30 turns, outputs identical); MobileNetV2 and
/// batch 1 within noise. Which thread computes an item changes nothing in it.
final class SharedRange: @unchecked Sendable {
    private let parts: UnsafeMutablePointer<CLongLong>
    /// One part a thread.
    private let partCount: Int

    init(items: Int, parts: Int) {
        precondition(items >= 0 && items <= Int(Int32.max) && parts > 0, "SharedRange: \(items) items in \(parts) parts")
        partCount = parts
        self.parts = .allocate(capacity: parts)
        for part in 0..<parts {
            let front = items * part / parts, back = items * (part + 1) / parts
            self.parts[part] = CLongLong(front) << 32 | CLongLong(back)
        }
    }

    deinit { parts.deallocate() }

    /// Runs `body` on each claim of thread `part`: its own part from the front, then the others' from the
    /// back. `ahead`: where the thread's next claim from the front would end at most (its part's back
    /// when the claim was made), so `body` may prefetch up to it; a claim from another part's back has
    /// nothing ahead (`ahead` is its end).
    func forEachClaim(part: Int, grain: Int, _ body: (_ items: Range<Int>, _ ahead: Int) -> Void) {
        precondition(grain > 0 && part >= 0 && part < partCount, "SharedRange: part \(part) of \(partCount), grain \(grain)")
        var first: Int32 = 0, back: Int32 = 0
        while true {
            let claimed = Int(ck_claim(parts + part, Int32(grain), 0, &first, &back))
            guard claimed > 0 else { break }
            body(Int(first)..<Int(first) + claimed, Int(back))
        }
        for step in 1..<partCount {
            let other = parts + (part + step) % partCount
            while true {
                let claimed = Int(ck_claim(other, Int32(grain), 1, &first, &back))
                guard claimed > 0 else { break }
                body(Int(first)..<Int(first) + claimed, Int(first) + claimed)
            }
        }
    }
}
