/// One live track inside `CameraTracker`: its filter, state and bounded appearance memory.
struct TrackRecord: Sendable {
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
}
