import Foundation
import XCTest

/// The Python peers the tests judge Panoptes by (Tests/Peers, run by the venv's Python), and the one
/// place that decides what a missing peer means.
///
/// A missing peer — no venv Python, or a package a peer imports not installed — fails the test that
/// needs it, saying to run `make venv`. Only when `PANOPTES_ALLOW_MISSING_PEERS=1` is set does it
/// become a skip, so a green `make test` means every comparison ran.
public enum Peer {
    /// The environment variable that turns a missing peer from a failure into a skip.
    public static let allowMissingVariable = "PANOPTES_ALLOW_MISSING_PEERS"

    /// True when `PANOPTES_ALLOW_MISSING_PEERS=1`.
    public static var missingAllowed: Bool {
        ProcessInfo.processInfo.environment[allowMissingVariable] == "1"
    }

    /// The error a test throws for a missing peer: `XCTSkip` when allowed, else ``PeerMissing``.
    public static func missing(_ what: String) -> any Error {
        missingAllowed ? XCTSkip("peer missing (\(allowMissingVariable)=1): \(what)") : PeerMissing(what: what)
    }

    /// Runs the venv's Python with `arguments`; returns whatever it exits with, except that a missing
    /// Python or a missing package (exit 3 by the peers' convention, or Python's `ModuleNotFoundError`)
    /// throws ``missing(_:)``.
    public static func python(_ arguments: [String], standardInput: URL? = nil) throws -> ProcessResult {
        guard FileManager.default.isExecutableFile(atPath: Fixtures.python.path) else {
            throw missing("no Python at \(Fixtures.python.path)")
        }
        let result = try runProcess(Fixtures.python, arguments, standardInput: standardInput)
        let stderr = result.stderrText
        if result.status == 3 || stderr.contains("ModuleNotFoundError") {
            throw missing(stderr.split(separator: "\n").last.map(String.init) ?? "exit \(result.status)")
        }
        return result
    }

    /// Runs `Tests/Peers/<script>`; throws ``PeerFailure`` with its stderr when it exits non-zero.
    @discardableResult
    public static func run(_ script: String, _ arguments: [String], standardInput: URL? = nil) throws -> ProcessResult {
        let result = try python([Fixtures.peers.appendingPathComponent(script).path] + arguments, standardInput: standardInput)
        guard result.status == 0 else {
            throw PeerFailure(script: script, status: result.status, stderr: result.stderrText)
        }
        return result
    }

    /// The folder of sample files py-motmetrics ships (`motmetrics/data`), wherever the venv's Python
    /// installed it; found without importing motmetrics (and pandas).
    public static func motmetricsData() throws -> URL {
        let code = "import importlib.util as u, os; s = u.find_spec('motmetrics'); "
            + "print(os.path.join(list(s.submodule_search_locations)[0], 'data') if s else '')"
        let result = try python(["-c", code])
        let path = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !path.isEmpty else { throw missing("motmetrics is not installed: \(result.stderrText)") }
        return URL(fileURLWithPath: path, isDirectory: true)
    }
}

/// Runs a peer script from `Tests/Peers` (see ``Peer/run(_:_:standardInput:)``).
@discardableResult
public func runPeer(_ script: String, _ arguments: [String], standardInput: URL? = nil) throws -> ProcessResult {
    try Peer.run(script, arguments, standardInput: standardInput)
}

/// A peer the test needs is not installed; the test fails (see ``Peer``).
public struct PeerMissing: Error, CustomStringConvertible {
    /// What is missing.
    public var what: String
    /// What the user reads.
    public var description: String {
        "a test peer is missing: \(what). Run `make venv` (or set \(Peer.allowMissingVariable)=1 to skip the tests that need it)"
    }
}

/// A peer script exited non-zero.
public struct PeerFailure: Error, CustomStringConvertible {
    /// The script's file name.
    public var script: String
    /// Its exit status.
    public var status: Int32
    /// Its standard error.
    public var stderr: String
    /// What the user reads.
    public var description: String { "peer \(script) exited \(status):\n\(stderr)" }
}
