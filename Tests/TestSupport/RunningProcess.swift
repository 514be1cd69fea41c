import Foundation

/// A child process whose output is collected while it runs, for commands that keep running
/// (`panoptes tail --follow`): wait for text to appear, send it a signal, wait for its exit.
public final class RunningProcess: @unchecked Sendable {
    // Safe: `out`, `err` and the count of open streams are only touched while holding `lock` (each
    // pipe is read on a thread of its own); `process` is only used through Foundation's thread-safe calls.
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

    /// Reads `pipe` to its end on a thread of its own. (Through `readabilityHandler`, whose dispatch
    /// source swift-corelibs-foundation tears down under the handler, a full test run once died of a
    /// segfault in libdispatch while live-camera tests started and stopped their streamers.)
    private func collect(_ pipe: Pipe, into store: @escaping @Sendable (RunningProcess, Data) -> Void) {
        let handle = pipe.fileHandleForReading
        let reader = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                let data = Data(buffer[0..<count])
                lock.withLock { store(self, data) }
            }
            lock.withLock { openStreams -= 1 }
        }
        reader.name = "RunningProcess-reader"
        reader.start()
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
