/// Stage: the fan-in of every camera into one stream ordered by (media time, camera id), before the
/// shared embedder. Every stage after it sees one global order, so each camera's tracker gets its
/// frames in order and the identity registry gets every camera's steps merged by (time, camera) as
/// it requires, whatever the thread timing: offline runs give byte-identical events.
///
/// It waits until every camera still running has a frame ready, then forwards the earliest; a
/// camera's end is forwarded in order too (at its last frame's time), after which it is no longer
/// waited for.
struct FrameMerger: PipelineStage {
    let inputs: [BoundedChannel<StageItem>]
    /// Camera ids, by index: the tie-break between cameras at the same time.
    let ids: [String]
    let output: BoundedChannel<StageItem>

    func run() async throws {
        defer { output.finish() }
        var heads: [StageItem?] = []
        var open = [Bool](repeating: true, count: inputs.count)
        for input in inputs { heads.append(await input.receive()) }
        for i in inputs.indices where heads[i] == nil { open[i] = false }
        while true {
            var best: Int?
            for i in inputs.indices where open[i] {
                guard let item = heads[i] else { continue }
                if let b = best, let current = heads[b] {
                    if (item.time, ids[i], i) < (current.time, ids[b], b) { best = i }
                } else {
                    best = i
                }
            }
            guard let chosen = best, let item = heads[chosen] else { return }
            await output.send(item)
            if case .end = item {
                open[chosen] = false
                heads[chosen] = nil
            } else {
                heads[chosen] = await inputs[chosen].receive()
                if heads[chosen] == nil { open[chosen] = false }
            }
        }
    }
}
