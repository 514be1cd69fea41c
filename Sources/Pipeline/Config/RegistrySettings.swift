import Tracking

/// The `registry:` section: every `RegistryConfig` key but the topology (its own section), each
/// optional; unset keys take the model's defaults (`ModelDefaults`). Key names are `RegistryConfig`'s
/// in snake_case; see its docs for each.
public struct RegistrySettings: Codable, Sendable, Equatable {
    public var minEmbeddings: Int?
    public var setAsideEdgeEmbeddings: Bool?
    public var matchThreshold: Double?
    public var margin: Double?
    public var correctionThreshold: Double?
    public var recheckEvery: Int?
    public var mergeChecks: Int?
    public var maxTracksPerIdentity: Int?
    public var reentryWindow: Double?
    public var identityRetention: Double?
    public var maxIdentities: Int?
    public var simultaneityTolerance: Double?
    public var jointWindow: Double?
    public var jointRecheck: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minEmbeddings = "min_embeddings"
        case setAsideEdgeEmbeddings = "set_aside_edge_embeddings"
        case matchThreshold = "match_threshold"
        case margin
        case correctionThreshold = "correction_threshold"
        case recheckEvery = "recheck_every"
        case mergeChecks = "merge_checks"
        case maxTracksPerIdentity = "max_tracks_per_identity"
        case reentryWindow = "reentry_window"
        case identityRetention = "identity_retention"
        case maxIdentities = "max_identities"
        case simultaneityTolerance = "simultaneity_tolerance"
        case jointWindow = "joint_window"
        case jointRecheck = "joint_recheck"
    }

    /// No key set.
    public init() {}

    /// Every key set from `config`.
    public init(_ config: RegistryConfig) {
        minEmbeddings = config.minEmbeddings
        setAsideEdgeEmbeddings = config.setAsideEdgeEmbeddings
        matchThreshold = config.matchThreshold
        margin = config.margin
        correctionThreshold = config.correctionThreshold
        recheckEvery = config.recheckEvery
        mergeChecks = config.mergeChecks
        maxTracksPerIdentity = config.maxTracksPerIdentity
        reentryWindow = config.reentryWindow
        identityRetention = config.identityRetention
        maxIdentities = config.maxIdentities
        simultaneityTolerance = config.simultaneityTolerance
        jointWindow = config.jointWindow
        jointRecheck = config.jointRecheck
    }

    /// `base` with the keys set here replacing its values.
    public func applied(to base: RegistryConfig) -> RegistryConfig {
        var c = base
        if let v = minEmbeddings { c.minEmbeddings = v }
        if let v = setAsideEdgeEmbeddings { c.setAsideEdgeEmbeddings = v }
        if let v = matchThreshold { c.matchThreshold = v }
        if let v = margin { c.margin = v }
        if let v = correctionThreshold { c.correctionThreshold = v }
        if let v = recheckEvery { c.recheckEvery = v }
        if let v = mergeChecks { c.mergeChecks = v }
        if let v = maxTracksPerIdentity { c.maxTracksPerIdentity = v }
        if let v = reentryWindow { c.reentryWindow = v }
        if let v = identityRetention { c.identityRetention = v }
        if let v = maxIdentities { c.maxIdentities = v }
        if let v = simultaneityTolerance { c.simultaneityTolerance = v }
        if let v = jointWindow { c.jointWindow = v }
        if let v = jointRecheck { c.jointRecheck = v }
        return c
    }

    /// Problems with the values set, each as (key, what is wrong and what to do).
    func problems() -> [(key: CodingKeys, message: String)] {
        var out: [(CodingKeys, String)] = []
        if let v = minEmbeddings, v < 0 { out.append((.minEmbeddings, "must be 0 or more, got \(v)")) }
        if let v = matchThreshold, !(-1...1).contains(v) { out.append((.matchThreshold, "a cosine similarity: must be in [-1, 1], got \(v)")) }
        if let v = margin, !(0...2).contains(v) { out.append((.margin, "must be in [0, 2], got \(v)")) }
        if let v = correctionThreshold, !(-1...1).contains(v) { out.append((.correctionThreshold, "a cosine similarity: must be in [-1, 1], got \(v)")) }
        if let v = recheckEvery, v < 1 { out.append((.recheckEvery, "must be at least 1, got \(v)")) }
        if let v = mergeChecks, v < 0 { out.append((.mergeChecks, "must be 0 or more, got \(v)")) }
        if let v = maxTracksPerIdentity, v < 1 { out.append((.maxTracksPerIdentity, "must be at least 1, got \(v)")) }
        if let v = reentryWindow, v < 0 { out.append((.reentryWindow, "must be 0 or more seconds, got \(v)")) }
        if let v = identityRetention, v <= 0 { out.append((.identityRetention, "must be positive seconds, got \(v)")) }
        if let v = maxIdentities, v < 1 { out.append((.maxIdentities, "must be at least 1, got \(v)")) }
        if let v = simultaneityTolerance, v < 0 { out.append((.simultaneityTolerance, "must be 0 or more seconds, got \(v)")) }
        if let v = jointWindow, v < 0 { out.append((.jointWindow, "must be 0 or more seconds (0 turns joint association off), got \(v)")) }
        return out
    }
}
