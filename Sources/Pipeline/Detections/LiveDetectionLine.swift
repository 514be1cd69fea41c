import Foundation
import Tracking

/// One line of a live camera's detection stream: the JSONL line of a recorded camera
/// (`{"frame", "x", "y", "w", "h", "score"}`, see ``SuppliedDetections``) with the frame's
/// presentation time `pts` (seconds of the stream) or its `wall_time` (RFC 3339 UTC) in place of `frame`:
///
/// ```
/// {"pts": 12.4, "x": 242.35, "y": 210.35, "w": 50.8, "h": 101.2, "score": 2.73}
/// {"wall_time": "2026-11-29T10:15:02.400Z", "x": 242.35, "y": 210.35, "w": 50.8, "h": 101.2}
/// {"pts": 12.5}
/// ```
///
/// A line with the key and no box says that the detector looked at that frame and found nobody, so
/// the frame need not wait for `detections_latency` (a detector may leave such lines out).
public struct LiveDetectionLine: Sendable, Equatable {
    /// Which frame the line belongs to.
    public enum Key: Sendable, Equatable {
        /// The frame's presentation time, in seconds of the stream (`pts` × the stream's time base, what
        /// `ffprobe -show_frames` reports as `pts_time`).
        case pts(Double)
        /// The frame's wall-clock time, in seconds since 1970 (from RFC 3339 `wall_time`).
        case wallTime(Double)
    }

    /// The frame.
    public var key: Key
    /// The box, or nil for a line that only says the frame was looked at.
    public var box: SuppliedDetections.Box?

    /// A line keyed by `key`.
    public init(key: Key, box: SuppliedDetections.Box?) {
        self.key = key
        self.box = box
    }

    private struct Fields: Decodable {
        var frame: Double?
        var pts: Double?
        var wallTime: String?
        var x: Double?
        var y: Double?
        var w: Double?
        var h: Double?
        var score: Double?

        enum CodingKeys: String, CodingKey {
            case frame, pts, x, y, w, h, score
            case wallTime = "wall_time"
        }
    }

    /// The shape the parser expects, for messages.
    static let shape = #"{"pts": stream seconds | "wall_time": "RFC 3339 UTC", "x", "y", "w", "h", "score"}"#

    /// Parses one line (without its newline).
    ///
    /// - Throws: the reason in words (the caller adds `file:line`): not a JSON object of the shape,
    ///   `frame` instead of `pts`/`wall_time`, both keys, a bad time, a partial box, a non-finite number.
    public static func parse(_ line: some Collection<UInt8>, decoder: JSONDecoder = JSONDecoder()) throws(LiveDetectionLineError) -> LiveDetectionLine {
        let fields: Fields
        do {
            fields = try decoder.decode(Fields.self, from: Data(line))
        } catch {
            throw LiveDetectionLineError("not a detection object \(shape)")
        }
        let key: Key
        switch (fields.pts, fields.wallTime) {
        case (let pts?, nil):
            guard pts.isFinite else { throw LiveDetectionLineError("pts \(pts) is not a finite number of seconds") }
            key = .pts(pts)
        case (nil, let text?):
            guard let seconds = parseWallTime(text) else {
                throw LiveDetectionLineError("wall_time \"\(text)\" is not an RFC 3339 time such as \"2026-11-29T10:15:02.400Z\"")
            }
            key = .wallTime(seconds)
        case (.some, .some):
            throw LiveDetectionLineError("the line has both pts and wall_time — key each line by one of them")
        case (nil, nil):
            if fields.frame != nil {
                throw LiveDetectionLineError("a live camera's detection lines are keyed by `pts` (stream seconds) or `wall_time` "
                                             + "(RFC 3339 UTC), not `frame` — a live stream's frames have no fixed numbers")
            }
            throw LiveDetectionLineError("the line has neither pts nor wall_time — \(shape)")
        }
        let coordinates = [fields.x, fields.y, fields.w, fields.h]
        if coordinates.allSatisfy({ $0 == nil }) && fields.score == nil { return LiveDetectionLine(key: key, box: nil) }
        guard let x = fields.x, let y = fields.y, let w = fields.w, let h = fields.h else {
            throw LiveDetectionLineError("a box needs all of x, y, w and h (a line with none says the frame has no detections)")
        }
        guard [x, y, w, h, fields.score ?? 1].allSatisfy(\.isFinite) else {
            throw LiveDetectionLineError("a coordinate or the score is not a finite number")
        }
        return LiveDetectionLine(key: key, box: .init(box: BoundingBox(x: x, y: y, w: w, h: h), score: fields.score ?? 1))
    }

    /// Seconds since 1970 of an RFC 3339 time, with or without fractional seconds, `Z` or an offset.
    static func parseWallTime(_ text: String) -> Double? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date.timeIntervalSince1970
        }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date.timeIntervalSince1970 }
        return nil
    }
}

/// Why a live detection line was refused, in words (``LiveDetectionFollower`` adds `file:line`).
public struct LiveDetectionLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var description: String
    init(_ description: String) { self.description = description }
}
