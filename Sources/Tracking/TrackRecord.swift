/// One live track inside `CameraTracker`: its filter, state and bounded appearance memory.
///
/// Codable for checkpoints: embeddings as ``PackedVector``s, everything else as plain numbers (which
/// JSON carries bit-exactly).
struct TrackRecord: Sendable, Codable {
    let id: Int
    var filter: KalmanBoxFilter
    var state: TrackState
    var hits = 1
    var timeSinceUpdate = 0
    var lastScore: Double
    /// The last detection box matched to this track (where it was last seen, not the prediction).
    var lastBox: BoundingBox
    /// The newest embeddings, at most `capacity`; `oldest` is the slot the next one overwrites once full.
    var features: [[Float]] = []
    var oldest = 0
    /// The moving average of the embeddings, L2-normalised (empty until the first embedding).
    var average: [Float] = []

    private enum CodingKeys: String, CodingKey {
        case id, filter, state, hits, timeSinceUpdate, lastScore, lastBox, features, oldest, average
    }

    init(id: Int, box: BoundingBox, score: Double, state: TrackState) {
        self.id = id
        filter = KalmanBoxFilter(box: box)
        self.state = state
        lastScore = score
        lastBox = box
    }

    /// Adds a normalised embedding, keeping at most `capacity` (the oldest is overwritten).
    mutating func remember(_ embedding: [Float], capacity: Int, momentum: Double?) {
        guard !embedding.isEmpty else { return }
        if let momentum {
            if average.isEmpty {
                average = embedding
            } else {
                let keep = Float(momentum), take = Float(1 - momentum)
                for i in average.indices { average[i] = keep * average[i] + take * embedding[i] }
                CameraTracker.normalise(&average)
            }
            return
        }
        guard capacity > 0 else { return }
        if features.count < capacity {
            features.append(embedding)
        } else {
            features[oldest] = embedding
            oldest = (oldest + 1) % capacity
        }
    }

    /// Cosine distance of a normalised embedding to this track's appearance (infinity when it has none).
    func appearanceDistance(to embedding: [Float]) -> Double {
        if !average.isEmpty { return 1 - Double(CameraTracker.dot(average, embedding)) }
        var best = Float.infinity
        for feature in features { best = min(best, 1 - CameraTracker.dot(feature, embedding)) }
        return Double(best)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        filter = try c.decode(KalmanBoxFilter.self, forKey: .filter)
        state = try c.decode(TrackState.self, forKey: .state)
        hits = try c.decode(Int.self, forKey: .hits)
        timeSinceUpdate = try c.decode(Int.self, forKey: .timeSinceUpdate)
        lastScore = try c.decode(Double.self, forKey: .lastScore)
        lastBox = try c.decode(BoundingBox.self, forKey: .lastBox)
        features = try c.decode([PackedVector<Float>].self, forKey: .features).map(\.values)
        oldest = try c.decode(Int.self, forKey: .oldest)
        average = try c.decode(PackedVector<Float>.self, forKey: .average).values
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(filter, forKey: .filter)
        try c.encode(state, forKey: .state)
        try c.encode(hits, forKey: .hits)
        try c.encode(timeSinceUpdate, forKey: .timeSinceUpdate)
        try c.encode(lastScore, forKey: .lastScore)
        try c.encode(lastBox, forKey: .lastBox)
        try c.encode(features.map(PackedVector.init), forKey: .features)
        try c.encode(oldest, forKey: .oldest)
        try c.encode(PackedVector(average), forKey: .average)
    }
}
