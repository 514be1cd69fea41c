/// An input the tracker or the identity registry cannot accept, with what to do about it.
public struct TrackingError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case frameOutOfOrder(camera: String, frame: Int, previous: Int)
        case detectionFrameMismatch(camera: String, frame: Int, detectionFrame: Int)
        case unknownCamera(camera: String, expected: String)
        case timeOutOfOrder(camera: String, frame: Int, time: Double, previous: Double)
        case embeddingLengthMismatch(camera: String, frame: Int, length: Int, expected: Int, firstCamera: String)
    }

    private let code: Code

    /// Frames of one camera must arrive in increasing order.
    public static func frameOutOfOrder(camera: String, frame: Int, previous: Int) -> TrackingError {
        TrackingError(code: .frameOutOfOrder(camera: camera, frame: frame, previous: previous))
    }

    /// A detection handed to `update` for another frame than the one being updated.
    public static func detectionFrameMismatch(camera: String, frame: Int, detectionFrame: Int) -> TrackingError {
        TrackingError(code: .detectionFrameMismatch(camera: camera, frame: frame, detectionFrame: detectionFrame))
    }

    /// A detection or track update names a camera this component was not configured for.
    public static func unknownCamera(_ camera: String, expected: String) -> TrackingError {
        TrackingError(code: .unknownCamera(camera: camera, expected: expected))
    }

    /// Updates reaching the identity registry must be ordered by media time.
    public static func timeOutOfOrder(camera: String, frame: Int, time: Double, previous: Double) -> TrackingError {
        TrackingError(code: .timeOutOfOrder(camera: camera, frame: frame, time: time, previous: previous))
    }

    /// An embedding's length differs from the first one the identity registry saw (cameras embedded by
    /// different models cannot be compared).
    public static func embeddingLengthMismatch(camera: String, frame: Int, length: Int, expected: Int, firstCamera: String) -> TrackingError {
        TrackingError(code: .embeddingLengthMismatch(camera: camera, frame: frame, length: length, expected: expected, firstCamera: firstCamera))
    }

    /// What went wrong and what to do, as the user reads it.
    public var description: String {
        switch code {
        case let .frameOutOfOrder(camera, frame, previous):
            return "camera \(camera): frame \(frame) arrived after frame \(previous); "
                + "feed each camera's frames in increasing order (sort the detection file by frame)"
        case let .detectionFrameMismatch(camera, frame, detectionFrame):
            return "camera \(camera): a detection of frame \(detectionFrame) was given to the update of frame \(frame); "
                + "group detections by frame before updating the tracker"
        case let .unknownCamera(camera, expected):
            return "unknown camera '\(camera)' (known: \(expected)); "
                + "add it to the camera list of the configuration or fix the detection's camera name"
        case let .timeOutOfOrder(camera, frame, time, previous):
            return "camera \(camera) frame \(frame): media time \(time) s is earlier than the previous update's \(previous) s; "
                + "merge the cameras' updates by (media time, camera) before the identity registry"
        case let .embeddingLengthMismatch(camera, frame, length, expected, firstCamera):
            return "camera \(camera) frame \(frame): an embedding of \(length) values, but camera \(firstCamera)'s have \(expected); "
                + "embed every camera with the same model (and pooling), so their embeddings can be compared"
        }
    }
}
