import Foundation
import ReIDNet
import Tracking
import YAMLLite

/// A pipeline file read from disk: its YAML-lite document (for `file:line:column` in messages) and
/// the configuration decoded from it.
public struct PipelineFile: Sendable {
    /// The file as given.
    public let url: URL
    /// The parsed document.
    public let document: YAMLLiteDocument
    /// The configuration as written (unset keys nil).
    public var config: PipelineConfig

    /// Reads and decodes `url`.
    ///
    /// - Throws: `PipelineError` with the file, line and column of a syntax error, an unknown key
    ///   (with the nearest known one), a value of the wrong type or a missing required key.
    public static func load(_ url: URL) throws(PipelineError) -> PipelineFile {
        do throws(YAMLLiteError) {
            let document = try YAMLLiteDocument.load(contentsOf: url)
            let config = try document.decode(PipelineConfig.self)
            return PipelineFile(url: url, document: document, config: config)
        } catch {
            // Both throw YAMLLiteError only: every error has its file, line and column.
            throw PipelineError(problems: [.init(file: error.file, line: error.line, column: error.column,
                                                 message: "\(error.message) — \(error.hint)")])
        }
    }

    /// A problem at `path` (keys and indices from the root), placed at its line and column.
    func problem(_ path: [ConfigPath], _ message: String) -> PipelineError.Problem {
        let mark = document.mark(at: path)
        return .init(file: url.path, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message)
    }

    /// The folder relative paths are taken from.
    public var folder: URL { url.deletingLastPathComponent() }

    /// `path` made absolute against the pipeline file's folder (URLs with a scheme are kept as they are).
    public func absolute(_ path: String) -> String {
        if path.contains("://") || path.hasPrefix("/") || path == "-" { return path }
        return folder.appendingPathComponent(path).standardizedFileURL.path
    }
}

/// One step of a path into the configuration (a key or a sequence index), as a `CodingKey` so
/// `YAMLLiteDocument.mark(at:)` can find it.
struct ConfigPath: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
    init<K: CodingKey>(_ key: K) { self.init(stringValue: key.stringValue) }
    static func key(_ s: String) -> ConfigPath { ConfigPath(stringValue: s) }
    static func index(_ i: Int) -> ConfigPath { ConfigPath(intValue: i) }
}

extension PipelineFile {
    /// A live camera's settings: its own keys over the file's over the defaults; problems are
    /// appended with the key's position.
    private func liveSettings(_ cam: CameraConfig, at: [ConfigPath], problems: inout [PipelineError.Problem]) -> LiveSettings {
        var live = LiveSettings()
        if let v = cam.stallTimeout, !(v > 0) {
            problems.append(problem(at + [.key("stall_timeout")], "stall_timeout must be positive seconds, got \(v)"))
        }
        live.stallTimeout = cam.stallTimeout ?? config.stallTimeout ?? live.stallTimeout
        for p in ReconnectPolicy.problems(cam.reconnect ?? ReconnectConfig()) {
            problems.append(problem(at + [.key("reconnect"), ConfigPath(p.key)], p.message))
        }
        let reconnect = (cam.reconnect ?? ReconnectConfig()).over(config.reconnect)
        live.reconnect = ReconnectPolicy(reconnect)
        // Mixed sources (one key from the camera, the other from the file or the default); a camera or a
        // file that sets both is already checked above.
        let both = { (r: ReconnectConfig?) in r?.max != nil && r?.initial != nil }
        if live.reconnect.max < live.reconnect.initial && !both(cam.reconnect) && !both(config.reconnect) {
            problems.append(problem(cam.reconnect != nil ? at + [.key("reconnect")] : at, "reconnect.max (\(live.reconnect.max) s) is below reconnect.initial (\(live.reconnect.initial) s) — make max at least initial"))
        }
        if let v = cam.detectionsLatency, !(v >= 0) {
            problems.append(problem(at + [.key("detections_latency")], "detections_latency must be 0 or more seconds, got \(v)"))
        }
        live.detectionsLatency = cam.detectionsLatency ?? config.detectionsLatency ?? live.detectionsLatency
        if let d = cam.detections, d.resolvedFormat != .jsonl {
            let at = at + [.key("detections"), .key(d.format != nil ? "format" : "path")]
            problems.append(problem(at, "a live camera's detections are a JSONL stream keyed by `pts` or `wall_time` (a file a detector "
                                    + "appends to, or a named pipe), not a MOT det.txt — name a `.jsonl` path or set `format: jsonl`"))
        }
        if cam.firstFrame != nil || cam.lastFrame != nil {
            problems.append(problem(at + [.key(cam.firstFrame != nil ? "first_frame" : "last_frame")],
                                    "first_frame and last_frame apply to recorded footage — remove them for a live camera"))
        }
        return live
    }

