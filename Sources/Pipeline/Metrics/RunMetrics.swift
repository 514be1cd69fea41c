import Prometheus

/// A run's counts as Prometheus series (swift-prometheus), the text `GET /metrics` answers.
///
/// Every counter and gauge is set from a ``RunStatistics`` snapshot when a scrape renders it, so
/// `/metrics` and the summary read the same counts and cannot disagree; only the embedding-batch
/// latency histogram is recorded as each batch finishes (under the statistics' lock, so its count is
/// always the snapshot's `batches`). The series, all labelled `camera` unless said:
///
/// | name | type | meaning |
/// |---|---|---|
/// | `panoptes_camera_frames_decoded_total` | counter | frames decoded |
/// | `panoptes_camera_frames_tracked_total` | counter | frames tracked (the summary's `frames`) |
/// | `panoptes_camera_frames_per_second` | gauge | frames decoded per second while the camera was up |
/// | `panoptes_camera_frames_dropped_total` | counter | frames a live input skipped (0 for recorded footage) |
/// | `panoptes_camera_decode_errors_total` | counter | damaged packets the decoder skipped |
/// | `panoptes_camera_reconnects_total` | counter | reconnections to a lost live stream (0 for recorded footage) |
/// | `panoptes_camera_up` | gauge | 1 while the camera is being read, else 0 |
/// | `panoptes_camera_state` | gauge | 1 for the camera's current `state` label (``CameraState``), 0 for the others |
/// | `panoptes_camera_detections_total` | counter | supplied boxes tracked (the summary's `detections`) |
/// | `panoptes_camera_detections_late_total` | counter | live detection lines that came after their frame went on (0 for recorded footage) |
/// | `panoptes_camera_detections_unmatched_total` | counter | live detection lines whose frame never came (0 for recorded footage) |
/// | `panoptes_camera_frames_past_detections_latency_total` | counter | live frames that went on when `detections_latency` ran out (0 for recorded footage) |
/// | `panoptes_camera_embeddings_total` | counter | boxes embedded (the summary's `embedded`) |
/// | `panoptes_camera_tracks_total` | counter | confirmed tracks (`track_started`; the summary's `tracks`) |
/// | `panoptes_camera_live_tracks` | gauge | confirmed tracks not yet ended |
/// | `panoptes_queue_depth` | gauge | elements waiting in a bounded channel, label `queue` |
/// | `panoptes_queue_capacity` | gauge | the channel's capacity, label `queue` |
/// | `panoptes_embedding_batch_seconds` | histogram | seconds each embedding batch took in the network (no label) |
/// | `panoptes_embedded_crops_total` | counter | crops embedded, every camera (no label) |
/// | `panoptes_identities` | gauge | identities the registry holds now (no label) |
/// | `panoptes_identities_created_total` | counter | identities created (the summary's `identities`; no label) |
/// | `panoptes_events_written_total` | counter | events written (the summary's `events`; no label) |
/// | `panoptes_run_finished` | gauge | 1 once `run_finished` is written and the counts are final (no label) |
///
/// - Note: Not thread-safe on its own: ``RunStatistics`` calls ``render(_:queues:now:)`` and records
///   the histogram under its one lock, which is what makes each scrape one consistent moment.
final class RunMetrics: Sendable {
    /// Upper bounds of the batch-latency buckets, seconds: a MobileNetV2 batch of 16 crops takes tens of
    /// milliseconds, a ResNet-50 batch on two cores a few seconds.
    static let batchLatencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct CameraSeries: Sendable {
        let decoded, tracked, dropped, decodeErrors, reconnects, detections: Counter
        let detectionsLate, detectionsUnmatched, pastLatency: Counter
        let embeddings, tracks: Counter
        let framesPerSecond, up, liveTracks: Gauge
        let state: [(CameraState, Gauge)]
    }

    let registry = PrometheusCollectorRegistry()
    /// Seconds each embedding batch spent in the network.
    let batchLatency: ValueHistogram
    private let cameras: [CameraSeries]
    private let embeddedCrops, identitiesCreated, events: Counter
    private let identities, runFinished: Gauge

