import Foundation
import ReIDNet
import Tracking
import VideoIO

/// The plain sequential multi-camera run that `panoptes bench track` measures, until the `run`
/// pipeline's stage actors replace it: for each camera, decode → supplied boxes → crop → embed
/// (batched); then each camera's tracker; then every camera's steps ordered by (media time, camera)
/// into the identity registry; then MOT track files.
///
/// The stages are separate calls (`embedCamera`, `track`, `writeTracks`) so the pipeline can take
/// them over one at a time and the benchmark can time the tracker alone.
public struct TrackingDriver: Sendable {
    /// One camera's input files.
    public struct CameraInput: Sendable, Equatable {
        /// The camera's name.
        public var name: String
        /// Its video (any path or URL FFmpeg opens).
        public var video: String
        /// Its supplied detections, a MOTChallenge `det.txt` (1-based frames).
        public var detections: URL

        /// Names a camera and its files.
        public init(name: String, video: String, detections: URL) {
            self.name = name
            self.video = video
            self.detections = detections
        }
    }

    /// One camera's detections with their embeddings, per 0-based frame.
    public struct EmbeddedCamera: Sendable {
        /// The camera's name.
        public var camera: String
        /// Frame width in pixels.
        public var width: Int
        /// Frame height in pixels.
        public var height: Int
        /// Per decoded frame (0-based), its media time.
        public var times: [Double]
        /// Per decoded frame, its detections (boxes clipped to the frame, embedded).
        public var detections: [[Detection]]
        /// Detections of `det.txt` that could not be used (outside the frame, or past the last frame).
        public var dropped: Int
        /// Seconds spent decoding, cropping and embedding.
        public var seconds: Double
    }

    /// What the trackers and the registry made of all cameras.
    public struct Result: Sendable {
        /// Per camera, confirmed matched boxes with the per-camera track id (for within-camera metrics).
        public var cameraTracks: [String: [MOTRecord]]
        /// Per camera, the same boxes with the global identity the registry finally gave each track.
        public var globalTracks: [String: [MOTRecord]]
        /// Per camera, the same boxes with the identity the registry held at that frame (online view);
        /// boxes of a track not yet associated are left out.
        public var onlineGlobalTracks: [String: [MOTRecord]]
        /// Every identity event, in order.
        public var events: [IdentityEvent]
        /// Total seconds inside `CameraTracker.update`, over all cameras.
        public var trackerSeconds: Double
        /// Total seconds inside the registry's `ingest`.
        public var registrySeconds: Double
        /// Frames tracked, over all cameras.
        public var frames: Int
    }

    /// The per-camera tracker's parameters (the frame size is set per camera).
    public var trackerConfig: TrackerConfig
    /// The registry's parameters (with the scene's topology).
    public var registryConfig: RegistryConfig
    /// Crops embedded together.
    public var batchSize: Int
    /// A driver with the given parameters.
    public init(trackerConfig: TrackerConfig = TrackerConfig(), registryConfig: RegistryConfig = RegistryConfig(), batchSize: Int = 32) {
        self.trackerConfig = trackerConfig
        self.registryConfig = registryConfig
        self.batchSize = batchSize
    }

