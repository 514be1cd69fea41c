/// The activation and scratch buffers a ``Network`` runs in, allocated once and reused.
///
/// Buffers grow when a larger batch or input size arrives and are otherwise reused as they are, so
/// steady-state embedding allocates nothing per layer or per call.
///
/// Every buffer starts on a 64-byte cache line. (`allocate(capacity:)` gave malloc's 16-byte alignment,
/// and a large buffer, mapped by malloc, starts 16 bytes past a page: then half the kernels' 32-byte
/// loads of a row and stores of a tile straddled two lines.)
/// - Note: not thread-safe; one workspace per embedding thread (``ReIDModel`` owns one).
final class Workspace {
    private var slotCapacity: [Int]
    private(set) var scratchCapacity = 0
    private var slots: [UnsafeMutablePointer<Float>] = []
    private(set) var scratch: UnsafeMutablePointer<Float>
    /// Slots whose buffer traded with the spare's, in order, since the last ``reserve(slots:scratch:)``.
    private var traded: [Int] = []

    init() {
        scratch = Self.allocate(1)
        slots = (0...Network.slotCount).map { _ in Self.allocate(1) }
        slotCapacity = [Int](repeating: 1, count: Network.slotCount + 1)
        scratchCapacity = 1
    }

    deinit {
        scratch.deallocate()
        for slot in slots { slot.deallocate() }
    }

    /// Makes slot i hold at least `slots[i]` floats (the last entry: the spare) and the scratch at least
    /// `scratch` floats (buffers only grow; contents are not kept). Called before each run: first every
    /// slot and the spare get back the buffer they were reserved with, whichever traded in the last run,
    /// so the sizes a batch was planned with hold at the next.
    func reserve(slots sizes: [Int], scratch count: Int) {
        while let index = traded.popLast() { exchangeWithSpare(index) }
        for (i, size) in sizes.enumerated() where size > slotCapacity[i] {
            slots[i].deallocate()
            slots[i] = Self.allocate(size)
            slotCapacity[i] = size
        }
        if count > scratchCapacity {
            scratch.deallocate()
            scratch = Self.allocate(count)
            scratchCapacity = count
        }
    }

    /// Room for `count` floats from a 64-byte boundary.
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    /// The buffer of activation slot `index`.
    func slot(_ index: Int) -> UnsafeMutablePointer<Float> { slots[index] }

    /// A buffer beside the slots, which an image block writes its output into when it cannot write over
    /// its input (see ``Network/run(_:input:output:spare:batch:height:width:scratch:)``).
    var spare: UnsafeMutablePointer<Float> { slots[Network.slotCount] }

    /// Makes the spare slot `index`'s buffer, and that buffer the spare.
    func swapSpare(withSlot index: Int) {
        exchangeWithSpare(index)
        traded.append(index)
    }

    private func exchangeWithSpare(_ index: Int) {
        slots.swapAt(index, Network.slotCount)
        slotCapacity.swapAt(index, Network.slotCount)
    }

    /// Has every page of every buffer mapped now (``ProcessMemory/prefault(_:)``).
    func prefault() {
        for (buffer, count) in zip(slots + [scratch], slotCapacity + [scratchCapacity]) {
            ProcessMemory.prefault(UnsafeMutableRawBufferPointer(start: buffer, count: count * MemoryLayout<Float>.stride))
        }
    }

    /// Bytes held by all buffers.
    var bytes: Int { (slotCapacity.reduce(0, +) + scratchCapacity) * MemoryLayout<Float>.stride }
}

extension UnsafeMutablePointer<Float> {
    /// The first float at or after this one that starts a 64-byte cache line (at most 15 floats on), for
    /// scratch the kernels read with aligned loads; its owner allots 16 floats more for it.
    var onCacheLine: UnsafeMutablePointer<Float> {
        self + (16 - Int(bitPattern: self) / MemoryLayout<Float>.stride % 16) % 16
    }
}
