import Foundation
import Glibc

/// A run's whole state at one point of its merged stream of frames, written so that `run --resume`
/// goes on from there as if the run had never stopped.
///
/// It holds each camera's position (the last frame tracked, or that its footage ended), the trackers
/// (Kalman filters and embedding galleries), the identity registry (identities with their vectors),
/// the track files' pending boxes, and the event file's length and next `seq`. Everything the run
/// wrote after that point is derived from the state and the footage, so a resume cuts the event and
/// track files back to the recorded lengths and writes it again: the same lines, no line twice.
///
/// It also names what it was made with — the pipeline file's digest, the model and the weights
/// file's digest — and a resume with anything else is refused.
///
/// The file is JSON (embeddings as base64 little-endian floats: bit-exact), written atomically: a
/// temporary file beside it, fsync, rename, fsync of the folder. A crash leaves the old checkpoint or
/// the new one, never half of one.
public struct RunCheckpoint: Codable, Sendable {
    /// The version of this format; another is refused.
    public static let formatVersion = 1

    /// What the run was made with.
    public struct Origin: Codable, Sendable, Equatable {
        /// The pipeline file, and the FNV-1a digest of its bytes.
        public var pipeline: String
        public var pipelineDigest: String
        /// The network, its input `[height, width]` and pooling.
        public var model: String
        public var input: [Int]
        public var pooling: String
        /// The weights file and its digest.
        public var weights: String
        public var weightsDigest: String

        /// The origin of a run of `pipeline` (reads the pipeline and weights files).
        ///
        /// - Throws: `CheckpointError` naming a file that cannot be read.
        public init(of pipeline: ResolvedPipeline) throws(CheckpointError) {
            self.pipeline = pipeline.file
            pipelineDigest = try FileDigest.of(URL(fileURLWithPath: pipeline.file))
            model = pipeline.architecture.rawValue
            input = [pipeline.inputSize.height, pipeline.inputSize.width]
            pooling = pipeline.pooling.rawValue
            weights = pipeline.weights.path
            weightsDigest = try FileDigest.of(pipeline.weights)
        }
    }

    /// One camera's position.
    public struct Camera: Codable, Sendable {
        /// The camera id.
        public var id: String
        /// The last frame tracked and its media time (nil: none yet).
        public var lastFrame: Int?
        public var lastTime: Double?
        /// True once its footage ended (or it failed): a resumed run does not read it again.
        public var finished = false
        /// Why it failed, when it did.
        public var error: String?
        /// Its confirmed tracks alive at this point (for the run's counts).
        public var liveTracks = 0
    }

    /// Where the event file stood.
    public struct Events: Codable, Sendable {
        /// The file, or nil for standard output (which a resume cannot cut back: its readers skip seqs
        /// they have seen).
        public var path: String?
        /// Its length in bytes.
        public var length: Int
        /// The seq the next event gets.
        public var nextSeq: Int
    }

    /// The format's version.
    public var version = Self.formatVersion
    /// What the run was made with.
    public var origin: Origin
    /// When it was written (RFC 3339 UTC), for people.
    public var written: String
    /// Media seconds of the last item tracked.
    public var time: Double
    /// The event file's position.
    public var events: Events
    /// The track folder, when the run writes one, and its writer's state.
    public var tracksDir: String?
    var trackFiles: TrackFileWriter.Memory?
    /// Per camera, in pipeline order.
    public var cameras: [Camera]
    /// The trackers and the registry.
    var tracking: TrackingCore.Memory
    /// Counts the tracking stage carries on: identities created, cameras failed, the latest media time.
    var identitiesCreated: Int
    var failures: Int
    var endTime: Double
    /// How many times the run was resumed before this checkpoint was written.
    public var resumes: Int
    /// A run with live cameras: the wall-clock moment its `time` 0 stands for (seconds since 1970). A
    /// resume keeps it, so live times go on rising and `wall_time` stays true.
    public var wallStart: Double?

