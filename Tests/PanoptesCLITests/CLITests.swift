import Foundation
import TestSupport
import XCTest

/// End-to-end checks of the built `panoptes` binary: what a user sees at the terminal.
final class CLITests: XCTestCase {
    func testVersion_printsVersionAndExitsZero() throws {
        let result = try runProcess(Fixtures.panoptes, ["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
    }

    func testHelp_listsEverySubcommand() throws {
        let result = try runProcess(Fixtures.panoptes, ["--help"])
        XCTAssertEqual(result.status, 0)
        for sub in ["run", "validate", "calibrate", "probe", "embed", "inspect", "synth", "score", "eval", "bench", "tail"] {
            XCTAssertTrue(result.stdoutText.contains("  \(sub)"), "help lacks \(sub):\n\(result.stdoutText)")
        }
    }

    func testUnknownOption_exitsTwoWithUsage() throws {
        let result = try runProcess(Fixtures.panoptes, ["probe", Fixtures.vtest.path, "--no-such-option"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("Unknown option '--no-such-option'"), result.stderrText)
    }
}