    /// Every series of `cameras` (ids, in pipeline order), at zero.
    init(cameras ids: [String]) {
        let r = registry
        cameras = ids.map { id in
            let l = [("camera", id)]
            return CameraSeries(
                decoded: Self.counter(r, "panoptes_camera_frames_decoded_total", labels: l, help: "Frames decoded."),
                tracked: Self.counter(r, "panoptes_camera_frames_tracked_total", labels: l, help: "Frames tracked."),
                dropped: Self.counter(r, "panoptes_camera_frames_dropped_total", labels: l,
                                       help: "Frames a live input skipped because the pipeline could not keep up."),
                decodeErrors: Self.counter(r, "panoptes_camera_decode_errors_total", labels: l,
                                            help: "Damaged packets the decoder skipped."),
                reconnects: Self.counter(r, "panoptes_camera_reconnects_total", labels: l,
                                          help: "Reconnections to a lost live stream."),
                detections: Self.counter(r, "panoptes_camera_detections_total", labels: l, help: "Supplied boxes tracked."),
                detectionsLate: Self.counter(r, "panoptes_camera_detections_late_total", labels: l,
                                             help: "Live detection lines that came after their frame went on."),
                detectionsUnmatched: Self.counter(r, "panoptes_camera_detections_unmatched_total", labels: l,
                                                  help: "Live detection lines whose frame never came."),
                pastLatency: Self.counter(r, "panoptes_camera_frames_past_detections_latency_total", labels: l,
                                          help: "Live frames that went on when detections_latency ran out."),
                embeddings: Self.counter(r, "panoptes_camera_embeddings_total", labels: l, help: "Boxes embedded."),
                tracks: Self.counter(r, "panoptes_camera_tracks_total", labels: l, help: "Confirmed tracks (track_started)."),
                framesPerSecond: Self.gauge(r, "panoptes_camera_frames_per_second", labels: l,
                                             help: "Frames decoded per second while the camera was up."),
                up: Self.gauge(r, "panoptes_camera_up", labels: l, help: "1 while the camera is being read, else 0."),
                liveTracks: Self.gauge(r, "panoptes_camera_live_tracks", labels: l, help: "Confirmed tracks not yet ended."),
                state: CameraState.allCases.map { state in
                    (state, Self.gauge(r, "panoptes_camera_state", labels: l + [("state", state.rawValue)],
                                        help: "1 for the camera's current state, 0 for the others."))
                })
        }
        batchLatency = r.makeValueHistogram(descriptor: Self.name("panoptes_embedding_batch_seconds",
                                                                  help: "Seconds each embedding batch spent in the network."),
                                            labels: [], buckets: Self.batchLatencyBuckets)
        embeddedCrops = Self.counter(r, "panoptes_embedded_crops_total", labels: [], help: "Crops embedded, every camera.")
        identitiesCreated = Self.counter(r, "panoptes_identities_created_total", labels: [], help: "Identities created.")
        events = Self.counter(r, "panoptes_events_written_total", labels: [], help: "Identity events written.")
        identities = Self.gauge(r, "panoptes_identities", labels: [], help: "Identities the registry holds now.")
        runFinished = Self.gauge(r, "panoptes_run_finished", labels: [],
                                  help: "1 once run_finished is written and the counts are final.")
    }

    /// Sets every series from `s` and renders the registry in the Prometheus text format.
    ///
    /// - Parameters:
    ///   - queues: the bounded channels' depths now.
    ///   - now: monotonic seconds, for the frame rate of a camera still up.
    func render(_ s: RunStatistics.Snapshot, queues: [RunStatistics.QueueDepth], now: Double) -> String {
        for (series, camera) in zip(cameras, s.cameras) {
            Self.set(series.decoded, camera.decodedFrames)
            Self.set(series.tracked, camera.frames)
            Self.set(series.dropped, camera.droppedFrames)
            Self.set(series.decodeErrors, camera.decodeErrors)
            Self.set(series.reconnects, camera.reconnects)
            Self.set(series.detections, camera.detections)
            Self.set(series.detectionsLate, camera.detectionLinesLate)
            Self.set(series.detectionsUnmatched, camera.detectionLinesUnmatched)
            Self.set(series.pastLatency, camera.framesPastDetectionsLatency)
            Self.set(series.embeddings, camera.embeddings)
            Self.set(series.tracks, camera.tracks)
            let seconds = camera.readSince.map { (camera.readUntil ?? now) - $0 } ?? 0
            series.framesPerSecond.set(to: seconds > 0 ? Double(camera.decodedFrames) / seconds : 0)
            series.up.set(to: camera.state.isUp ? 1 : 0)
            series.liveTracks.set(Int64(camera.liveTracks))
            for (state, gauge) in series.state { gauge.set(to: state == camera.state ? 1 : 0) }
        }
        for queue in queues {
            let l = [("queue", queue.name)]
            Self.gauge(registry, "panoptes_queue_depth", labels: l, help: "Elements waiting in a bounded channel.")
                .set(Int64(queue.depth))
            Self.gauge(registry, "panoptes_queue_capacity", labels: l, help: "The most a bounded channel holds.")
                .set(Int64(queue.capacity))
        }
        Self.set(embeddedCrops, s.embedded)
        Self.set(identitiesCreated, s.identitiesCreated)
        Self.set(events, s.events)
        identities.set(Int64(s.identities))
        runFinished.set(to: s.runFinished ? 1 : 0)
        return registry.emitToString()
    }

    /// `name` whole (swift-prometheus joins a descriptor's non-empty parts), so each name reads as scraped.
    private static func name(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private static func counter(_ r: PrometheusCollectorRegistry, _ name: String, labels: [(String, String)], help: String) -> Counter {
        r.makeCounter(descriptor: Self.name(name, help: help), labels: labels)
    }

    private static func gauge(_ r: PrometheusCollectorRegistry, _ name: String, labels: [(String, String)], help: String) -> Gauge {
        r.makeGauge(descriptor: Self.name(name, help: help), labels: labels)
    }

    /// Makes `counter` read `value`: the statistics' counts only grow, so the exposed counter does too.
    private static func set(_ counter: Counter, _ value: Int) {
        counter.reset()
        counter.increment(by: Int64(value))
    }
}
