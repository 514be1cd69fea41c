import Events
import Foundation
import Tracking
import VideoIO

/// Stage: every camera's tracker, then the identity registry, then the event sink (and the track
/// files and annotation). Its input is already in (media time, camera) order, so stepping each
/// camera's tracker as its frames come and handing each step straight to the registry is the merge
/// DESIGN.md asks for.
///
/// A camera that a stop cut short ends its live tracks with reason `run_stopped`, and `run_finished`
/// then carries the stop's reason (`interrupted`, `terminated`) instead of `completed`.
struct TrackingStage: PipelineStage {
    let pipeline: ResolvedPipeline
    let input: BoundedChannel<StageItem>
    let sink: any EventSink
    let trackFiles: StageOwned<TrackFileWriter?>
    let annotations: BoundedChannel<AnnotationItem>?
    let statistics: RunStatistics
    /// When set, every item is kept here too (for `calibrate`'s replays).
    let recording: StageOwned<[RecordedItem]>?
    let log: @Sendable (String) -> Void
    /// The run's clock when some camera is live (nil for recorded footage: events stay as they were).
    var clock: RunClock? = nil
    /// Writes the run's checkpoints, when it keeps them.
    var checkpoints: CheckpointKeeper? = nil
    /// The checkpoint the run goes on from (`run --resume`).
    var resumed: RunCheckpoint? = nil

    /// The `reason` of the `track_ended` events of a camera that went down.
    static let cameraDownReason = "camera_down"

