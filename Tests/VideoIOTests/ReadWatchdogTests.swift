import Foundation
import XCTest
@testable import VideoIO

/// `ReadWatchdog`: a live stream that sends nothing, or a stop asked for from another thread, cuts the
/// blocking open short instead of hanging (FFmpeg's interrupt callback).
final class ReadWatchdogTests: XCTestCase {
    /// A UDP port nothing sends to: the open waits for a packet that never comes.
    private var silentURL: String { "udp://127.0.0.1:\(40_000 + Int(getpid() % 20_000))" }

    func testReadWatchdog_silentStream_cutsTheOpenShortAfterTheStallTimeout() {
        let watchdog = ReadWatchdog(stallTimeout: 0.5)
        let start = ContinuousClock.now
        XCTAssertThrowsError(try VideoReader(url: silentURL, options: .init(watchdog: watchdog))) { error in
            XCTAssertEqual((error as? VideoError)?.kind, .openFailed, "\(error)")
        }
        let took = ContinuousClock.now - start
        XCTAssertEqual(watchdog.tripped, .stalled)
        XCTAssertGreaterThanOrEqual(took, .milliseconds(450))
        XCTAssertLessThan(took, .seconds(5), "not FFmpeg's own wait")
    }

    func testReadWatchdog_cancelled_cutsTheOpenShortAtOnce() {
        let start = ContinuousClock.now
        // A stop asked for 0.3 s into the open (as a signal handler's flag would be).
        let stopAt = start + .milliseconds(300)
        let watchdog = ReadWatchdog(stallTimeout: 60) { ContinuousClock.now >= stopAt }
        XCTAssertThrowsError(try VideoReader(url: silentURL, options: .init(watchdog: watchdog)))
        XCTAssertEqual(watchdog.tripped, .cancelled)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "well before the 60 s stall timeout")
    }
}
