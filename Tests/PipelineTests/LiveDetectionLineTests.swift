import Tracking
import XCTest

@testable import Pipeline

/// The JSONL detection line of a live camera: the recorded line's box with `pts` or `wall_time` in
/// place of `frame`; each refusal says what is wrong and what to do.
final class LiveDetectionLineTests: XCTestCase {
    private func parse(_ text: String) throws -> LiveDetectionLine { try LiveDetectionLine.parse(Array(text.utf8)) }

    private func refusal(_ text: String) -> String? {
        do {
            _ = try LiveDetectionLine.parse(Array(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    func testParse_ptsLine_givesItsKeyAndBox() throws {
        let line = try parse(#"{"pts": 12.4, "x": 242.35, "y": 210.35, "w": 50.8, "h": 101.2, "score": 2.73}"#)
        XCTAssertEqual(line, LiveDetectionLine(key: .pts(12.4), box: .init(box: BoundingBox(x: 242.35, y: 210.35, w: 50.8, h: 101.2), score: 2.73)))
        XCTAssertEqual(try parse(#"{"pts": 3, "x": 1, "y": 2, "w": 3, "h": 4}"#).box?.score, 1, "score defaults to 1 as in recorded files")
    }

    func testParse_wallTime_acceptsRFC3339WithOrWithoutFractionAndOffsets() throws {
        let z = try parse(#"{"wall_time": "2026-11-29T10:15:02.400Z", "x": 1, "y": 2, "w": 3, "h": 4}"#)
        XCTAssertEqual(z.key, .wallTime(1_795_947_302.4))
        XCTAssertEqual(try parse(#"{"wall_time": "2026-11-29T11:15:02.400+01:00"}"#).key, .wallTime(1_795_947_302.4))
        XCTAssertEqual(try parse(#"{"wall_time": "2026-11-29T10:15:02Z"}"#).key, .wallTime(1_795_947_302))
    }

    func testParse_keyWithoutABox_saysTheFrameHadNobody() throws {
        XCTAssertEqual(try parse(#"{"pts": 1.5}"#), LiveDetectionLine(key: .pts(1.5), box: nil))
    }

    func testParse_badLines_sayWhatIsWrongAndWhatToDo() {
        XCTAssertEqual(refusal(#"{"frame": 3, "x": 1, "y": 2, "w": 3, "h": 4}"#),
                       "a live camera's detection lines are keyed by `pts` (stream seconds) or `wall_time` (RFC 3339 UTC), not `frame` "
                       + "— a live stream's frames have no fixed numbers")
        XCTAssertEqual(refusal(#"{"pts": 1, "wall_time": "2026-11-29T10:15:02Z"}"#),
                       "the line has both pts and wall_time — key each line by one of them")
        XCTAssertEqual(refusal(#"{"x": 1, "y": 2, "w": 3, "h": 4}"#),
                       #"the line has neither pts nor wall_time — {"pts": stream seconds | "wall_time": "RFC 3339 UTC", "x", "y", "w", "h", "score"}"#)
        XCTAssertEqual(refusal(#"{"wall_time": "yesterday"}"#),
                       #"wall_time "yesterday" is not an RFC 3339 time such as "2026-11-29T10:15:02.400Z""#)
        XCTAssertEqual(refusal(#"{"pts": 1, "x": 1, "y": 2}"#),
                       "a box needs all of x, y, w and h (a line with none says the frame has no detections)")
        XCTAssertEqual(refusal("1,-1,242.35,210.35,50.80,101.20,2.73,-1,-1,-1"),
                       #"not a detection object {"pts": stream seconds | "wall_time": "RFC 3339 UTC", "x", "y", "w", "h", "score"}"#)
        XCTAssertEqual(refusal(#"{"pts": "1.5"}"#),
                       #"not a detection object {"pts": stream seconds | "wall_time": "RFC 3339 UTC", "x", "y", "w", "h", "score"}"#)
    }
}
