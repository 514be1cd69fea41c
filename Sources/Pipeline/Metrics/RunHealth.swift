import Foundation

/// What `GET /healthz` answers: the run's state and each camera's, as JSON.
///
/// ```json
/// {"status":"ok","run":"running","cameras":[{"id":"a","state":"up","frames_decoded":120,
///  "frames_dropped":0,"decode_errors":0,"reconnects":0,"last_time":4.8}]}
/// ```
/// `status` is `ok` when no camera is `down` or `error`, `degraded` when some are, `failed` when all
/// are; the HTTP status is 200 for `ok` and 503 otherwise, so a plain HTTP health check sees it.
public struct RunHealth: Sendable, Equatable, Encodable {
    /// The run's overall verdict.
    public enum Status: String, Sendable, Encodable {
        /// No camera is down or failed.
        case ok
        /// Some cameras are down or failed; the others go on.
        case degraded
        /// Every camera is down or failed.
        case failed
    }

    /// Where the run stands.
    public enum RunState: String, Sendable, Encodable {
        /// Reading footage.
        case running
        /// Stopping after SIGINT or SIGTERM: the frames in flight are being tracked.
        case stopping
        /// `run_finished` is written; the counts are final.
        case finished
    }

    /// One camera.
    public struct Camera: Sendable, Equatable, Encodable {
        /// The camera's id.
        public var id: String
        /// Where it stands.
        public var state: CameraState
        /// Frames decoded, dropped by a live input, and damaged packets skipped; reconnections.
        public var framesDecoded: Int
        public var framesDropped: Int
        public var decodeErrors: Int
        public var reconnects: Int
        /// The last tracked frame's media time, seconds (absent before the first).
        public var lastTime: Double?
        /// Why it failed (absent unless `state` is `error`).
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case id, state, reconnects, error
            case framesDecoded = "frames_decoded", framesDropped = "frames_dropped", decodeErrors = "decode_errors"
            case lastTime = "last_time"
        }
    }

    /// `ok`, `degraded` or `failed`.
    public var status: Status
    /// `running`, `stopping` or `finished`.
    public var run: RunState
    /// Per camera, in pipeline order.
    public var cameras: [Camera]

    /// The health of `snapshot`; `stopping` tells a stop was asked for.
    public init(_ snapshot: RunStatistics.Snapshot, stopping: Bool) {
        cameras = snapshot.cameras.map {
            Camera(id: $0.id, state: $0.state, framesDecoded: $0.decodedFrames, framesDropped: $0.droppedFrames,
                   decodeErrors: $0.decodeErrors, reconnects: $0.reconnects, lastTime: $0.lastTime,
                   error: $0.state == .error ? $0.error : nil)
        }
        let failing = cameras.filter(\.state.isFailing).count
        status = failing == 0 ? .ok : failing == cameras.count ? .failed : .degraded
        run = snapshot.runFinished ? .finished : stopping ? .stopping : .running
    }

    /// The HTTP status `/healthz` answers with: 200 when `ok`, else 503 (Service Unavailable).
    public var httpStatus: Int { status == .ok ? 200 : 503 }

    /// The JSON document, keys sorted, one line.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and arrays cannot fail.
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}
