/// Where a camera stands, as `/healthz` and `panoptes_camera_state` report it.
///
/// Recorded footage goes `starting` → `up` → `finished` (or `stopped` by a signal, or `error`). A live
/// camera whose outage lasts its stall timeout goes `down` until frames come again (`up`), or `error`
/// when it gives up (``LiveCameraReader``).
public enum CameraState: String, Sendable, CaseIterable, Codable {
    /// Opening the stream and reading its detections.
    case starting
    /// Being read.
    case up
    /// Its footage ended and every frame was read.
    case finished
    /// The run was stopped (SIGINT, SIGTERM) before its footage ended.
    case stopped
    /// A live stream that was lost and is being reconnected.
    case down
    /// It failed (a missing, truncated or corrupt file; `camera_error`) and will not be read again.
    case error

    /// True while frames come from it.
    public var isUp: Bool { self == .up }

    /// True when it needs someone's attention (`/healthz` answers 503).
    public var isFailing: Bool { self == .down || self == .error }
}