    /// Writes the checkpoint to `url` atomically (temporary file, fsync, rename, fsync of the folder).
    ///
    /// - Throws: `CheckpointError` naming the file when a step fails; the previous checkpoint is then intact.
    public func write(to url: URL) throws(CheckpointError) {
        let data: Data
        do {
            data = try JSONEncoder().encode(self)
        } catch {
            throw CheckpointError("cannot encode the checkpoint for \(url.path): \(error)")
        }
        let folder = url.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp")
        func failed(_ step: String) -> CheckpointError {
            CheckpointError("cannot \(step) \(temporary.path) for the checkpoint \(url.path): \(String(cString: strerror(errno))) — "
                            + "check the folder is writable and the disk has room")
        }
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failed("create") }
        var ok = data.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
        if !ok {
            let error = failed("write")
            close(fd)
            throw error
        }
        ok = fsync(fd) == 0
        if !ok {
            let error = failed("fsync")
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temporary.path, url.path) == 0 else { throw failed("rename") }
        let dir = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
    }

    /// Cuts a resumed run's output file (the event file, a track file) back to the length the checkpoint
    /// recorded, and fsyncs it: what was written after the checkpoint is derived again by the resume.
    ///
    /// - Parameter what: the file's role in messages (`the event file`).
    /// - Throws: `CheckpointError` when the file is missing or shorter than the checkpoint says (lines
    ///   that were written are gone: the resume would leave a hole), or cannot be cut.
    static func cutBack(_ url: URL, to length: Int, what: String) throws(CheckpointError) {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size, size >= length, let handle = try? FileHandle(forWritingTo: url) else {
            throw CheckpointError("\(what) \(url.path) is \(size.map { "\($0) bytes" } ?? "missing"), shorter than the "
                                  + "\(length) bytes the checkpoint records — restore it, or start afresh without --resume")
        }
        defer { try? handle.close() }
        do {
            try handle.truncate(atOffset: UInt64(length))
            try handle.synchronize()
        } catch {
            throw CheckpointError("cannot cut \(url.path) back to \(length) bytes: \(error.localizedDescription) — check it is writable")
        }
    }

    /// Reads the checkpoint at `url` and checks that `pipeline` may resume from it: same pipeline
    /// file, model and weights, same event file and track folder, same cameras.
    ///
    /// - Throws: `CheckpointError` saying what is missing or differs and what to do.
    public static func read(_ url: URL, for pipeline: ResolvedPipeline) throws(CheckpointError) -> RunCheckpoint {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CheckpointError("no checkpoint at \(url.path) — run without --resume to start afresh, or name the right file with --checkpoint")
        }
        struct Version: Decodable { var version: Int }
        guard let version = try? JSONDecoder().decode(Version.self, from: data) else {
            throw CheckpointError("\(url.path) is not a panoptes checkpoint (it may be torn or another file) — "
                                  + "run without --resume to start afresh")
        }
        guard version.version == formatVersion else {
            throw CheckpointError("\(url.path) is a version \(version.version) checkpoint; this panoptes reads version \(formatVersion) — "
                                  + "resume with the panoptes that wrote it, or start afresh")
        }
        let checkpoint: RunCheckpoint
        do {
            checkpoint = try JSONDecoder().decode(RunCheckpoint.self, from: data)
        } catch {
            throw CheckpointError("\(url.path) is a damaged checkpoint (\(error)) — run without --resume to start afresh")
        }
        try checkpoint.check(against: pipeline, at: url)
        return checkpoint
    }

    /// Refuses a resume of `pipeline` from this checkpoint when what it was made with differs.
    private func check(against pipeline: ResolvedPipeline, at url: URL) throws(CheckpointError) {
        let now = try Origin(of: pipeline)
        let start = "the checkpoint \(url.path) was made"
        let afresh = " — resume with what it was made with, or start afresh without --resume"
        if now.pipeline != origin.pipeline {
            throw CheckpointError("\(start) by the pipeline \(origin.pipeline), not \(now.pipeline)" + afresh)
        }
        if now.pipelineDigest != origin.pipelineDigest {
            throw CheckpointError("\(start) with another version of \(origin.pipeline) (the file changed since)" + afresh)
        }
        if (now.model, now.input, now.pooling) != (origin.model, origin.input, origin.pooling) {
            throw CheckpointError("\(start) with the model \(origin.model) \(origin.input.map(String.init).joined(separator: "x")) "
                                  + "\(origin.pooling), not \(now.model) \(now.input.map(String.init).joined(separator: "x")) \(now.pooling)" + afresh)
        }
        if now.weights != origin.weights || now.weightsDigest != origin.weightsDigest {
            let which = now.weights == origin.weights ? "another version of \(origin.weights) (the file changed since)" : "the weights \(origin.weights), not \(now.weights)"
            throw CheckpointError("\(start) with \(which)" + afresh)
        }
        if cameras.map(\.id) != pipeline.cameras.map(\.id) {
            throw CheckpointError("\(start) with the cameras \(cameras.map(\.id).joined(separator: ", ")), not "
                                  + "\(pipeline.cameras.map(\.id).joined(separator: ", "))" + afresh)
        }
        if events.path != pipeline.events?.path {
            throw CheckpointError("\(start) writing events to \(events.path ?? "standard output"), not "
                                  + "\(pipeline.events?.path ?? "standard output") — resume with the same --events")
        }
        if tracksDir != pipeline.tracksDir?.path {
            throw CheckpointError("\(start) writing track files to \(tracksDir ?? "no folder"), not "
                                  + "\(pipeline.tracksDir?.path ?? "no folder") — resume with the same --tracks-dir")
        }
    }
}
