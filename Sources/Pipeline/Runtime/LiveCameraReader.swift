import Foundation
import VideoIO

/// Stage: one live camera (a network stream, read as it arrives). Unlike ``CameraReader`` it never
/// waits for the stages after it: its channel is a bounded buffer that drops the oldest frame when
/// full, and counts it (`droppedFrames`). A frame's `time` is the seconds since the run started
/// (``RunClock``), so times keep rising across reconnects.
///
/// The stream counts as lost when it ends, fails, or delivers no frame for `stallTimeout` seconds
/// (a ``ReadWatchdog`` cuts the blocking open or read short). It then reconnects with exponential
/// backoff and jitter. Only a loss that lasts `stallTimeout` (measured from the last frame) is
/// announced: `camera_down` with the reason and the last frame's time, then `camera_up` with the
/// gap once frames come again; a shorter flap makes no event pair. After `giveUpAfter` seconds
/// without a frame it ends with a `camera_error` and the other cameras go on.
///
/// A stop (SIGINT, SIGTERM) also cuts a blocking read short, and the camera ends with `stoppedBy`.
///
/// A camera with supplied detections sends its frames through a ``LiveDetectionJoin``, which holds
/// each frame until its detection lines came (or `detections_latency` ran out); a fatal bad line ends
/// the camera with `camera_error`.
struct LiveCameraReader: PipelineStage {
    let index: Int
    let camera: ResolvedPipeline.Camera
    let live: LiveSettings
    let keepImages: Bool
    /// Which boxes are embedded (used by the detection join).
    var policy: EmbeddingPolicy
    /// A bad detection line ends the camera (`on_error.bad_detection_line: fatal`).
    var badLinesFatal = false
    /// The camera's channel, or the detection join in front of it.
    var output: any LiveOutlet
    let statistics: RunStatistics
    let shutdown: PipelineShutdown
    let clock: RunClock
    let log: @Sendable (String) -> Void
    /// The number of the first frame (a resumed run goes on from its checkpoint's, so the camera's
    /// tracker sees frame numbers rise).
    var firstFrameNumber = 0

    /// The reader the worker queue owns (nil while disconnected).
    struct Decoding {
        var reader: VideoReader?
    }

    /// A lost stream, from its loss until frames come again.
    private struct Outage {
        /// Seconds since the run started, at the last frame before the loss (or the run's start).
        var since: Double
        /// Why the stream was lost, in words (what `camera_down` says): the first failure since the
        /// last frame (or since the start, for a camera not connected yet).
        var cause: String?
        /// The latest reason, in words (a failed reconnection's, for a final `camera_error`).
        var reason: String
        /// Reconnection attempts made.
        var attempts = 0
        /// True once `camera_down` was sent.
        var announced = false
    }

    private enum Wait { case attempt, stop(StopReason), giveUp, failed }

    func run() async throws {
        guard let detections = camera.detections, let channel = output as? BoundedChannel<StageItem> else {
            try await read()
            return
        }
        let join = LiveDetectionJoin(index: index, cameraID: camera.id, path: detections.url.path, latency: live.detectionsLatency,
                                     policy: policy, keepImages: keepImages, fatal: badLinesFatal, capacity: channel.capacity,
                                     output: channel, statistics: statistics, clock: clock, log: log)
        var reader = self
        reader.output = join
        async let joined: Void = join.run()
        do {
            try await reader.read()
        } catch {
            join.finish()
            await joined
            throw error
        }
        await joined
    }