    /// Decodes `input`'s video, crops its supplied boxes and embeds them in batches.
    ///
    /// - Throws: `VideoError` when the video cannot be decoded, `MOTFileError` for an unreadable or
    ///   bad detection file, or the embedder's error.
    public func embedCamera(_ input: CameraInput, embedder: any TrackCropEmbedder) throws -> EmbeddedCamera {
        let start = MonotonicClock.seconds()
        let records = try MOTFile.read(input.detections).records
        var byFrame: [Int: [MOTRecord]] = [:]
        for r in records { byFrame[r.frame - 1, default: []].append(r) }
        let reader = try VideoReader(url: input.video)
        var out = EmbeddedCamera(
            camera: input.name, width: reader.info.width, height: reader.info.height, times: [], detections: [],
            dropped: 0, seconds: 0)
        var pending: [(frame: Int, slot: Int, region: FrameRegion)] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            let embeddings = try embedder.embed(pending.map(\.region))
            for (item, embedding) in zip(pending, embeddings) {
                out.detections[item.frame][item.slot].embedding = embedding
            }
            pending.removeAll(keepingCapacity: true)
        }
        while let frame = try reader.nextFrame() {
            let index = out.times.count
            out.times.append(frame.time)
            var detections: [Detection] = []
            for r in byFrame.removeValue(forKey: frame.index) ?? [] {
                guard r.box.isValid, let box = r.box.clipped(width: Double(frame.width), height: Double(frame.height)),
                    let region = frame.clampedRegion(
                        x: Int(box.x.rounded()), y: Int(box.y.rounded()), width: Int(box.w.rounded()), height: Int(box.h.rounded()))
                else {
                    out.dropped += 1
                    continue
                }
                pending.append((index, detections.count, region))
                detections.append(Detection(camera: input.name, frame: frame.index, time: frame.time, box: box, score: r.confidence))
            }
            out.detections.append(detections)
            if pending.count >= batchSize { try flush() }
        }
        try flush()
        out.dropped += byFrame.values.reduce(0) { $0 + $1.count }
        out.seconds = MonotonicClock.seconds() - start
        return out
    }

    /// Runs each camera's tracker over its frames, then the registry over every camera's steps ordered
    /// by (media time, camera name).
    ///
    /// - Throws: `TrackingError` from the tracker or the registry.
    public func track(_ cameras: [EmbeddedCamera]) throws -> Result {
        var steps: [TrackerStep] = []
        var trackerSeconds = 0.0
        var frames = 0
        var cameraTracks: [String: [MOTRecord]] = [:]
        var tentative: [String: [MOTRecord]] = [:]  // matched boxes of tracks before confirmation
        for camera in cameras {
            var config = trackerConfig
            config.frameSize = (Double(camera.width), Double(camera.height))
            var tracker = CameraTracker(camera: camera.camera, config: config)
            var records: [MOTRecord] = []
            for (frame, detections) in camera.detections.enumerated() {
                let start = MonotonicClock.seconds()
                let step = try tracker.update(frame: frame, time: camera.times[frame], detections: detections)
                trackerSeconds += MonotonicClock.seconds() - start
                records += step.confirmedMatches.map { MOTRecord($0) }
                tentative[camera.camera, default: []] += step.updates.filter { $0.state == .tentative && $0.isMatched }.map { MOTRecord($0) }
                steps.append(step)
            }
            frames += camera.detections.count
            cameraTracks[camera.camera] = records
        }
        // Stable sort: within one camera, steps keep their frame order.
        let ordered = steps.enumerated().sorted { a, b in
            (a.element.time, a.element.camera, a.offset) < (b.element.time, b.element.camera, b.offset)
        }.map(\.element)
        var registry = InMemoryIdentityRegistry(config: registryConfig)
        var events: [IdentityEvent] = []
        var registrySeconds = 0.0
        var online: [String: [MOTRecord]] = [:]
        var finalIdentity: [String: [Int: Int]] = [:]
        for step in ordered {
            let start = MonotonicClock.seconds()
            events += try registry.ingest(step)
            registrySeconds += MonotonicClock.seconds() - start
            for update in step.confirmedMatches {
                guard let identity = registry.identity(camera: step.camera, track: update.track) else { continue }
                online[step.camera, default: []].append(MOTRecord(update, id: identity))
                finalIdentity[step.camera, default: [:]][update.track] = identity
            }
        }
        // Final view: every box of a track carries the identity the registry last gave the track. Should
        // two tracks of one camera end with the same identity and overlap in time, the later-starting
        // track keeps its boxes under an identity of its own (above every registry identity), so an
        // identity never appears twice in a frame.
        var global: [String: [MOTRecord]] = [:]
        let maxIdentity = finalIdentity.values.flatMap(\.values).max() ?? 0
        var spareIdentity = maxIdentity
        for camera in cameras {
            let identities = finalIdentity[camera.camera] ?? [:]
            var records: [MOTRecord] = []
            var holder: [Int: [Int: Int]] = [:]  // frame -> identity -> track
            var renamed: [Int: Int] = [:]  // track -> spare identity
            // A track that was confirmed and associated also had boxes while tentative: the final view
            // gives them its identity too (the online view cannot, it only learns the track later).
            let all = ((cameraTracks[camera.camera] ?? []) + (tentative[camera.camera] ?? []).filter { identities[$0.id] != nil })
                .enumerated().sorted { ($0.element.frame, $0.offset) < ($1.element.frame, $1.offset) }.map(\.element)
            for r in all {
                guard var identity = identities[r.id] else { continue }
                if let spare = renamed[r.id] {
                    identity = spare
                } else if let other = holder[r.frame]?[identity], other != r.id {
                    spareIdentity += 1
                    renamed[r.id] = spareIdentity
                    identity = spareIdentity
                }
                holder[r.frame, default: [:]][identity] = r.id
                var g = r
                g.id = identity
                records.append(g)
            }
            global[camera.camera] = records
        }
        return Result(
            cameraTracks: cameraTracks, globalTracks: global, onlineGlobalTracks: online, events: events,
            trackerSeconds: trackerSeconds, registrySeconds: registrySeconds, frames: frames)
    }

    /// Writes `<cam>.txt` (global identities) into `directory`, `<cam>.txt` with per-camera track ids
    /// into `directory/camera-tracks`, and the registry's identity events into `directory/events.jsonl`
    /// (one JSON object per line, 1-based frames; for inspection, not the Events module's format).
    public func writeTracks(_ result: Result, to directory: URL) throws {
        let local = directory.appendingPathComponent("camera-tracks")
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
        for (camera, records) in result.globalTracks {
            try MOTFile(records: records).write(to: directory.appendingPathComponent("\(camera).txt"))
        }
        for (camera, records) in result.cameraTracks {
            try MOTFile(records: records).write(to: local.appendingPathComponent("\(camera).txt"))
        }
        var lines = ""
        for e in result.events {
            var object: [String: Any] = [
                "type": e.kind.rawValue, "t": e.time, "camera": e.camera, "frame": e.frame + 1, "track": e.track,
                "bbox": [e.bbox.x, e.bbox.y, e.bbox.w, e.bbox.h], "score": e.score,
            ]
            object["identity"] = e.identity
            object["similarity"] = e.similarity
            object["margin"] = e.margin
            object["from_camera"] = e.fromCamera
            object["gap"] = e.gap
            object["previous_identity"] = e.previousIdentity
            object["reason"] = e.reason
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            lines += String(decoding: data, as: UTF8.self) + "\n"
        }
        try Data(lines.utf8).write(to: directory.appendingPathComponent("events.jsonl"))
    }
}

