import Dispatch

/// Runs blocking work (FFmpeg decoding, the network's GEMMs) on a serial queue of its own, so the
/// async stages never block the cooperative thread pool (two threads on a 2-core machine).
///
/// - Note: `@unchecked Sendable` is safe: the worker's state is `value`, which is touched only inside
///   `run`, and every `run` executes on the one serial `queue`, so no two threads ever see it at once.
final class SerialWorker<Value>: @unchecked Sendable {
    private let queue: DispatchQueue
    private var value: Value

    /// A worker owning `value`, on a queue named `label`.
    init(label: String, value: Value) {
        queue = DispatchQueue(label: label)
        self.value = value
    }

    /// Runs `body` with the owned value on the worker's queue and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (inout Value) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(&self.value) })
            }
        }
    }
}
