import Foundation
import Tracking

/// Writes `<camera>.txt` MOT track files whose id is the global identity, so `panoptes score` and
/// py-motmetrics can score multi-camera IDF1.
///
/// A track's boxes (from its first matched frame, tentative ones included) are held until the track
/// ends and then written under the identity it ended with: an identity decided a few frames after a
/// person appeared, or corrected later, applies to the whole track, as an operator reviewing the
/// footage would label it. Memory is bounded by the live tracks. Should two tracks of one camera end
/// with the same identity over a common frame, the later-written one is written under a spare id
/// (above 1,000,000), so an id never appears twice in a frame.
///
/// A resumed run opens the files a checkpoint recorded, cuts each back to the length it had then, and
/// goes on with the boxes the checkpoint held for the tracks still alive (``Memory``).
final class TrackFileWriter {
    fileprivate struct Key: Hashable, Codable {
        var camera: Int
        var track: Int
    }

    /// What the writer holds between frames, and each file's length, for a run's checkpoint.
    struct Memory: Codable, Sendable {
        fileprivate struct Pending: Codable, Sendable {
            var key: Key
            var records: [MOTRecord]
        }

        fileprivate struct Written: Codable, Sendable {
            var camera: Int
            var frame: Int
            var identities: [Int]
        }

        /// Bytes in each camera's file (by camera index).
        var lengths: [Int]
        fileprivate var pending: [Pending]
        fileprivate var written: [Written]
        fileprivate var nextSpare: Int
    }

    private let folder: URL?
    private let ids: [String]
    /// Per camera, the records written, when writing to memory (no folder).
    private(set) var inMemory: [Int: [MOTRecord]] = [:]
    private var handles: [Int: FileHandle] = [:]
    private var pending: [Key: [MOTRecord]] = [:]
    /// Per camera, per frame, the identities written (pruned below the oldest frame still pending).
    private var written: [Int: [Int: Set<Int>]] = [:]
    private var nextSpare = 1_000_001
    /// Bytes written to each camera's file so far.
    private var lengths: [Int]

    /// Writes into `folder` (created if missing), one file per camera id, emptied first; into memory
    /// (`inMemory`) when `folder` is nil. With `resuming`, the files are kept, cut back to the lengths
    /// it records, and the writer goes on from it.
    ///
    /// - Throws: `CameraFailure` naming the folder or file that cannot be made; `CheckpointError` for a
    ///   file shorter than the checkpoint says it was.
    init(folder: URL?, cameras: [String], resuming: Memory? = nil) throws {
        self.folder = folder
        self.ids = cameras
        lengths = resuming?.lengths ?? [Int](repeating: 0, count: cameras.count)
        if let resuming {
            for p in resuming.pending { pending[p.key] = p.records }
            for w in resuming.written { written[w.camera, default: [:]][w.frame] = Set(w.identities) }
            nextSpare = resuming.nextSpare
        }
        guard let folder else { return }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CameraFailure("cannot create the tracks folder \(folder.path) (\(error.localizedDescription)) — check the path and permissions")
        }
        for (i, id) in cameras.enumerated() {
            let url = folder.appendingPathComponent("\(id).txt")
            if let resuming {
                try RunCheckpoint.cutBack(url, to: resuming.lengths.indices.contains(i) ? resuming.lengths[i] : 0, what: "the track file")
                guard let handle = try? FileHandle(forWritingTo: url) else {
                    throw CameraFailure("cannot open \(url.path) — check the folder is writable")
                }
                try handle.seekToEnd()
                handles[i] = handle
                continue
            }
            guard FileManager.default.createFile(atPath: url.path, contents: nil),
                let handle = try? FileHandle(forWritingTo: url)
            else {
                throw CameraFailure("cannot create \(url.path) — check the folder is writable")
            }
            handles[i] = handle
        }
    }

    /// What the writer holds now (the boxes of live tracks, the identities written per frame, each file's length).
    var memory: Memory {
        Memory(lengths: lengths,
               pending: pending.keys.sorted { ($0.camera, $0.track) < ($1.camera, $1.track) }.map { .init(key: $0, records: pending[$0]!) },
               written: written.keys.sorted().flatMap { camera in
                   written[camera]!.keys.sorted().map { .init(camera: camera, frame: $0, identities: written[camera]![$0]!.sorted()) }
               },
               nextSpare: nextSpare)
    }

    /// Flushes every file to the disk (before a checkpoint records their lengths).
    func synchronize() throws {
        for handle in handles.values { try handle.synchronize() }
    }

    /// Takes what one frame (or one camera's end) caused: keeps the step's matched boxes, writes the
    /// boxes of each track the registry ended (`track_ended`) under its identity, and drops what is left
    /// of tracks that ended without one (never confirmed).
    func take(_ outcome: TrackingCore.Outcome, camera: Int) throws {
        record(camera: camera, step: outcome.step)
        for e in outcome.events where e.kind == .trackEnded {
            try end(camera: camera, track: e.track, identity: e.identity)
        }
        for u in outcome.step.updates where u.state == .ended { discard(camera: camera, track: u.track) }
    }

    /// Records the matched boxes of `step` (0-based frames become 1-based).
    private func record(camera: Int, step: TrackerStep) {
        for u in step.updates where u.isMatched && (u.state == .tentative || u.state == .confirmed) {
            pending[Key(camera: camera, track: u.track), default: []].append(MOTRecord(u))
        }
    }

    /// Writes the boxes of `track` under `identity` (dropped when nil: a track that never got one).
    private func end(camera: Int, track: Int, identity: Int?) throws {
        guard let records = pending.removeValue(forKey: Key(camera: camera, track: track)), let identity else { return }
        var id = identity
        if records.contains(where: { written[camera]?[$0.frame]?.contains(identity) == true }) {
            id = nextSpare
            nextSpare += 1
        }
        var text = ""
        for var r in records {
            r.id = id
            written[camera, default: [:]][r.frame, default: []].insert(id)
            if folder == nil {
                inMemory[camera, default: []].append(r)
            } else {
                text += r.line + "\n"
            }
        }
        let bytes = Data(text.utf8)
        if let handle = handles[camera] {
            try handle.write(contentsOf: bytes)
            lengths[camera] += bytes.count
        }
        prune(camera)
    }

    /// Drops boxes of tracks that ended without a `track_ended` event (never confirmed).
    private func discard(camera: Int, track: Int) {
        pending.removeValue(forKey: Key(camera: camera, track: track))
    }

    private func prune(_ camera: Int) {
        let oldest = pending.filter { $0.key.camera == camera }.compactMap { $0.value.first?.frame }.min() ?? Int.max
        written[camera] = written[camera]?.filter { $0.key >= oldest }
    }

    /// Closes every file.
    func close() throws {
        for handle in handles.values { try handle.close() }
        handles.removeAll()
    }
}
