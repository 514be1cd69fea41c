import Foundation
import TestSupport
import XCTest

/// OpenBLAS loads at the first product that needs it, not when `panoptes` starts: the network's own
/// kernels (AVX2 + FMA) never need it, its portable path does; a library that cannot be loaded is named,
/// with what to do.
final class BLASLoadingTests: XCTestCase {
    private func environment(_ extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(extra) { $1 }
    }

    /// Runs `panoptes ARGS` with the dynamic loader's log on; the exit status and whether it opened OpenBLAS.
    private func run(_ arguments: [String], _ extra: [String: String] = [:]) throws -> (status: Int32, openBLAS: Bool, stderr: String) {
        let result = try runProcess(Fixtures.panoptes, arguments, environment: environment(extra.merging(["LD_DEBUG": "files"]) { $1 }))
        XCTAssertTrue(result.stderrText.contains("file=libc.so"), "the loader's log is missing: \(result.stderrText.prefix(500))")
        return (result.status, result.stderrText.contains("file=libopenblas.so"), result.stderrText)
    }

    private func crop(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("crop.png").path
        let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-y", "-i", Fixtures.vtest.path, "-vf", "select=eq(n\\,42),crop=64:128:200:150", "-frames:v", "1", path,
        ])
        XCTAssertEqual(made.status, 0, made.stderrText)
        return path
    }

    func testStartingAndEmbeddingOnTheKernels_loadNoOpenBLAS_thePortablePathLoadsIt() throws {
        let version = try run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertFalse(version.openBLAS, "panoptes --version loaded OpenBLAS")

        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try crop(in: folder)
        let embed = ["embed", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path, image, "--out"]
        let kernels = try run(embed + [folder.appendingPathComponent("kernels.npy").path])
        XCTAssertEqual(kernels.status, 0, kernels.stderr.suffix(500).description)
        let avx2 = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8).contains(" avx2 ")
        if avx2 { XCTAssertFalse(kernels.openBLAS, "embed on the AVX2 + FMA kernels loaded OpenBLAS") }
        let portable = try run(embed + [folder.appendingPathComponent("portable.npy").path], ["PANOPTES_PORTABLE_KERNELS": "1"])
        XCTAssertEqual(portable.status, 0, portable.stderr.suffix(500).description)
        XCTAssertTrue(portable.openBLAS, "the portable path ran without OpenBLAS")
    }

    func testWhenOpenBLASCannotBeLoaded_theCommandThatNeedsItNamesItAndSaysWhatToDo() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("not a shared library\n".utf8).write(to: folder.appendingPathComponent("libopenblas.so.0"))
        let image = try crop(in: folder)
        let environment = ["LD_LIBRARY_PATH": folder.path, "PANOPTES_PORTABLE_KERNELS": "1"]
        // Nothing that needs no product is stopped.
        XCTAssertEqual(try runProcess(Fixtures.panoptes, ["--version"], environment: self.environment(environment)).status, 0)
        let result = try runProcess(Fixtures.panoptes, ["embed", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path,
                                                        "--out", folder.appendingPathComponent("e.npy").path, image],
                                    environment: self.environment(environment))
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderrText.contains("panoptes: cannot load OpenBLAS (libopenblas.so.0): "), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("install OpenBLAS (on Debian, apt-get install libopenblas0) and run again"), result.stderrText)
    }
}
