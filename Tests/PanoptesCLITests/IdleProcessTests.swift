import Foundation
import TestSupport
import XCTest

/// A `panoptes` that has nothing to compute uses no CPU: OpenBLAS starts its worker threads when the
/// library loads, before `main`, and they spin for about a tenth of a second unless the process's thread
/// policy stops them, which it does first thing.
final class IdleProcessTests: XCTestCase {
    /// User plus system CPU time of process `pid` so far, in seconds (`/proc/PID/stat` fields 14 and 15).
    private func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
        let fields = stat[stat.index(after: try XCTUnwrap(stat.lastIndex(of: ")")))...].split(separator: " ")
        let ticks = try XCTUnwrap(Double(fields[11])) + XCTUnwrap(Double(fields[12]))
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func testTailFollow_waitingForEvents_usesNoCPUFromItsStart() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let events = folder.appendingPathComponent("events.jsonl")
        try Data().write(to: events)
        let tail = try RunningProcess(Fixtures.panoptes, ["tail", "--follow", events.path])
        defer {
            tail.send(SIGINT)
            _ = tail.waitForExit()
        }
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(tail.isRunning, tail.stderrText)
        // OpenBLAS's spinning worker alone took 0.12 s of these 0.5 s.
        XCTAssertLessThan(try cpuSeconds(tail.processIdentifier), 0.05, "an idle panoptes used CPU in its first half second")
    }
}
