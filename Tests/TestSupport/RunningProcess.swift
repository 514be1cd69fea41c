import Foundation

/// A child process whose output is collected while it runs, for commands that keep running
/// (`panoptes tail --follow`): wait for text to appear, send it a signal, wait for its exit.
public final class RunningProcess: @unchecked Sendable {
    // Safe: `out`, `err` and the EOF flags are only touched while holding `lock` (the pipes' handlers
    // run on Foundation's queues); `process` is only used through Foundation's thread-safe calls.
    private let process = Process()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private var openStreams = 2

    /// Starts `executable` with `arguments`, standard input from /dev/null.
    public init(_ executable: URL, _ arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        collect(outPipe) { $0.out.append($1) }
        collect(errPipe) { $0.err.append($1) }
        try process.run()
    }

    private func collect(_ pipe: Pipe, into store: @escaping @Sendable (RunningProcess, Data) -> Void) {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.withLock {
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    self.openStreams -= 1
                } else {
                    store(self, data)
                }
            }
        }
    }

    /// The process id.
    public var processIdentifier: Int32 { process.processIdentifier }
    /// Standard output so far.
    public var stdout: Data { lock.withLock { out } }
    /// Standard output so far, as UTF-8 text.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error so far, as UTF-8 text.
    public var stderrText: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Waits (checking every 10 ms) until `condition(stdout, stderr)` holds; false after `timeout` seconds.
    @discardableResult
    public func waitUntil(timeout: TimeInterval = 10, _ condition: (String, String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(stdoutText, stderrText) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition(stdoutText, stderrText)
    }

    /// True until the process has exited.
    public var isRunning: Bool { process.isRunning }

    /// Waits (checking every 10 ms) until `condition` holds for the bytes of `file` (empty while it does
    /// not exist): a file the process writes. False after `timeout` seconds, or as soon as the process
    /// has exited without the condition holding.
    @discardableResult
    public func waitUntil(file: URL, timeout: TimeInterval = 30, _ condition: (Data) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let running = process.isRunning
            if condition((try? Data(contentsOf: file)) ?? Data()) { return true }
            if !running { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition((try? Data(contentsOf: file)) ?? Data())
    }

    /// Sends `signal` to the process (wraps `kill(2)`).
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and its output to drain; after `timeout` seconds it is killed
    /// (SIGKILL) and the result says so. Returns the exit status and whether it exited by itself.
    public func waitForExit(timeout: TimeInterval = 10) -> (status: Int32, exited: Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            send(SIGKILL)
            process.waitUntilExit()
        }
        process.waitUntilExit()
        while lock.withLock({ openStreams > 0 }), Date() < deadline.addingTimeInterval(5) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        return (process.terminationStatus, process.terminationReason == .exit)
    }
}