extension TrackingDriver {
    /// Writes what the deep-sort-realtime peer needs to track the same input: `cameras.json`
    /// (embedding dimension, cameras, frame counts), and per camera `<cam>.det.txt` (the detections
    /// used, 1-based frames, in frame order) and `<cam>.emb.f32` (their embeddings, little-endian
    /// float32 rows in the same order).
    public func writePeerInput(_ cameras: [EmbeddedCamera], to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var dimension = 0
        var entries: [[String: Any]] = []
        for camera in cameras {
            var records: [MOTRecord] = []
            var floats: [Float] = []
            for detections in camera.detections {
                for d in detections where !d.embedding.isEmpty {
                    dimension = d.embedding.count
                    records.append(MOTRecord(frame: d.frame + 1, id: -1, box: d.box, confidence: d.score))
                    floats += d.embedding
                }
            }
            try MOTFile(records: records).write(to: directory.appendingPathComponent("\(camera.camera).det.txt"))
            let data = floats.withUnsafeBufferPointer { Data(buffer: $0) }  // x86-64 and arm64 are little-endian
            try data.write(to: directory.appendingPathComponent("\(camera.camera).emb.f32"))
            entries.append(["name": camera.camera, "frames": camera.detections.count, "width": camera.width, "height": camera.height])
        }
        let json = try JSONSerialization.data(withJSONObject: ["dimension": dimension, "cameras": entries], options: [.sortedKeys])
        try json.write(to: directory.appendingPathComponent("cameras.json"))
    }
}

extension TrackingDriver {
    /// Reads back what `writePeerInput` wrote, so tracking can be rerun on the same embeddings without
    /// decoding and embedding again. Frame times are `index / fps`.
    ///
    /// - Throws: `MOTFileError` or a read error naming the file.
    public static func readPeerInput(from directory: URL, fps: Double) throws -> [EmbeddedCamera] {
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("cameras.json")))
        guard let root = meta as? [String: Any], let dimension = root["dimension"] as? Int,
            let cameras = root["cameras"] as? [[String: Any]]
        else { throw TrackBenchmarkError.peerOutput("cameras.json", "\(meta)") }
        return try cameras.map { entry in
            let name = entry["name"] as! String, frames = entry["frames"] as! Int
            let records = try MOTFile.read(directory.appendingPathComponent("\(name).det.txt")).records
            let data = try Data(contentsOf: directory.appendingPathComponent("\(name).emb.f32"))
            let floats = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            guard floats.count == records.count * dimension else {
                throw TrackBenchmarkError.peerOutput("\(name).emb.f32", "\(floats.count) floats for \(records.count) detections of \(dimension)")
            }
            var detections = [[Detection]](repeating: [], count: frames)
            for (i, r) in records.enumerated() {
                let frame = r.frame - 1
                detections[frame].append(Detection(
                    camera: name, frame: frame, time: Double(frame) / fps, box: r.box, score: r.confidence,
                    embedding: Array(floats[(i * dimension)..<((i + 1) * dimension)])))
            }
            return EmbeddedCamera(
                camera: name, width: entry["width"] as! Int, height: entry["height"] as! Int,
                times: (0..<frames).map { Double($0) / fps }, detections: detections, dropped: 0, seconds: 0)
        }
    }
}