    /// The configuration with every default filled in (what `validate --print` shows), or every
    /// problem found.
    ///
    /// - Throws: `PipelineError` listing every problem: a model name not known, a duplicate camera id,
    ///   a bad crop, a topology naming an unknown camera, values out of range.
    public func resolve() throws(PipelineError) -> ResolvedPipeline {
        var problems: [PipelineError.Problem] = []
        let c = config
        // Model.
        let modelName = c.model.name ?? Architecture.pfsaMobileNetV2.rawValue
        let architecture = Architecture(rawValue: modelName)
        if architecture == nil {
            let known = Architecture.allCases.map(\.rawValue).joined(separator: "`, `")
            problems.append(problem([.key("model"), .key("name")], "unknown model `\(modelName)` — use `\(known)`"))
        }
        let arch = architecture ?? .pfsaMobileNetV2
        var inputSize = arch.defaultInputSize
        if let input = c.model.input {
            let stride = arch.outputStride
            if input.count != 2 || input.contains(where: { $0 <= 0 || $0 % stride != 0 }) {
                problems.append(problem([.key("model"), .key("input")],
                                        "input must be [height, width], both positive multiples of \(stride) for \(arch.rawValue), got \(input)"))
            } else {
                inputSize = (input[0], input[1])
            }
        }
        var pooling = arch == .pfsaResNet50 ? Pooling.normalized : arch.defaultPooling
        if let name = c.model.pooling {
            if let p = Pooling(rawValue: name) {
                pooling = p
            } else {
                let known = Pooling.allCases.map(\.rawValue).joined(separator: "`, `")
                problems.append(problem([.key("model"), .key("pooling")], "unknown pooling `\(name)` — use `\(known)`"))
            }
        }
        if pooling == .stripes && inputSize.height / arch.outputStride < Pooling.stripeCount {
            problems.append(problem([.key("model"), .key("pooling")],
                                    "stripes pooling needs an input height of at least \(6 * arch.outputStride)"))
        }
        let batchSize = c.model.batchSize ?? 16
        if batchSize < 1 { problems.append(problem([.key("model"), .key("batch_size")], "batch_size must be at least 1, got \(batchSize)")) }
        let maxWait = c.model.maxWait ?? 0.05
        if maxWait < 0 { problems.append(problem([.key("model"), .key("max_wait")], "max_wait must be 0 or more seconds, got \(maxWait)")) }
        let embedPolicy = c.model.embed?.policy ?? .everyDetection
        let embedEvery = c.model.embed?.every ?? 1
        if embedEvery < 1 { problems.append(problem([.key("model"), .key("embed"), .key("every")], "every must be at least 1, got \(embedEvery)")) }
        let minHeight = c.model.embed?.minHeight ?? 0

        // Cameras.
        if c.cameras.isEmpty { problems.append(problem([.key("cameras")], "no cameras — list at least one under `cameras:`")) }
        var seen: [String: Int] = [:]
        var cameras: [ResolvedPipeline.Camera] = []
        for (i, cam) in c.cameras.enumerated() {
            let at: [ConfigPath] = [.key("cameras"), .index(i)]
            if cam.id.isEmpty || !cam.id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) {
                problems.append(problem(at + [.key("id")], "camera id `\(cam.id)` must be letters, digits, `-`, `_` or `.` (it names files)"))
            }
            if let first = seen[cam.id] {
                problems.append(problem(at + [.key("id")], "camera id `\(cam.id)` is used twice (first by cameras[\(first)]) — give each camera its own id"))
            }
            seen[cam.id] = i
            let firstFrame = cam.firstFrame ?? 0
            if firstFrame < 0 { problems.append(problem(at + [.key("first_frame")], "first_frame must be 0 or more, got \(firstFrame)")) }
            if let last = cam.lastFrame, last < firstFrame {
                problems.append(problem(at + [.key("last_frame")], "last_frame \(last) is before first_frame \(firstFrame)"))
            }
            var crop: (Int, Int, Int, Int)?
            if let r = cam.crop {
                if r.count != 4 || r[0] < 0 || r[1] < 0 || r[2] < 2 || r[3] < 2 {
                    problems.append(problem(at + [.key("crop")], "crop must be [x, y, width, height] with x, y ≥ 0 and width, height ≥ 2, got \(r)"))
                } else {
                    crop = (r[0], r[1], r[2], r[3])
                }
            }
            let detections = cam.detections.map { (URL(fileURLWithPath: absolute($0.path)), $0.resolvedFormat) }
            var live: LiveSettings?
            if cam.live ?? LiveSettings.isNetwork(cam.url) {
                live = liveSettings(cam, at: at, problems: &problems)
            } else {
                for key in [CameraConfig.CodingKeys.stallTimeout, .reconnect, .detectionsLatency] where document.mark(at: at + [ConfigPath(key)]) != nil {
                    problems.append(problem(at + [ConfigPath(key)],
                                            "\(key.stringValue) applies to live cameras only — remove it, or add `live: true` for a stream FFmpeg opens as a file"))
                }
            }
            cameras.append(.init(id: cam.id, url: absolute(cam.url), detections: detections, firstFrame: firstFrame,
                                 lastFrame: cam.lastFrame, crop: crop.map { (x: $0.0, y: $0.1, width: $0.2, height: $0.3) },
                                 live: live))
        }
        if let v = c.stallTimeout, !(v > 0) {
            problems.append(problem([.key("stall_timeout")], "stall_timeout must be positive seconds, got \(v)"))
        }
        for p in ReconnectPolicy.problems(c.reconnect ?? ReconnectConfig()) {
            problems.append(problem([.key("reconnect"), ConfigPath(p.key)], p.message))
        }
        if let v = c.detectionsLatency, !(v >= 0) {
            problems.append(problem([.key("detections_latency")], "detections_latency must be 0 or more seconds, got \(v)"))
        }
        if cameras.contains(where: { $0.live != nil }), let recorded = cameras.firstIndex(where: { $0.live == nil }) {
            let at: [ConfigPath] = [.key("cameras"), .index(recorded)]
            problems.append(problem(document.mark(at: at + [.key("url")]) != nil ? at + [.key("url")] : at,
                                    "camera `\(cameras[recorded].id)` is recorded footage in a pipeline with live cameras — "
                                    + "run recorded and live cameras in separate pipelines (live times are seconds since the run started)"))
        }
        // The file's live defaults with no live camera to take them: most likely a camera meant to be live.
        if !cameras.isEmpty && cameras.allSatisfy({ $0.live == nil }) {
            let present = [PipelineConfig.CodingKeys.stallTimeout, .reconnect, .detectionsLatency]
                .compactMap { key in document.mark(at: [ConfigPath(key)]).map { (key, $0.line) } }
            for (key, _) in present.sorted(by: { $0.1 < $1.1 }) {
                problems.append(problem([ConfigPath(key)], "\(key.stringValue) applies to live cameras only and no camera here is "
                                        + "live — remove it, or add `live: true` to a camera for a stream FFmpeg opens as a file"))
            }
        }

