import Events
import Foundation
import ProcessMetrics
import ReIDNet

/// Runs a resolved pipeline: per camera decode → crop; the merge by (media time, camera); one embedder
/// batching crops across cameras; each camera's tracker and the identity registry; the event sink,
/// track files and annotated videos. Stages are tasks of one task group joined by bounded channels
/// (capacities from the `queues:` section), so a slow stage slows the ones before it and memory stays
/// bounded whatever the footage length.
///
/// A camera that cannot be read ends with a `camera_error` event; the others go on.
///
/// A run can be stopped before the end of its footage with ``stop(reason:)`` (the CLI wires SIGINT
/// and SIGTERM to it): see ``PipelineShutdown`` for what a stop does and what a second one does.
public struct PipelineRunner: Sendable {
    /// The pipeline.
    public let pipeline: ResolvedPipeline
    /// Progress and warnings in words (stderr in the CLI).
    public var log: @Sendable (String) -> Void = { _ in }
    /// Called about twice a second with the counts so far (progress bars).
    public var progress: (@Sendable (RunStatistics.Snapshot) -> Void)?
    /// Keep every frame's boxes and embeddings as they reach the trackers (`RunSummary.recording`), so
    /// tracking can be replayed with other thresholds without decoding or embedding again. Memory grows
    /// with the footage: for calibration scenes, not for long runs. Default false.
    public var recordsEmbeddings = false
    /// The run's shutdown state, shared by every copy of this runner (a copy captured by a signal
    /// handler stops the same run).
    public let shutdown = PipelineShutdown()
    /// The run's counts as they grow, shared by every copy of this runner: what the progress display,
    /// the summary and the metrics endpoint (``metricsText()``, ``health()``) read. A runner runs once.
    public let statistics: RunStatistics
    /// The checkpoint this run goes on from (`run --resume`, read with ``RunCheckpoint/read(_:for:)``):
    /// ``makeSink()`` cuts the event file back to its length, the cameras go on from their positions,
    /// and the trackers and the registry from their state. Nil: the run starts afresh.
    public var resuming: RunCheckpoint?

    /// A runner for `pipeline`.
    public init(pipeline: ResolvedPipeline) {
        self.pipeline = pipeline
        statistics = RunStatistics(cameras: pipeline.cameras.map(\.id))
    }

    /// Asks the run to stop: the first call stops it gracefully (readers stop at their next frame, the
    /// frames in flight are tracked, live tracks end, `run_finished` says `reason`, ``run(embedder:sink:)``
    /// returns its summary); a second call closes the event sink at once and returns `.abandoned`, and
    /// the caller should then exit without waiting. Safe to call from any thread, before or during
    /// the run.
    ///
    /// - Returns: the shutdown's state after the call.
    @discardableResult
    public func stop(reason: StopReason) -> PipelineShutdown.State {
        shutdown.request(reason)
    }

    /// Builds the network the pipeline names.
    ///
    /// - Throws: `WeightsError` / `ModelError` naming the weights file or tensor.
    public func makeEmbedder() throws -> any CropEmbedder {
        try NetworkCropEmbedder(architecture: pipeline.architecture, weights: pipeline.weights, inputSize: pipeline.inputSize,
                                pooling: pipeline.pooling, maxBatch: pipeline.batchSize)
    }

    /// Opens the event output the pipeline names: a file, appended to (seq going on from its last line,
    /// or from the checkpoint when resuming), or standard output.
    ///
    /// - Throws: `EventsError` naming the path; `CheckpointError` when a resumed run's file is shorter
    ///   than its checkpoint records.
    public func makeSink() throws -> any EventSink {
        let policy: FsyncPolicy
        switch pipeline.fsync {
        case .always: policy = .always
        case .never: policy = .never
        case .periodic: policy = .interval(seconds: pipeline.fsyncInterval)
        }
        let startingSeq = resuming?.events.nextSeq ?? 1
        if let events = pipeline.events {
            try? FileManager.default.createDirectory(at: events.deletingLastPathComponent(), withIntermediateDirectories: true)
            // The lines after the checkpoint (the stop's own, or a killed run's) are written again by the resume.
            if let resuming { try RunCheckpoint.cutBack(events, to: resuming.events.length, what: "the event file") }
            // A new run appended to an earlier one's file goes on with its seqs: seq rises through the file.
            let seq = resuming == nil ? JSONLEventWriter.seqAfterLastLine(of: events.path) : startingSeq
            return try JSONLEventWriter(path: events.path, fsync: policy, startingSeq: seq)
        }
        return try JSONLEventWriter(path: JSONLEventWriter.standardOutputPath, fsync: policy, startingSeq: startingSeq)
    }

