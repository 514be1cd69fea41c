import Foundation
import Tracking
import VideoIO

/// Stage: one camera's decode → crop. Decodes the camera's video (on a queue of its own), cuts out the
/// virtual camera's region, attaches the frame's supplied boxes and chooses which to embed (the
/// embedding policy), and sends each frame on; ends with a `CameraEnd` (with the reason if it failed).
///
/// Before each frame it looks at the run's shutdown: once a stop is asked for it decodes nothing more
/// and ends its stream with `stoppedBy`, so the frames already sent are the last this camera tracks.
///
/// A resumed run's reader decodes the frames its checkpoint already tracked without sending them (so
/// the pictures after them are exactly those of a run that never stopped), and a camera whose footage
/// had ended sends nothing at all.
struct CameraReader: PipelineStage {
    let index: Int
    let camera: ResolvedPipeline.Camera
    let policy: EmbeddingPolicy
    let keepImages: Bool
    let badLinesFatal: Bool
    let output: BoundedChannel<StageItem>
    let statistics: RunStatistics
    let shutdown: PipelineShutdown
    let log: @Sendable (String) -> Void
    /// Where a resumed run's checkpoint left this camera (nil: from its first frame).
    var resumeFrom: RunCheckpoint.Camera? = nil

    /// The per-camera state the worker queue owns.
    struct Decoding {
        var reader: VideoReader?
        var detections: SuppliedDetections?
        var schedule: EmbeddingSchedule
    }

    func run() async throws {
        let worker = SerialWorker(label: "panoptes.camera.\(camera.id)", value: Decoding(schedule: EmbeddingSchedule(policy)))
        var last: (frame: Int, time: Double)?
        defer { output.finish() }
        if resumeFrom?.finished == true {
            statistics.setState(camera: index, resumeFrom?.error == nil ? .finished : .error)
            return
        }
        let skipThrough = resumeFrom?.lastFrame ?? -1
        if let frame = resumeFrom?.lastFrame, let time = resumeFrom?.lastTime { last = (frame, time) }
        do {
            let camera = self.camera
            let fatal = badLinesFatal
            let opened: (skipped: [String], frames: Int?) = try await worker.run { state in
                if let d = camera.detections {
                    state.detections = try SuppliedDetections.read(d.url, format: d.format, fatal: fatal)
                }
                // One decoder thread: FFmpeg's error concealment on damaged streams depends on thread
                // timing with more, and offline runs promise byte-identical events.
                let reader = try VideoReader(url: camera.url, options: .init(threadCount: 1, conversionThreadCount: 1))
                if let crop = camera.crop, crop.x + crop.width > reader.info.width || crop.y + crop.height > reader.info.height {
                    throw CameraFailure("crop [\(crop.x), \(crop.y), \(crop.width), \(crop.height)] does not fit the video's "
                                        + "\(reader.info.width)x\(reader.info.height) frame — make the region fit inside it")
                }
                state.reader = reader
                let first = max(camera.firstFrame, skipThrough + 1)
                let total = reader.info.frameCount.map { min($0 - 1, camera.lastFrame ?? Int.max) - first + 1 }
                return (state.detections?.skipped ?? [], total)
            }
            statistics.update { [index] in $0.cameras[index].expectedFrames = opened.frames }
            statistics.setState(camera: index, .up)
            for line in opened.skipped { log("\(camera.id): skipped a bad detection line: \(line)") }
            while true {
                if let reason = shutdown.stopReason {
                    statistics.setState(camera: index, .stopped)
                    await output.send(.end(CameraEnd(camera: index, lastFrame: last?.frame, lastTime: last?.time, error: nil,
                                                     stoppedBy: reason)))
                    return
                }
                let keepImages = self.keepImages, index = self.index
                let next: (frame: CameraFrame, damaged: Int)? = try await worker.run { state in
                    guard let reader = state.reader else { return nil }
                    while let frame = try reader.nextFrame() {
                        if frame.index < camera.firstFrame || frame.index <= skipThrough {
                            let boxes = state.detections?.take(frame: frame.index) ?? []
                            // A resumed run's schedule goes through the frames it skips, as the stopped run's did.
                            if frame.index >= camera.firstFrame {
                                _ = state.schedule.choose(boxes, frame: frame.index - camera.firstFrame)
                            }
                            continue
                        }
                        if let lastFrame = camera.lastFrame, frame.index > lastFrame { return nil }
                        let view = camera.view(of: frame)
                        let boxes = state.detections?.take(frame: frame.index) ?? []
                        let chosen = state.schedule.crops(of: boxes, in: view, frame: frame.index - camera.firstFrame)
                        let crops = chosen.map(\.region), cropBoxes = chosen.map(\.box)
                        return (CameraFrame(camera: index, frame: frame.index, time: frame.time, frameRate: reader.info.frameRate, width: view.width, height: view.height,
                                            image: keepImages ? view : nil, boxes: boxes, crops: crops, cropBoxes: cropBoxes,
                                            embeddings: []),
                                reader.statistics.damagedPackets)
                    }
                    return nil
                }
                guard let (frame, damaged) = next else { break }
                statistics.decoded(camera: index, decodeErrors: damaged)
                last = (frame.frame, frame.time)
                // A finished channel means a later stage failed and the run is ending: decode no more.
                guard await output.send(.frame(frame)) else { return }
            }
            await countDamage(worker)
            statistics.setState(camera: index, .finished)
            await output.send(.end(CameraEnd(camera: index, lastFrame: last?.frame, lastTime: last?.time, error: nil)))
        } catch {
            await countDamage(worker)
            statistics.setState(camera: index, .error)
            await output.send(.end(CameraEnd(camera: index, lastFrame: last?.frame, lastTime: last?.time, error: "\(error)")))
        }
    }
}

extension CameraReader {
    /// Counts the packets the decoder skipped after the last frame too (a damaged tail, or the read
    /// error that ended the stream).
    private func countDamage(_ worker: SerialWorker<Decoding>) async {
        guard let damaged = try? await worker.run({ $0.reader?.statistics.damagedPackets }) else { return }
        statistics.update { [index] in $0.cameras[index].decodeErrors = damaged }
    }
}

/// A camera that cannot go on, in words for `camera_error`.
struct CameraFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