        // Tracker and registry over the model's defaults.
        let trackerSettings = c.tracker ?? TrackerSettings()
        for p in trackerSettings.problems() { problems.append(problem([.key("tracker"), ConfigPath(p.key)], "\(p.key.stringValue): \(p.message)")) }
        let registrySettings = c.registry ?? RegistrySettings()
        for p in registrySettings.problems() { problems.append(problem([.key("registry"), ConfigPath(p.key)], "\(p.key.stringValue): \(p.message)")) }
        let tracker = trackerSettings.applied(to: ModelDefaults.tracker(for: arch))
        var registry = registrySettings.applied(to: ModelDefaults.registry(for: arch))

        // Topology.
        let ids = Set(c.cameras.map(\.id))
        let topo = c.topology ?? TopologyConfig()
        func known(_ id: String, _ path: [ConfigPath]) {
            guard !ids.contains(id) else { return }
            let near = NearestKey.suggestion(for: id, among: ids.sorted())
            problems.append(problem(path, "unknown camera `\(id)`" + (near.map { " — did you mean `\($0)`?" } ?? "")))
        }
        var overlaps: [(String, String)] = []
        for (i, pair) in (topo.overlaps ?? []).enumerated() {
            let at: [ConfigPath] = [.key("topology"), .key("overlaps"), .index(i)]
            guard pair.count == 2 else {
                problems.append(problem(at, "an overlap is a pair of camera ids, like [left, right]; got \(pair.count) ids"))
                continue
            }
            known(pair[0], at)
            known(pair[1], at)
            overlaps.append((pair[0], pair[1]))
        }
        var transits: [(from: String, to: String, window: CameraTopology.TransitionWindow)] = []
        for (i, t) in (topo.transits ?? []).enumerated() {
            let at: [ConfigPath] = [.key("topology"), .key("transits"), .index(i)]
            known(t.from, at + [.key("from")])
            known(t.to, at + [.key("to")])
            if t.min < 0 || t.max < t.min {
                problems.append(problem(at, "a transit needs 0 ≤ min ≤ max seconds, got min \(t.min), max \(t.max)"))
            }
            transits.append((t.from, t.to, .init(min: t.min, max: t.max)))
        }
        var defaultWindow: CameraTopology.TransitionWindow? = .init(min: 0, max: 600)
        if let d = topo.defaultTransit {
            if d.count != 2 || d[0] < 0 || d[1] < d[0] {
                problems.append(problem([.key("topology"), .key("default_transit")], "default_transit must be [min, max] seconds with 0 ≤ min ≤ max, got \(d)"))
            } else {
                defaultWindow = .init(min: d[0], max: d[1])
            }
        }
        if topo.onlyListedTransits == true { defaultWindow = nil }
        registry.topology = CameraTopology(cameras: c.cameras.map(\.id), overlaps: overlaps, transitions: transits,
                                           defaultTransition: defaultWindow)