    /// Reads the stream until a stop, a give-up or a fatal detection line, sending to `output`.
    private func read() async throws {
        defer { output.finish() }
        let shutdown = self.shutdown
        let watchdog = ReadWatchdog(stallTimeout: live.stallTimeout) { shutdown.stopReason != nil }
        let worker = SerialWorker(label: "panoptes.camera.\(camera.id)", value: Decoding())
        var nextFrame = firstFrameNumber
        var last: (frame: Int, time: Double)?
        // The first connection counts as an outage from the run's start, so a camera that never comes up
        // is announced after `stallTimeout` like one that was lost.
        var outage: Outage? = Outage(since: clock.now(), cause: nil, reason: "not connected yet")
        var connected = false
        statistics.setState(camera: index, .starting)
        while true {
            if let failure = output.failure {
                statistics.setState(camera: index, .error)
                await output.send(.end(CameraEnd(camera: index, lastFrame: last?.frame, lastTime: clock.now(), error: failure)))
                return
            }
            if let reason = shutdown.stopReason {
                statistics.setState(camera: index, .stopped)
                await output.send(.end(CameraEnd(camera: index, lastFrame: last?.frame, lastTime: clock.now(), error: nil,
                                                 stoppedBy: reason)))
                return
            }
            if !connected {
                if var o = outage, o.attempts > 0 {
                    switch await wait(seconds: live.reconnect.delay(attempt: o.attempts - 1, unit: Double.random(in: -1...1)),
                                      outage: &o, last: last) {
                    case .attempt: outage = o
                    case .stop, .failed: continue
                    case .giveUp:
                        let after = String(format: "%.0f", clock.now() - o.since)
                        let message = "gave up reconnecting after \(after) s without a frame (reconnect.give_up_after) — last reason: \(o.reason)"
                        statistics.setState(camera: index, .error)
                        await output.send(.end(CameraEnd(camera: index, lastFrame: last?.frame, lastTime: clock.now(), error: message)))
                        return
                    }
                }
                let url = camera.url
                do {
                    let size = try await worker.run { state in
                        state.reader = nil
                        // FFmpeg probes 5 s of a stream by default; the watchdog allows `stallTimeout` for the whole
                        // open, so probe one second (a live camera's parameters come with its first keyframes).
                        let reader = try VideoReader(url: url, options: .init(threadCount: 1, conversionThreadCount: 1,
                                                                              formatOptions: ["analyzeduration": "1000000"],
                                                                              watchdog: watchdog))
                        state.reader = reader
                        return (reader.info.width, reader.info.height, reader.info.codec)
                    }
                    log("\(camera.id): connected (\(size.0)x\(size.1) \(size.2))")
                    if let crop = camera.crop, crop.x + crop.width > size.0 || crop.y + crop.height > size.1 {
                        // Not a loss: the configuration does not fit this stream, and reconnecting will not change that.
                        statistics.setState(camera: index, .error)
                        await output.send(.end(CameraEnd(camera: index, lastFrame: last?.frame, lastTime: clock.now(),
                            error: "crop [\(crop.x), \(crop.y), \(crop.width), \(crop.height)] does not fit the stream's "
                                + "\(size.0)x\(size.1) frame — make the region fit inside it")))
                        return
                    }
                    connected = true
                    if last != nil { statistics.reconnected(camera: index) }
                    statistics.setState(camera: index, outage?.announced == true ? .down : .up)
                } catch {
                    if shutdown.stopReason != nil { continue }  // the stop cut the open short
                    let why = reason(for: error, watchdog: watchdog, opening: true)
                    outage?.attempts += 1
                    outage?.reason = why
                    if outage?.cause == nil { outage?.cause = why }
                    await announceIfDue(&outage, last: last)
                    continue
                }
            }
            // The detection join crops the boxes out of the picture once they come.
            let camera = self.camera, index = self.index, keepImages = self.keepImages || camera.detections != nil
            let read: Result<CameraFrame?, any Error>
            var stale = 0
            do {
                let next = try await worker.run { state -> (CameraFrame?, stale: Int, error: (any Error)?) in
                    guard let reader = state.reader else { return (nil, 0, nil) }
                    var stale = 0
                    while true {
                        let frame: Frame
                        do {
                            guard let next = try reader.nextFrame() else { break }
                            frame = next
                        } catch {
                            return (nil, stale, error)
                        }
                        // Frames the decoder and demuxer still held when the watchdog gave the input up come
                        // a stall late: not an arrival (they would hide the stall), so they count as dropped.
                        if watchdog.tripped != nil {
                            stale += 1
                            continue
                        }
                        let view = camera.view(of: frame)
                        return (CameraFrame(camera: index, frame: 0, time: 0, frameRate: reader.info.frameRate, width: view.width,
                                            height: view.height, image: keepImages ? view : nil, boxes: [], crops: [], cropBoxes: [],
                                            embeddings: [], streamTime: frame.time), stale, nil)
                    }
                    return (nil, stale, nil)
                }
                stale = next.stale
                if let error = next.error { read = .failure(error) } else { read = .success(next.0) }
            } catch {
                read = .failure(error)
            }
            if stale > 0 { statistics.droppedFrames(camera: index, count: stale) }
            switch read {
            case .success(.some(var frame)):
                let now = clock.now()
                frame.frame = nextFrame
                frame.time = now
                frame.wallTime = clock.wallStart.timeIntervalSince1970 + now
                nextFrame += 1
                if let o = outage {
                    if o.announced { await output.send(.up(CameraUp(camera: index, time: now, gap: now - (last?.time ?? 0)))) }
                    outage = nil
                    statistics.setState(camera: index, .up)
                }
                last = (frame.frame, now)
                statistics.decoded(camera: index, decodeErrors: 0)
                let sent = output.sendDroppingOldest(.frame(frame), droppable: \.isFrame)
                // A finished channel means a later stage failed and the run is ending: read no more.
                guard sent.sent else { return }
                if sent.dropped > 0 { statistics.droppedFrames(camera: index, count: sent.dropped) }
            case .success(.none), .failure:
                if shutdown.stopReason != nil { continue }
                var why = "the stream ended"
                if case .failure(let error) = read { why = reason(for: error, watchdog: watchdog, opening: false) }
                _ = try? await worker.run { $0.reader = nil }
                connected = false
                log("\(camera.id): stream lost (\(why)); reconnecting")
                // A loss before the first frame after a return continues the outage (one announcement).
                var o = outage ?? Outage(since: last?.time ?? 0, cause: why, reason: why)
                o.reason = why
                if o.cause == nil { o.cause = why }
                o.attempts += 1
                outage = o
                // A stall has already lasted `stallTimeout` (the watchdog measured it from the last frame).
                await announceIfDue(&outage, last: last, now: watchdog.tripped == .stalled)
            }
        }
    }
}