    /// Runs every stage to the end of the footage, or until ``stop(reason:)``.
    ///
    /// - Parameters:
    ///   - embedder: the network (from `makeEmbedder`, or another `CropEmbedder`).
    ///   - sink: where events go (from `makeSink`); closed at the end (or when the run is abandoned).
    /// - Returns: the counts, per camera and in total, and the stop reason when the run was stopped.
    /// - Throws: an error that stops the whole run (the event sink failing, a tracker fault); a camera
    ///   that fails does not throw, it is reported in the events and the summary.
    public func run(embedder: any CropEmbedder, sink: any EventSink) async throws -> RunSummary {
        let start = MonotonicClock.seconds()
        shutdown.attach(sink)
        defer { shutdown.runReturned() }
        let ids = pipeline.cameras.map(\.id)
        let statistics = self.statistics
        let decoded = pipeline.cameras.map { _ in BoundedChannel<StageItem>(capacity: pipeline.framesPerCamera) }
        let merged = BoundedChannel<StageItem>(capacity: max(pipeline.framesPerCamera, pipeline.batchSize))
        let embedded = BoundedChannel<StageItem>(capacity: pipeline.embeddedFrames)
        let annotations = pipeline.annotateDir.map { _ in BoundedChannel<AnnotationItem>(capacity: 8) }
        for (id, channel) in zip(ids, decoded) { statistics.watch(queue: "frames/\(id)", channel) }
        statistics.watch(queue: "merged", merged)
        statistics.watch(queue: "embedded", embedded)
        if let annotations { statistics.watch(queue: "annotations", annotations) }
        let trackFiles = try StageOwned(pipeline.tracksDir.map { try TrackFileWriter(folder: $0, cameras: ids, resuming: resuming?.trackFiles) })
        // Live cameras get their own reader and an arrival-order merge; recorded runs take exactly the
        // path they always took (their events are byte-identical run to run). A resumed live run's clock
        // goes on from the first run's start.
        let clock = !pipeline.isLive ? nil
            : resuming.flatMap { r in r.wallStart.map { RunClock(resumingFrom: Date(timeIntervalSince1970: $0), notBefore: r.time) } } ?? RunClock()
        var checkpoints: CheckpointKeeper?
        if let url = pipeline.checkpoint {
            // A run started afresh makes an earlier run's checkpoint obsolete: until this run writes its
            // own, a --resume must not go back to that one.
            if resuming == nil { try? FileManager.default.removeItem(at: url) }
            guard let writer = sink as? JSONLEventWriter else {
                throw CheckpointError("checkpoints need the run's own event writer (a JSONL file or standard output)")
            }
            // A checkpoint read for this pipeline was checked against it: its origin is this run's.
            checkpoints = CheckpointKeeper(url: url, interval: pipeline.checkpointInterval,
                                           origin: try resuming?.origin ?? RunCheckpoint.Origin(of: pipeline), events: writer,
                                           resumes: resuming.map { $0.resumes + 1 } ?? 0, wallStart: clock?.wallStart,
                                           from: resuming?.time ?? -.infinity)
        }
        let policy = EmbeddingPolicy(pipeline)
        var stages: [any PipelineStage] = []
        for (i, camera) in pipeline.cameras.enumerated() {
            if let live = camera.live, let clock {
                stages.append(LiveCameraReader(index: i, camera: camera, live: live, keepImages: annotations != nil, policy: policy,
                                               badLinesFatal: pipeline.badDetectionLine == .fatal, output: decoded[i],
                                               statistics: statistics, shutdown: shutdown, clock: clock, log: log,
                                               firstFrameNumber: (resuming?.cameras[i].lastFrame).map { $0 + 1 } ?? 0))
            } else {
                stages.append(CameraReader(index: i, camera: camera, policy: policy, keepImages: annotations != nil,
                                           badLinesFatal: pipeline.badDetectionLine == .fatal, output: decoded[i],
                                           statistics: statistics, shutdown: shutdown, log: log, resumeFrom: resuming?.cameras[i]))
            }
        }
        if clock != nil {
            stages.append(LiveFrameMerger(inputs: decoded, output: merged))
        } else {
            stages.append(FrameMerger(inputs: decoded, ids: ids, output: merged))
        }
        stages.append(EmbedderStage(embedder: SerialWorker(label: "panoptes.embedder", value: embedder), batchSize: pipeline.batchSize,
                                    maxWait: pipeline.maxWait, input: merged, output: embedded, statistics: statistics))
        let recording = recordsEmbeddings ? StageOwned<[RecordedItem]>([]) : nil
        stages.append(TrackingStage(pipeline: pipeline, input: embedded, sink: sink, trackFiles: trackFiles,
                                    annotations: annotations, statistics: statistics, recording: recording, log: log,
                                    clock: clock, checkpoints: checkpoints, resumed: resuming))
        if let annotations, let folder = pipeline.annotateDir {
            stages.append(AnnotationStage(folder: folder, cameras: ids, input: annotations, log: log,
                                          suffix: resuming.map { ".part\($0.resumes + 2)" } ?? ""))
        }
        let progress = self.progress
        let reporter = Task {
            guard let progress else { return }
            while !Task.isCancelled {
                progress(statistics.snapshot)
                try? await Task.sleep(nanoseconds: 500_000_000)
            }
        }
        defer { reporter.cancel() }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for stage in stages { group.addTask { try await stage.run() } }
                do {
                    // `next()`, not `waitForAll()`: the latter waits for every stage before throwing, and
                    // the stages before a failed one wait forever on its full input channel.
                    while try await group.next() != nil {}
                } catch {
                    // One stage failed: finish every channel so the others end instead of waiting forever.
                    for c in decoded { c.finish() }
                    merged.finish()
                    embedded.finish()
                    annotations?.finish()
                    throw error
                }
            }
        } catch {
            try? sink.close()
            throw error
        }
        try sink.close()
        progress?(statistics.snapshot)
        return RunSummary(statistics: statistics.snapshot, seconds: MonotonicClock.seconds() - start,
                          peakResidentBytes: ResidentMemory.peakBytes(), recording: recording?.value ?? [])
    }
}