        // Output.
        let out = c.output ?? OutputConfig()
        let events = out.events ?? "-"
        let fsyncInterval = out.fsyncInterval ?? 1
        if fsyncInterval <= 0 { problems.append(problem([.key("output"), .key("fsync_interval")], "fsync_interval must be positive seconds, got \(fsyncInterval)")) }
        var metrics: MetricsAddress?
        var metricsOrigin = "output.metrics"
        if let text = out.metrics {
            let at: [ConfigPath] = [.key("output"), .key("metrics")]
            let mark = document.mark(at: at)
            metricsOrigin = "\(url.path):\(mark?.line ?? 0):\(mark?.column ?? 0): output.metrics"
            do {
                metrics = try MetricsAddress.parse(text)
            } catch {
                problems.append(problem(at, "metrics: \(error)"))
            }
        }
        let checkpointInterval = out.checkpointInterval ?? 60
        if !(checkpointInterval > 0 && checkpointInterval.isFinite) {
            problems.append(problem([.key("output"), .key("checkpoint_interval")],
                                    "checkpoint_interval must be positive seconds of media time, got \(checkpointInterval)"))
        }
        let queues = c.queues ?? QueueConfig()
        let framesPerCamera = queues.framesPerCamera ?? 8
        let embeddedFrames = queues.embeddedFrames ?? 32
        if framesPerCamera < 1 { problems.append(problem([.key("queues"), .key("frames_per_camera")], "must be at least 1, got \(framesPerCamera)")) }
        if embeddedFrames < 1 { problems.append(problem([.key("queues"), .key("embedded_frames")], "must be at least 1, got \(embeddedFrames)")) }

