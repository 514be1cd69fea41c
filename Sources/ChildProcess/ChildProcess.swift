public import Foundation
internal import Subprocess
internal import SystemPackage

/// A program to run to completion: the one way Panoptes' benchmarks and tests start another process
/// (ffmpeg, ffprobe, a Python peer, `panoptes` itself), built on swift-subprocess.
///
/// Both output streams are read while the child runs, so a chatty child never blocks on a full pipe.
/// - Note: A value; `run()` may be called from any task, any number of times.
public struct ChildProcess: Sendable {
    /// Where a child's standard output or standard error goes.
    public enum Output: Sendable {
        /// Collected into the result (at most ``ChildProcess/captureLimit`` bytes).
        case capture
        /// Shared with this process's own stream (a child whose progress the user watches).
        case inherit
        /// Thrown away.
        case discard
    }

    /// The most bytes one captured stream may hold (1 GiB: decoded raw video in tests stays far below).
    public static let captureLimit = 1 << 30

    /// The program, by path.
    public var executable: URL
    /// Its arguments, without the program's own name.
    public var arguments: [String]
    /// Its whole environment; nil inherits this process's.
    public var environment: [String: String]?
    /// Its working folder; nil keeps this process's.
    public var currentDirectory: URL?
    /// A file fed to its standard input; nil gives it an empty one.
    public var standardInput: URL?
    /// Where its standard output goes. Default: captured.
    public var standardOutput: Output
    /// Where its standard error goes. Default: captured.
    public var standardError: Output

    /// A child running `executable` with `arguments`.
    public init(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: URL? = nil,
        standardInput: URL? = nil, standardOutput: Output = .capture, standardError: Output = .capture
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// Starts the child and waits for it to exit.
    ///
    /// - Returns: its exit status and the captured streams (empty when not captured).
    /// - Throws: ``ChildProcessError`` when it cannot start, or its standard input cannot be opened.
    public func run() async throws -> ChildProcessResult {
        let configuration = Configuration(
            executable: .path(FilePath(executable.path)),
            arguments: Arguments(arguments),
            environment: environment.map { values in
                .custom(Dictionary(uniqueKeysWithValues: values.compactMap { key, value in
                    Environment.Key(rawValue: key).map { ($0, value) }
                }))
            } ?? .inherit,
            workingDirectory: currentDirectory.map { FilePath($0.path) })
        // Opened here and closed by Subprocess once the child has it (`closeAfterSpawningProcess`), or
        // below when the child never starts.
        var input: FileDescriptor?
        if let standardInput {
            do { input = try FileDescriptor.open(FilePath(standardInput.path), .readOnly) } catch {
                throw ChildProcessError(executable: executable, reason: "cannot open its standard input \(standardInput.path): \(error)")
            }
        }
        do {
            let result = try await Self.run(configuration, input: input, output: standardOutput, error: standardError)
            return result
        } catch let error as ChildProcessError {
            throw error
        } catch {
            throw ChildProcessError(executable: executable, reason: "\(error)")
        }
    }

    // Subprocess picks its output types at compile time, so each stream choice is one generic call.
    private static func run(
        _ configuration: Configuration, input: FileDescriptor?, output: Output, error: Output
    ) async throws -> ChildProcessResult {
        switch output {
        case .capture: return try await run(configuration, input: input, output: .bytes(limit: captureLimit), error: error)
        case .inherit: return try await run(configuration, input: input, output: .fileDescriptor(.standardOutput, closeAfterSpawningProcess: false), error: error)
        case .discard: return try await run(configuration, input: input, output: .discarded, error: error)
        }
    }

    private static func run<Out: OutputProtocol>(
        _ configuration: Configuration, input: FileDescriptor?, output: Out, error: Output
    ) async throws -> ChildProcessResult {
        switch error {
        case .capture: return try await run(configuration, input: input, output: output, error: .bytes(limit: captureLimit))
        case .inherit: return try await run(configuration, input: input, output: output, error: .fileDescriptor(.standardError, closeAfterSpawningProcess: false))
        case .discard: return try await run(configuration, input: input, output: output, error: .discarded)
        }
    }

    private static func run<Out: OutputProtocol, Err: ErrorOutputProtocol>(
        _ configuration: Configuration, input: FileDescriptor?, output: Out, error: Err
    ) async throws -> ChildProcessResult {
        let result: ExecutionResult<Void, Out, Err>
        if let input {
            result = try await Subprocess.run(
                configuration, input: .fileDescriptor(input, closeAfterSpawningProcess: true), output: output, error: error)
        } else {
            result = try await Subprocess.run(configuration, input: .none, output: output, error: error)
        }
        return ChildProcessResult(
            status: Self.status(result.terminationStatus),
            stdout: Data(Self.bytes(result.standardOutput)), stderr: Data(Self.bytes(result.standardError)))
    }

    /// The exit code, or 128 + the signal for a child killed by one (as a shell reports it).
    private static func status(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): return Int32(truncatingIfNeeded: code)
        case .signaled(let signal): return 128 + Int32(truncatingIfNeeded: signal)
        }
    }

    private static func bytes(_ value: Any) -> [UInt8] { value as? [UInt8] ?? [] }
}

/// The outcome of a child process run to completion.
public struct ChildProcessResult: Sendable {
    /// The exit code (128 + the signal when a signal ended it).
    public var status: Int32
    /// Its standard output, when captured.
    public var stdout: Data
    /// Its standard error, when captured.
    public var stderr: Data
    /// `stdout` as UTF-8 text.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// `stderr` as UTF-8 text.
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// A result with these values.
    public init(status: Int32, stdout: Data, stderr: Data) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// A child process could not be started.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    /// The program.
    public var executable: URL
    /// Why, in the system's words.
    public var reason: String
    /// What the user reads.
    public var description: String {
        "cannot run \(executable.path): \(reason); check that the program is installed and executable"
    }
}
