import ReIDNet
import VideoIO

/// Stage: the one embedder, batching crops across cameras. Frames (in the merged order) wait until
/// `batchSize` crops are pending, or until no frame arrived for `maxWait` seconds, then their crops run
/// through the network together on the embedder's own queue and the frames go on, in the same order,
/// with their embeddings.
///
/// Batching changes only the grouping, never a value: an embedding does not depend on the other crops
/// in its batch (tested), so any batch size gives the same events.
struct EmbedderStage: PipelineStage {
    let embedder: SerialWorker<any CropEmbedder>
    let batchSize: Int
    let maxWait: Double
    let input: BoundedChannel<StageItem>
    let output: BoundedChannel<StageItem>
    let statistics: RunStatistics
    /// Frames held while a batch fills, at most (their pictures are held too).
    var maxPendingFrames = 64

    func run() async throws {
        defer { output.finish() }
        var pending: [StageItem] = []
        var pendingCrops = 0
        func flush() async throws {
            guard !pending.isEmpty else { return }
            var crops: [FrameRegion] = []
            crops.reserveCapacity(pendingCrops)
            for case .frame(let f) in pending { crops += f.crops }
            var values: [Float] = []
            var dimension = 0
            if !crops.isEmpty {
                let batch = crops
                let start = MonotonicClock.seconds()
                let result = try await embedder.run { embedder in
                    let e = try embedder.embed(batch)
                    return (e.values, e.dimension)
                }
                statistics.embedded(crops: crops.count, seconds: MonotonicClock.seconds() - start)
                (values, dimension) = result
            }
            var offset = 0
            for item in pending {
                guard case .frame(var f) = item else {
                    await output.send(item)
                    continue
                }
                f.embeddings = [[Float]](repeating: [], count: f.boxes.count)
                for box in f.cropBoxes {
                    f.embeddings[box] = Array(values[(offset * dimension)..<((offset + 1) * dimension)])
                    offset += 1
                }
                f.crops = []
                await output.send(.frame(f))
            }
            pending.removeAll(keepingCapacity: true)
            pendingCrops = 0
        }
        while true {
            switch await input.receive(within: pending.isEmpty ? nil : maxWait) {
            case .finished:
                try await flush()
                return
            case .timedOut:
                try await flush()
            case .element(let item):
                let crops: Int
                if case .frame(let f) = item { crops = f.crops.count } else { crops = 0 }
                // Nothing to embed and nothing waiting ahead of it: no reason to hold the item.
                if pending.isEmpty && crops == 0 {
                    await output.send(item)
                    continue
                }
                pending.append(item)
                pendingCrops += crops
                if pendingCrops >= batchSize || pending.count >= maxPendingFrames { try await flush() }
            }
        }
    }
}