extension LiveCameraReader {
    /// Sends `camera_down` once the outage has lasted `stallTimeout` since the last frame (the debounce:
    /// a shorter flap announces nothing).
    private func announceIfDue(_ outage: inout Outage?, last: (frame: Int, time: Double)?, now due: Bool = false) async {
        guard var o = outage, !o.announced else { return }
        let now = clock.now()
        guard due || now - o.since >= live.stallTimeout else { return }
        o.announced = true
        outage = o
        statistics.setState(camera: index, .down)
        await output.send(.down(CameraDown(camera: index, time: now, lastFrame: last?.frame, lastTime: last?.time ?? 0,
                                           reason: o.cause ?? o.reason)))
    }

    /// Waits `seconds` before the next attempt, in short steps, announcing the outage when it becomes
    /// due and giving up after `giveUpAfter`; a stop ends the wait at once.
    private func wait(seconds: Double, outage: inout Outage, last: (frame: Int, time: Double)?) async -> Wait {
        let until = clock.now() + seconds
        while true {
            if let reason = shutdown.stopReason { return .stop(reason) }
            if output.failure != nil { return .failed }
            var o: Outage? = outage
            await announceIfDue(&o, last: last)
            if let o { outage = o }
            let now = clock.now()
            if let limit = live.reconnect.giveUpAfter, now - outage.since >= limit { return .giveUp }
            if now >= until { return .attempt }
            try? await Task.sleep(nanoseconds: UInt64(min(0.1, until - now) * 1e9))
        }
    }

    /// The loss in words: a stall, the end of the stream, or FFmpeg's own message.
    private func reason(for error: any Error, watchdog: ReadWatchdog, opening: Bool) -> String {
        if watchdog.tripped == .stalled {
            let seconds = String(format: "%g", live.stallTimeout)
            return opening ? "no stream within \(seconds) s of connecting (stall_timeout)" : "no frame for \(seconds) s (stall_timeout)"
        }
        if let video = error as? VideoError {
            return "\(opening ? "cannot open" : "read failed"): \(video.ffmpegMessage ?? video.hint)"
        }
        return "\(error)"
    }
}
