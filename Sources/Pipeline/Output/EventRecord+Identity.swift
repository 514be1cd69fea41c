import Events
import Tracking

extension EventRecord {
    /// The schema-v1 record of a registry event (frames stay 0-based, as in every event).
    init(_ e: IdentityEvent) {
        let type: EventType
        switch e.kind {
        case .trackStarted: type = .trackStarted
        case .identityAssigned: type = .identityAssigned
        case .identityMatched: type = .identityMatched
        case .identityCorrected: type = .identityCorrected
        case .trackEnded: type = .trackEnded
        }
        // Rounded for people and for stable text: times to the microsecond, boxes to 1/100 pixel,
        // scores and similarities to 1e-6 (float32 embeddings carry no more), gaps to the millisecond.
        self.init(
            type: type, time: Self.round(e.time, 1e6), camera: e.camera, frame: e.frame, track: e.track, identity: e.identity,
            bbox: [e.bbox.x, e.bbox.y, e.bbox.w, e.bbox.h].map { Self.round($0, 100) }, score: Self.round(e.score, 1e6),
            similarity: e.similarity.map { Self.round($0, 1e6) }, margin: e.margin.map { Self.round($0, 1e6) },
            fromCamera: e.fromCamera, gap: e.gap.map { Self.round($0, 1e3) }, previousIdentity: e.previousIdentity, reason: e.reason)
    }

    /// `value` rounded to the nearest `1/scale`.
    static func round(_ value: Double, _ scale: Double) -> Double { (value * scale).rounded() / scale }
}