    func run() async throws {
        defer { annotations?.finish() }
        let ids = pipeline.cameras.map(\.id)
        let index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        var core = try resumed.map { try TrackingCore(cameras: ids, tracker: pipeline.tracker, registry: pipeline.registry, memory: $0.tracking) }
            ?? TrackingCore(cameras: ids, tracker: pipeline.tracker, registry: pipeline.registry)
        var identitiesCreated = resumed?.identitiesCreated ?? 0
        var failures = resumed?.failures ?? 0
        var endTime = resumed?.endTime ?? 0.0
        /// Each camera's position in its footage, for checkpoints.
        var positions = resumed?.cameras ?? ids.map { RunCheckpoint.Camera(id: $0) }
        var checkpoints = self.checkpoints
        /// Set by the first camera that the run's stop cut short.
        var stopReason: StopReason?
        let liveIDs = Set(pipeline.cameras.filter { $0.live != nil }.map(\.id))
        let clock = self.clock
        /// Appends `record`, with its `wall_time` when it belongs to a live camera (or to a run with one).
        func append(_ record: EventRecord) throws {
            var record = record
            if let clock, record.camera.map(liveIDs.contains) ?? true { record.wallTime = clock.wallTime(at: record.time) }
            _ = try sink.append(record)
        }
        if let resumed {
            // Recorded footage resumes at the checkpoint's media time; a live run at the moment it resumes.
            let time = clock.map { max($0.now(), resumed.time) } ?? resumed.time
            try append(EventRecord(type: .runResumed, time: EventRecord.round(time, 1e6), pipeline: pipeline.file, cameras: ids))
            statistics.update {
                $0.events += 1
                for (i, p) in resumed.cameras.enumerated() {
                    $0.cameras[i].liveTracks = p.liveTracks
                    if p.finished {
                        $0.cameras[i].finished = true
                        $0.cameras[i].error = p.error
                    }
                }
            }
        } else {
            try append(EventRecord(type: .runStarted, time: 0, pipeline: pipeline.file, cameras: ids))
            statistics.update { $0.events += 1 }
        }
        /// Writes a checkpoint of the state after the last item tracked, at media `time`.
        func checkpoint(at time: Double) throws {
            guard checkpoints != nil else { return }
            let live = statistics.snapshot.cameras.map(\.liveTracks)
            for i in positions.indices { positions[i].liveTracks = live[i] }
            try checkpoints!.save(.init(time: time, cameras: positions, tracking: core.memory, identitiesCreated: identitiesCreated,
                                        failures: failures, endTime: endTime),
                                  trackFiles: trackFiles.value, tracksDir: pipeline.tracksDir)
        }
        // A first checkpoint before any frame, so a run killed at any moment after its start can be resumed
        // (and a resumed run's run_resumed line stays in the file whenever it is stopped).
        try checkpoint(at: resumed?.time ?? 0)

        /// Writes the events of `outcome`, the boxes of tracks that ended, and the counts.
        func emit(_ outcome: TrackingCore.Outcome, camera: Int) throws {
            for e in outcome.events {
                try append(EventRecord(e))
                switch e.kind {
                case .trackStarted:
                    let started = index[e.camera] ?? camera
                    statistics.update {
                        $0.cameras[camera].tracks += 1
                        $0.cameras[started].liveTracks += 1
                    }
                case .trackEnded:
                    // Live tracks by the event's own camera, in case an outcome ends another camera's track.
                    let ended = index[e.camera] ?? camera
                    statistics.update { $0.cameras[ended].liveTracks -= 1 }
                case .identityAssigned:
                    identitiesCreated += 1
                default: break
                }
            }
            try trackFiles.value?.take(outcome, camera: camera)
            let created = identitiesCreated, held = core.registry.identityCount, count = outcome.events.count
            statistics.update {
                $0.identitiesCreated = created
                $0.identities = held
                $0.events += count
            }
        }

        if resumed != nil, let clock {
            // A live camera's stream went on while the run was stopped: its tracks cannot go on. They end
            // now (reason run_stopped); their identities stay, so the people seen again are re-identified.
            let now = max(clock.now(), endTime)
            for i in ids.indices where pipeline.cameras[i].live != nil {
                if let outcome = try core.suspend(camera: i, lastFrame: positions[i].lastFrame, time: now,
                                                  reason: PipelineShutdown.trackEndedReason) {
                    try emit(outcome, camera: i)
                }
            }
            endTime = now
        }

        while let received = await input.receive() {
            // A resumed run's registry stands at the checkpoint's time, and a camera can lag it by a frame
            // (the checkpoint came after another camera's frame at that time). Stopped or failing before its
            // first new frame, such a camera ends at its last tracked frame: at the checkpoint's time instead.
            let item = resumed.map { received.noEarlier(than: $0.time) } ?? received
            switch item {
            case .frame(let f):
                let embedded = EmbeddedFrame(camera: f.camera, frame: f.frame, time: f.time, width: f.width, height: f.height,
                                             boxes: f.boxes, embeddings: f.embeddings)
                recording?.value.append(.frame(embedded))
                let outcome = try core.track(embedded)
                try emit(outcome, camera: f.camera)
                endTime = max(endTime, f.time)
                let embeddings = f.embeddings.filter { !$0.isEmpty }.count
                statistics.update {
                    $0.cameras[f.camera].frames += 1
                    $0.cameras[f.camera].detections += f.boxes.count
                    $0.cameras[f.camera].embeddings += embeddings
                    $0.cameras[f.camera].lastTime = f.time
                }
                positions[f.camera].lastFrame = f.frame
                positions[f.camera].lastTime = f.time
                if let annotations, let image = f.image {
                    let boxes = outcome.step.updates.filter { $0.isMatched && $0.state == .confirmed }.map {
                        AnnotationItem.Box(box: $0.box, track: $0.track, identity: core.identity(camera: f.camera, track: $0.track))
                    }
                    await annotations.send(.frame(camera: f.camera, frameRate: f.frameRate, image: image, boxes: boxes))
                }
            case .end(let end):
                recording?.value.append(.end(camera: end.camera, lastFrame: end.lastFrame, lastTime: end.lastTime, error: end.error))
                let id = ids[end.camera]
                if end.stoppedBy != nil && stopReason == nil {
                    // The first camera a stop cut short: the state now is where a resume goes on from,
                    // before this stop's own track_ended and run_finished lines.
                    try checkpoint(at: endTime)
                }
                stopReason = stopReason ?? end.stoppedBy
                if end.stoppedBy == nil {
                    positions[end.camera].finished = true
                    positions[end.camera].error = end.error
                }
                let reason = end.stoppedBy == nil ? nil : PipelineShutdown.trackEndedReason
                if let outcome = try core.end(camera: end.camera, lastFrame: end.lastFrame, lastTime: end.lastTime, reason: reason) {
                    try emit(outcome, camera: end.camera)
                    if reason != nil {
                        let ended = outcome.events.filter { $0.kind == .trackEnded }.count
                        statistics.update { $0.tracksEndedByStop += ended }
                    }
                }
                if let error = end.error {
                    failures += 1
                    log("\(id): \(error)")
                    try append(EventRecord(type: .cameraError, time: EventRecord.round(end.lastTime ?? 0, 1e6), camera: id,
                                            frame: end.lastFrame, message: error))
                    statistics.update { $0.events += 1 }
                }
                statistics.update {
                    $0.cameras[end.camera].finished = true
                    $0.cameras[end.camera].error = end.error
                    $0.cameras[end.camera].stopped = end.stoppedBy != nil
                }
                await annotations?.send(.end(camera: end.camera))
                if clock != nil { endTime = max(endTime, end.lastTime ?? 0) }
            case .down(let down):
                log("\(ids[down.camera]): camera down — \(down.reason)")
                try append(EventRecord(type: .cameraDown, time: EventRecord.round(down.time, 1e6), camera: ids[down.camera],
                                       frame: down.lastFrame, reason: down.reason,
                                       lastTime: EventRecord.round(down.lastTime ?? 0, 1e6)))
                statistics.update { $0.events += 1 }
                // Then its tracks end; its tracker and the identities stay for when it comes back.
                if let outcome = try core.suspend(camera: down.camera, lastFrame: down.lastFrame, time: down.time,
                                                  reason: Self.cameraDownReason) {
                    try emit(outcome, camera: down.camera)
                }
                endTime = max(endTime, down.time)
            case .up(let up):
                log("\(ids[up.camera]): camera up after \(String(format: "%.1f", up.gap)) s")
                try append(EventRecord(type: .cameraUp, time: EventRecord.round(up.time, 1e6), camera: ids[up.camera],
                                       gap: EventRecord.round(up.gap, 1e6)))
                statistics.update { $0.events += 1 }
                endTime = max(endTime, up.time)
            }
            if stopReason == nil, let keeper = checkpoints, keeper.isDue(at: item.time) { try checkpoint(at: item.time) }
        }
        // Footage over: the last checkpoint (a resume of it only writes run_finished again).
        if stopReason == nil { try checkpoint(at: endTime) }
        // A stop that cut at least one camera short names the run's end, whatever else happened; a stop
        // asked for after every camera had reached its end changed nothing, so the run completed.
        let reason = stopReason?.rawValue
            ?? (failures == 0 ? "completed" : failures == ids.count ? "failed" : "completed_with_errors")
        try append(EventRecord(type: .runFinished, time: EventRecord.round(endTime, 1e6), reason: reason))
        statistics.update { [stopReason] in
            $0.events += 1
            $0.stopReason = stopReason
            $0.runFinished = true
        }
        try trackFiles.value?.close()
    }
}

/// What the annotation stage draws.
enum AnnotationItem: Sendable {
    /// One confirmed, matched box.
    struct Box: Sendable {
        var box: BoundingBox
        var track: Int
        var identity: Int?
    }

    case frame(camera: Int, frameRate: Rational, image: Frame, boxes: [Box])
    case end(camera: Int)
}
