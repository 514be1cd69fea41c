/// CLEAR-MOT and identity metrics of a tracker output against ground truth, defined as py-motmetrics 1.4
/// computes them. Ratios are NaN when their denominator is 0 (as motmetrics' `quiet_divide`).
public struct MOTMetrics: Sendable, Equatable, Codable {
    /// 1 − (misses + switches + false positives) / objects.
    public var mota: Double
    /// Mean distance 1 − IoU over matched pairs (lower is better; motmetrics' `motp`).
    public var motp: Double
    /// Identity F1: 2·IDTP / (objects + predictions).
    public var idf1: Double
    /// Identity precision: IDTP / (IDTP + IDFP).
    public var idp: Double
    /// Identity recall: IDTP / (IDTP + IDFN).
    public var idr: Double
    /// Identity switches (matches whose hypothesis differs from the object's previous one).
    public var idSwitches: Int
    /// Fragmentations: tracked-to-missed transitions inside each object's tracked span.
    public var fragmentations: Int
    /// Hypothesis boxes matched to no object.
    public var falsePositives: Int
    /// Object boxes matched to no hypothesis.
    public var misses: Int
    /// Matches that are not switches.
    public var matches: Int
    /// Ground-truth boxes considered (confidence ≥ 1).
    public var objects: Int
    /// Hypothesis boxes considered.
    public var predictions: Int
    /// Identity true positives of the global identity assignment.
    public var idtp: Int
    /// Identity false positives.
    public var idfp: Int
    /// Identity false negatives.
    public var idfn: Int
    /// Frames with ground truth or hypotheses.
    public var frames: Int
    /// Distinct ground-truth ids.
    public var uniqueObjects: Int

    /// Makes metrics from their values.
    public init(
        mota: Double, motp: Double, idf1: Double, idp: Double, idr: Double, idSwitches: Int, fragmentations: Int,
        falsePositives: Int, misses: Int, matches: Int, objects: Int, predictions: Int, idtp: Int, idfp: Int,
        idfn: Int, frames: Int, uniqueObjects: Int
    ) {
        self.mota = mota
        self.motp = motp
        self.idf1 = idf1
        self.idp = idp
        self.idr = idr
        self.idSwitches = idSwitches
        self.fragmentations = fragmentations
        self.falsePositives = falsePositives
        self.misses = misses
        self.matches = matches
        self.objects = objects
        self.predictions = predictions
        self.idtp = idtp
        self.idfp = idfp
        self.idfn = idfn
        self.frames = frames
        self.uniqueObjects = uniqueObjects
    }

    private enum CodingKeys: String, CodingKey {
        case mota, motp, idf1, idp, idr
        case idSwitches = "id_switches", fragmentations
        case falsePositives = "false_positives", misses, matches, objects, predictions, idtp, idfp, idfn, frames
        case uniqueObjects = "unique_objects"
    }

    /// Encodes NaN ratios as JSON null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func ratio(_ value: Double, _ key: CodingKeys) throws {
            if value.isNaN { try c.encodeNil(forKey: key) } else { try c.encode(value, forKey: key) }
        }
        try ratio(mota, .mota)
        try ratio(motp, .motp)
        try ratio(idf1, .idf1)
        try ratio(idp, .idp)
        try ratio(idr, .idr)
        try c.encode(idSwitches, forKey: .idSwitches)
        try c.encode(fragmentations, forKey: .fragmentations)
        try c.encode(falsePositives, forKey: .falsePositives)
        try c.encode(misses, forKey: .misses)
        try c.encode(matches, forKey: .matches)
        try c.encode(objects, forKey: .objects)
        try c.encode(predictions, forKey: .predictions)
        try c.encode(idtp, forKey: .idtp)
        try c.encode(idfp, forKey: .idfp)
        try c.encode(idfn, forKey: .idfn)
        try c.encode(frames, forKey: .frames)
        try c.encode(uniqueObjects, forKey: .uniqueObjects)
    }

    /// Decodes, reading JSON null ratios as NaN.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func ratio(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        self.init(
            mota: try ratio(.mota), motp: try ratio(.motp), idf1: try ratio(.idf1), idp: try ratio(.idp),
            idr: try ratio(.idr), idSwitches: try c.decode(Int.self, forKey: .idSwitches),
            fragmentations: try c.decode(Int.self, forKey: .fragmentations),
            falsePositives: try c.decode(Int.self, forKey: .falsePositives), misses: try c.decode(Int.self, forKey: .misses),
            matches: try c.decode(Int.self, forKey: .matches), objects: try c.decode(Int.self, forKey: .objects),
            predictions: try c.decode(Int.self, forKey: .predictions), idtp: try c.decode(Int.self, forKey: .idtp),
            idfp: try c.decode(Int.self, forKey: .idfp), idfn: try c.decode(Int.self, forKey: .idfn),
            frames: try c.decode(Int.self, forKey: .frames), uniqueObjects: try c.decode(Int.self, forKey: .uniqueObjects))
    }
}
