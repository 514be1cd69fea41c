import Foundation

/// How a live camera reconnects after its stream is lost, as written in a pipeline file (`reconnect:`,
/// at the top level for every live camera, or under one camera); unset keys take the global value,
/// then the default documented on ``ReconnectPolicy``.
public struct ReconnectConfig: Codable, Sendable, Equatable {
    /// Seconds before the first attempt.
    public var initial: Double?
    /// Each failed attempt multiplies the delay by this.
    public var multiplier: Double?
    /// The longest delay between two attempts, in seconds.
    public var max: Double?
    /// Seconds after the loss when the camera gives up (`camera_error`); unset: never.
    public var giveUpAfter: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case initial, multiplier, max
        case giveUpAfter = "give_up_after"
    }

    /// Every key unset.
    public init(initial: Double? = nil, multiplier: Double? = nil, max: Double? = nil, giveUpAfter: Double? = nil) {
        self.initial = initial
        self.multiplier = multiplier
        self.max = max
        self.giveUpAfter = giveUpAfter
    }

    /// These keys, each unset one taken from `fallback`.
    func over(_ fallback: ReconnectConfig?) -> ReconnectConfig {
        ReconnectConfig(initial: initial ?? fallback?.initial, multiplier: multiplier ?? fallback?.multiplier,
                        max: max ?? fallback?.max, giveUpAfter: giveUpAfter ?? fallback?.giveUpAfter)
    }
}

/// Exponential backoff with jitter between reconnection attempts of a lost live stream.
public struct ReconnectPolicy: Sendable, Equatable {
    /// Seconds before the first attempt. Default 1: a restarted encoder or a router's blip is usually
    /// back within a second or two, and one attempt a second costs nothing.
    public var initial: Double = 1
    /// Factor each failed attempt applies to the delay. Default 2: a camera that stays away is asked
    /// ever less often.
    public var multiplier: Double = 2
    /// The longest delay, in seconds. Default 30: a camera back after a long outage is found within
    /// half a minute.
    public var max: Double = 30
    /// Seconds after the loss when the camera gives up with `camera_error`. Default nil: a
    /// surveillance camera is waited for as long as the run goes.
    public var giveUpAfter: Double?
    /// Each delay is scaled by a random factor in `1 ± jitter`, so cameras behind one failed switch do
    /// not all reconnect in the same instant. 0.2.
    public static let jitter = 0.2

    /// The defaults.
    public init() {}

    /// The policy `config` writes, over the defaults.
    init(_ config: ReconnectConfig) {
        initial = config.initial ?? initial
        multiplier = config.multiplier ?? multiplier
        max = config.max ?? max
        giveUpAfter = config.giveUpAfter
    }

    /// Seconds to wait before attempt `attempt` (0 for the first), before jitter: `initial ×
    /// multiplier^attempt`, at most `max`.
    public func delay(attempt: Int) -> Double {
        Swift.min(max, initial * pow(multiplier, Double(Swift.max(0, attempt))))
    }

    /// ``delay(attempt:)`` scaled by `1 + jitter × unit`, where `unit` is in `-1...1`.
    public func delay(attempt: Int, unit: Double) -> Double {
        delay(attempt: attempt) * (1 + Self.jitter * Swift.min(1, Swift.max(-1, unit)))
    }

    /// Problems of `config`'s keys, by key.
    static func problems(_ config: ReconnectConfig) -> [(key: ReconnectConfig.CodingKeys, message: String)] {
        var found: [(key: ReconnectConfig.CodingKeys, message: String)] = []
        if let v = config.initial, !(v > 0) { found.append((.initial, "initial must be positive seconds, got \(v)")) }
        if let v = config.multiplier, !(v >= 1) { found.append((.multiplier, "multiplier must be 1 or more, got \(v)")) }
        if let v = config.max, !(v > 0) { found.append((.max, "max must be positive seconds, got \(v)")) }
        if let v = config.max, let i = config.initial, v < i {
            found.append((.max, "max (\(v) s) is below initial (\(i) s) — make max at least initial"))
        }
        if let v = config.giveUpAfter, !(v > 0) {
            found.append((.giveUpAfter, "give_up_after must be positive seconds (leave it out to never give up), got \(v)"))
        }
        return found
    }
}

/// What makes a camera live: it is read as it arrives, goes down and comes back.
public struct LiveSettings: Sendable, Equatable {
    /// Seconds without a frame after which the stream counts as down. Default 10.
    public var stallTimeout: Double = LiveSettings.defaultStallTimeout
    /// How it reconnects.
    public var reconnect = ReconnectPolicy()
    /// Seconds a frame waits for its supplied detections (counted from its arrival) before it is tracked
    /// with what came, or as empty when nothing did. Default 0.5.
    public var detectionsLatency: Double = LiveSettings.defaultDetectionsLatency

    /// `stall_timeout` when neither the camera nor the file sets it: long enough that a keyframe
    /// interval or a congested link is not an outage, short enough that an operator hears of a dead
    /// camera within seconds.
    public static let defaultStallTimeout = 10.0

    /// `detections_latency` when neither the camera nor the file sets it: a detector on the same
    /// network running at the stream's rate answers within a few frame intervals (100-300 ms at 10-25
    /// fps), and half a second more delay before tracking is not felt by someone watching the events.
    /// A frame waits only while nothing newer came: a detector that has moved past it releases it at once.
    public static let defaultDetectionsLatency = 0.5

    /// The defaults.
    public init() {}

    /// True when `url` names a network stream (a scheme other than `file:`), which is live unless the
    /// camera says `live: false`.
    public static func isNetwork(_ url: String) -> Bool {
        guard let scheme = url.range(of: "://").map({ url[..<$0.lowerBound] }) else { return false }
        return !scheme.isEmpty && scheme.lowercased() != "file"
    }
}