        guard problems.isEmpty else { throw PipelineError(problems: problems) }
        return ResolvedPipeline(
            file: url.path, name: c.name ?? url.deletingPathExtension().lastPathComponent, cameras: cameras,
            architecture: arch, weights: URL(fileURLWithPath: absolute(c.model.weights)), inputSize: inputSize, pooling: pooling,
            batchSize: batchSize, maxWait: maxWait, embedPolicy: embedPolicy, embedEvery: embedEvery, embedMinHeight: minHeight,
            tracker: tracker, registry: registry,
            events: events == "-" ? nil : URL(fileURLWithPath: absolute(events)),
            tracksDir: out.tracksDir.map { URL(fileURLWithPath: absolute($0)) },
            annotateDir: out.annotateDir.map { URL(fileURLWithPath: absolute($0)) },
            fsync: out.fsync ?? .periodic, fsyncInterval: fsyncInterval,
            badDetectionLine: c.onError?.badDetectionLine ?? .skip,
            framesPerCamera: framesPerCamera, embeddedFrames: embeddedFrames,
            metrics: metrics, metricsOrigin: metricsOrigin,
            checkpoint: out.checkpoint.map { URL(fileURLWithPath: absolute($0)) }, checkpointInterval: checkpointInterval)
    }

    /// The configuration as written with every default filled in: the model's tracker and registry
    /// values, the default topology window, outputs, policies and queue sizes.
    public func effective(_ resolved: ResolvedPipeline) -> PipelineConfig {
        var e = config
        e.name = resolved.name
        for i in e.cameras.indices {
            e.cameras[i].firstFrame = resolved.cameras[i].firstFrame
            if var d = e.cameras[i].detections {
                d.format = d.resolvedFormat
                e.cameras[i].detections = d
            }
        }
        e.model.name = resolved.architecture.rawValue
        e.model.input = [resolved.inputSize.height, resolved.inputSize.width]
        e.model.pooling = resolved.pooling.rawValue
        e.model.batchSize = resolved.batchSize
        e.model.maxWait = resolved.maxWait
        e.model.embed = EmbedPolicyConfig(policy: resolved.embedPolicy, every: resolved.embedEvery, minHeight: resolved.embedMinHeight)
        e.tracker = TrackerSettings(resolved.tracker)
        e.registry = RegistrySettings(resolved.registry)
        var topo = e.topology ?? TopologyConfig()
        topo.overlaps = topo.overlaps ?? []
        topo.transits = topo.transits ?? []
        topo.defaultTransit = topo.defaultTransit ?? [0, 600]
        topo.onlyListedTransits = topo.onlyListedTransits ?? false
        e.topology = topo
        var out = e.output ?? OutputConfig()
        out.events = out.events ?? "-"
        out.fsync = resolved.fsync
        out.fsyncInterval = resolved.fsyncInterval
        out.metrics = resolved.metrics?.description
        out.checkpoint = resolved.checkpoint?.path
        out.checkpointInterval = resolved.checkpoint == nil ? nil : resolved.checkpointInterval
        e.output = out
        var onError = e.onError ?? ErrorPolicyConfig()
        onError.badDetectionLine = resolved.badDetectionLine
        e.onError = onError
        var q = e.queues ?? QueueConfig()
        q.framesPerCamera = resolved.framesPerCamera
        q.embeddedFrames = resolved.embeddedFrames
        e.queues = q
        // Live keys appear only when some camera is live, so a recorded pipeline prints as it always did.
        for i in e.cameras.indices {
            guard let live = resolved.cameras[i].live else { continue }
            e.cameras[i].live = true
            e.cameras[i].firstFrame = nil  // frames of a live camera are not numbered from a start
            e.cameras[i].stallTimeout = live.stallTimeout
            let r = live.reconnect
            e.cameras[i].reconnect = ReconnectConfig(initial: r.initial, multiplier: r.multiplier, max: r.max, giveUpAfter: r.giveUpAfter)
            if e.cameras[i].detections != nil { e.cameras[i].detectionsLatency = live.detectionsLatency }
        }
        return e
    }
}
