/// Stage: the fan-in of live cameras, in the order their items arrive. ``FrameMerger`` waits until
/// every camera has a frame ready, which would hold every camera back while one live stream is down
/// or stalled; live frames are stamped on the run's clock as they arrive, so arrival order already is
/// time order, up to the moment between a reader stamping a frame and sending it. That moment is
/// closed here: an item earlier than the one forwarded before it is raised to its time, so times
/// rise across cameras as the identity registry requires.
struct LiveFrameMerger: PipelineStage {
    let inputs: [BoundedChannel<StageItem>]
    let output: BoundedChannel<StageItem>

    func run() async throws {
        defer { output.finish() }
        // Capacity 1 per camera: the pumps hold nothing back, each camera's own buffer does the dropping.
        let arrivals = BoundedChannel<StageItem>(capacity: max(1, inputs.count))
        let inputs = self.inputs
        async let pumped: Void = withTaskGroup(of: Void.self) { pumps in
            for input in inputs {
                pumps.addTask {
                    while let item = await input.receive() {
                        guard await arrivals.send(item) else { return }
                    }
                }
            }
            await pumps.waitForAll()
            // Every camera ended: the merge ends once the last arrivals are forwarded.
            arrivals.finish()
        }
        var latest = -Double.infinity
        while let item = await arrivals.receive() {
            let item = item.noEarlier(than: latest)
            latest = max(latest, item.time)
            guard await output.send(item) else { break }
        }
        // Output finished early (a later stage failed): release the pumps.
        arrivals.finish()
        await pumped
    }
}
