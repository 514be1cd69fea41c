import ChildProcess
import Foundation
import Synchronization

/// What a test gets back from a program it ran: ChildProcess's result.
public typealias ProcessResult = ChildProcessResult

/// Runs `executable` with `arguments` to completion through ``ChildProcess``, collecting both output
/// streams; `standardInput` names a file fed to the child's standard input.
///
/// - Note: For XCTest's synchronous test methods, which run on the main thread: the child runs on the
///   concurrency pool while the main thread waits. The main thread is not a pool thread, so waiting
///   cannot starve the task it waits for; calling this from a task could, hence the precondition.
public func runProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
    currentDirectory: URL? = nil, standardInput: URL? = nil
) throws -> ProcessResult {
    precondition(Thread.isMainThread, "runProcess blocks: call it from a synchronous test method (the main thread)")
    let child = ChildProcess(
        executable, arguments, environment: environment, currentDirectory: currentDirectory, standardInput: standardInput)
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { outcome.set(.success(try await child.run())) } catch { outcome.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try outcome.get()
}

/// The child's result, handed from the task that ran it to the waiting thread.
private final class Outcome: Sendable {
    private let slot = Mutex<Result<ProcessResult, any Error>?>(nil)
    func set(_ value: Result<ProcessResult, any Error>) { slot.withLock { $0 = value } }
    func get() throws -> ProcessResult {
        // `set` ran before the semaphore was signalled, so the slot is filled.
        try slot.withLock { $0! }.get()
    }
}
