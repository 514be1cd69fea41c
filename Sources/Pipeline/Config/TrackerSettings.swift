import Tracking

/// The `tracker:` section: every `TrackerConfig` key, each optional; unset keys take the model's
/// defaults (`ModelDefaults`). Key names are `TrackerConfig`'s in snake_case; see its docs for each.
public struct TrackerSettings: Codable, Sendable, Equatable {
    /// `gallery` (DeepSORT's budgeted gallery) or `moving_average` (StrongSORT's EMA, with `momentum`).
    public var appearance: String?
    /// EMA momentum for `moving_average`. Default 0.9.
    public var momentum: Double?
    public var maxFeaturesPerTrack: Int?
    public var maxCosineDistance: Double?
    public var gatingThreshold: Double?
    public var motionWeight: Double?
    public var maxIouDistance: Double?
    public var appearanceVetoesOverlap: Bool?
    public var reversalSpeed: Double?
    public var maxAge: Int?
    public var exitAge: Int?
    public var edgeMargin: Double?
    public var confirmationHits: Int?
    public var minDetectionScore: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case appearance, momentum
        case maxFeaturesPerTrack = "max_features_per_track"
        case maxCosineDistance = "max_cosine_distance"
        case gatingThreshold = "gating_threshold"
        case motionWeight = "motion_weight"
        case maxIouDistance = "max_iou_distance"
        case appearanceVetoesOverlap = "appearance_vetoes_overlap"
        case reversalSpeed = "reversal_speed"
        case maxAge = "max_age"
        case exitAge = "exit_age"
        case edgeMargin = "edge_margin"
        case confirmationHits = "confirmation_hits"
        case minDetectionScore = "min_detection_score"
    }

    /// No key set.
    public init() {}

    /// Every key set from `config`.
    public init(_ config: TrackerConfig) {
        switch config.appearance {
        case .gallery:
            appearance = "gallery"
            momentum = 0.9
        case .movingAverage(let m):
            appearance = "moving_average"
            momentum = m
        }
        maxFeaturesPerTrack = config.maxFeaturesPerTrack
        maxCosineDistance = config.maxCosineDistance
        gatingThreshold = config.gatingThreshold
        motionWeight = config.motionWeight
        maxIouDistance = config.maxIoUDistance
        appearanceVetoesOverlap = config.appearanceVetoesOverlap
        reversalSpeed = config.reversalSpeed
        maxAge = config.maxAge
        exitAge = config.exitAge
        edgeMargin = config.edgeMargin
        confirmationHits = config.confirmationHits
        minDetectionScore = config.minDetectionScore
    }

    /// `base` with the keys set here replacing its values.
    public func applied(to base: TrackerConfig) -> TrackerConfig {
        var c = base
        switch appearance {
        case "moving_average":
            let m: Double
            if case .movingAverage(let old) = base.appearance { m = momentum ?? old } else { m = momentum ?? 0.9 }
            c.appearance = .movingAverage(momentum: m)
        case "gallery": c.appearance = .gallery
        default:
            if let momentum, case .movingAverage = base.appearance { c.appearance = .movingAverage(momentum: momentum) }
        }
        if let v = maxFeaturesPerTrack { c.maxFeaturesPerTrack = v }
        if let v = maxCosineDistance { c.maxCosineDistance = v }
        if let v = gatingThreshold { c.gatingThreshold = v }
        if let v = motionWeight { c.motionWeight = v }
        if let v = maxIouDistance { c.maxIoUDistance = v }
        if let v = appearanceVetoesOverlap { c.appearanceVetoesOverlap = v }
        if let v = reversalSpeed { c.reversalSpeed = v }
        if let v = maxAge { c.maxAge = v }
        if let v = exitAge { c.exitAge = v }
        if let v = edgeMargin { c.edgeMargin = v }
        if let v = confirmationHits { c.confirmationHits = v }
        if let v = minDetectionScore { c.minDetectionScore = v }
        return c
    }

    /// Problems with the values set, each as (key, what is wrong and what to do).
    func problems() -> [(key: CodingKeys, message: String)] {
        var out: [(CodingKeys, String)] = []
        if let a = appearance, a != "gallery" && a != "moving_average" {
            out.append((.appearance, "unknown appearance `\(a)` — use `gallery` or `moving_average`"))
        }
        if let m = momentum, !(0..<1).contains(m) { out.append((.momentum, "momentum must be in [0, 1), got \(m)")) }
        if let v = maxFeaturesPerTrack, v < 1 { out.append((.maxFeaturesPerTrack, "must be at least 1, got \(v)")) }
        if let v = maxCosineDistance, !(0...2).contains(v) { out.append((.maxCosineDistance, "must be in [0, 2], got \(v)")) }
        if let v = gatingThreshold, v <= 0 { out.append((.gatingThreshold, "must be positive, got \(v)")) }
        if let v = motionWeight, !(0...1).contains(v) { out.append((.motionWeight, "must be in [0, 1], got \(v)")) }
        if let v = maxIouDistance, !(0...1).contains(v) { out.append((.maxIouDistance, "must be in [0, 1], got \(v)")) }
        if let v = reversalSpeed, v < 0 { out.append((.reversalSpeed, "must be 0 (off) or more, got \(v)")) }
        if let v = maxAge, v < 0 { out.append((.maxAge, "must be 0 or more, got \(v)")) }
        if let v = exitAge, v < 0 { out.append((.exitAge, "must be 0 or more, got \(v)")) }
        if let v = edgeMargin, !(0..<0.5).contains(v) { out.append((.edgeMargin, "must be in [0, 0.5), got \(v)")) }
        if let v = confirmationHits, v < 1 { out.append((.confirmationHits, "must be at least 1, got \(v)")) }
        return out
    }
}
