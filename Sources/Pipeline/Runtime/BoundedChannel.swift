import DequeModule
import Synchronization

/// A first-in first-out channel between two pipeline stages that holds at most `capacity` elements:
/// `send` suspends while it is full, so a slow consumer slows its producers and memory stays bounded
/// whatever the footage length.
///
/// swift-async-algorithms' `AsyncChannel` is a rendezvous (capacity 0) and its `buffer` operator
/// buffers on the consumer's side of one producer; the stages need several producers (one per camera)
/// into one explicit capacity, and a receive that gives up after the embedder's longest wait, so this
/// small channel does both.
///
/// - Note: Any number of tasks may send; one task receives. `finish()` ends the stream after the
///   elements already sent; sends after it are dropped and return false.
public final class BoundedChannel<Element: Sendable>: Sendable {
    /// What `receive(within:)` got.
    public enum Received: Sendable {
        /// The next element.
        case element(Element)
        /// Nothing arrived within the wait.
        case timedOut
        /// The channel is finished and drained.
        case finished
    }

    private enum SendStep { case delivered, wait, closed }

    private struct State {
        var buffer = Deque<Element>()
        var finished = false
        var senders = Deque<(id: UInt64, continuation: CheckedContinuation<Void, Never>)>()
        var receiver: (id: UInt64, continuation: CheckedContinuation<Received, Never>)?
        var nextID: UInt64 = 0
        var count: Int { buffer.count }
    }

    /// The most elements held at once.
    public let capacity: Int
    private let state = Mutex(State())

    /// A channel holding at most `capacity` elements.
    ///
    /// - Precondition: `capacity >= 1`.
    public init(capacity: Int) {
        precondition(capacity >= 1, "a bounded channel needs a capacity of at least 1, got \(capacity)")
        self.capacity = capacity
    }

    /// Elements waiting now (for queue-depth metrics).
    public var depth: Int { state.withLock { $0.count } }

    /// Appends `element`, suspending while the channel is full.
    ///
    /// - Returns: false when the channel was finished (the element is dropped).
    @discardableResult
    public func send(_ element: Element) async -> Bool {
        while true {
            // Fast path under the lock: hand over to a waiting receiver, or buffer when there is room.
            let step: SendStep = state.withLock { s in
                if s.finished { return .closed }
                if let receiver = s.receiver {
                    s.receiver = nil
                    receiver.continuation.resume(returning: .element(element))
                    return .delivered
                }
                if s.count < capacity {
                    s.buffer.append(element)
                    return .delivered
                }
                return .wait
            }
            switch step {
            case .delivered: return true
            case .closed: return false
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    state.withLock { s in
                        if s.count < capacity || s.finished {
                            continuation.resume()
                        } else {
                            s.senders.append((s.nextID, continuation))
                            s.nextID += 1
                        }
                    }
                }
            }
        }
    }

    /// Appends `element` without waiting: when the channel is full, the oldest element that
    /// `droppable` accepts is removed to make room (a live camera keeps its newest frames).
    ///
    /// When nothing held is droppable the element is appended anyway, one over capacity: only
    /// elements the caller will not drop (a camera's few state changes) can overfill it.
    ///
    /// - Returns: whether the element was taken (false once the channel is finished) and how many
    ///   elements were dropped for it (0 or 1).
    @discardableResult
    public func sendDroppingOldest(_ element: Element, droppable: (Element) -> Bool) -> (sent: Bool, dropped: Int) {
        state.withLock { s in
            if s.finished { return (false, 0) }
            if let receiver = s.receiver {
                s.receiver = nil
                receiver.continuation.resume(returning: .element(element))
                return (true, 0)
            }
            var dropped = 0
            if s.count >= capacity, let oldest = s.buffer.firstIndex(where: droppable) {
                s.buffer.remove(at: oldest)
                dropped = 1
            }
            s.buffer.append(element)
            return (true, dropped)
        }
    }

    /// The next element, or nil once the channel is finished and drained.
    public func receive() async -> Element? {
        switch await receive(within: nil) {
        case .element(let e): return e
        case .finished, .timedOut: return nil
        }
    }

    /// The next element; `.timedOut` when none arrives within `seconds` (nil: wait as long as it takes).
    public func receive(within seconds: Double?) async -> Received {
        if let ready = takeIfReady() { return ready }
        if let seconds, seconds <= 0 { return .timedOut }
        let id: UInt64 = state.withLock { s in
            defer { s.nextID += 1 }
            return s.nextID
        }
        let timer: Task<Void, Never>? = seconds.map { seconds in
            Task { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                self?.state.withLock { s in
                    if let receiver = s.receiver, receiver.id == id {
                        s.receiver = nil
                        receiver.continuation.resume(returning: .timedOut)
                    }
                }
            }
        }
        defer { timer?.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Received, Never>) in
            state.withLock { s in
                if let ready = Self.take(&s) {
                    continuation.resume(returning: ready)
                } else {
                    precondition(s.receiver == nil, "BoundedChannel has one receiver")
                    s.receiver = (id, continuation)
                }
            }
        }
    }

    /// Ends the channel: receivers get the elements already sent, then the end.
    public func finish() {
        state.withLock { s in
            s.finished = true
            if s.count == 0, let receiver = s.receiver {
                s.receiver = nil
                receiver.continuation.resume(returning: .finished)
            }
            for sender in s.senders { sender.continuation.resume() }
            s.senders.removeAll()
        }
    }

    private func takeIfReady() -> Received? {
        state.withLock { Self.take(&$0) }
    }

    /// Takes the head element (waking one suspended sender), or `.finished` when drained and finished.
    private static func take(_ s: inout State) -> Received? {
        if s.count > 0 {
            let element = s.buffer.removeFirst()
            if !s.senders.isEmpty {
                s.senders.removeFirst().continuation.resume()
            }
            return .element(element)
        }
        return s.finished ? .finished : nil
    }
}
