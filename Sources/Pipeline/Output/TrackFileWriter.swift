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
final class TrackFileWriter {
    private struct Key: Hashable {
        var camera: Int
        var track: Int
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

    /// Writes into `folder` (created if missing), one file per camera id, emptied first; into memory
    /// (`inMemory`) when `folder` is nil.
    init(folder: URL?, cameras: [String]) throws {
        self.folder = folder
        self.ids = cameras
        guard let folder else { return }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CameraFailure("cannot create the tracks folder \(folder.path) (\(error.localizedDescription)) — check the path and permissions")
        }
        for (i, id) in cameras.enumerated() {
            let url = folder.appendingPathComponent("\(id).txt")
            guard FileManager.default.createFile(atPath: url.path, contents: nil),
                let handle = try? FileHandle(forWritingTo: url)
            else {
                throw CameraFailure("cannot create \(url.path) — check the folder is writable")
            }
            handles[i] = handle
        }
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
        try handles[camera]?.write(contentsOf: Data(text.utf8))
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
