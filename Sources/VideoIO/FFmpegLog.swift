import Foundation
import Logging

/// Routes FFmpeg's own `av_log` messages into swift-log, so they do not go straight to stderr.
///
/// Mapping: FFmpeg's panic, fatal, error and warning messages log at `.debug`, its info messages at
/// `.trace`; verbose and debug messages are dropped. FFmpeg reports every damaged macroblock or
/// packet of a broken file (the mjpeg decoder even at "fatal" level), so its messages are detail:
/// what matters reaches the user as a typed `VideoError` carrying FFmpeg's message, or as the
/// reader's own one-line `.warning` summary ("skipped 7 damaged packets"). Raise the logger to
/// `.debug` to see FFmpeg's detail; below that, FFmpeg does not even format its messages.
///
/// VideoIO installs the route with the default logger (label `panoptes.ffmpeg`) the first time it
/// opens anything (``FFmpegLibraries``' load); call `route(to:)` to send FFmpeg's messages to a logger of
/// your own.
public enum FFmpegLog {
    /// Sends FFmpeg's messages to `logger` from now on (FFmpeg's log is process-wide).
    public static func route(to logger: Logger) {
        sink.set(logger)
        FFmpeg.setLogLevel(avLevel(for: logger.logLevel))
        FFmpeg.installLogCallback()
    }

    /// Installs the default route once, unless `route(to:)` already ran.
    static func installDefault() {
        _ = installOnce
    }

    private static let installOnce: Void = {
        if sink.get() == nil {
            route(to: Logger(label: "panoptes.ffmpeg"))
        }
    }()

    private static let sink = LoggerSlot()

    /// FFmpeg's own threshold: skip formatting messages that would be dropped anyway.
    private static func avLevel(for level: Logger.Level) -> Int32 {
        switch level {
        case .trace: FFmpeg.logInfo
        case .debug: FFmpeg.logWarning
        default: Int32(-8)  // AV_LOG_QUIET: FFmpeg formats nothing
        }
    }

    private static func level(forAV rawLevel: Int32) -> Logger.Level? {
        guard rawLevel >= 0 else { return nil }
        let level = rawLevel & 0xff  // higher bits may carry a colour (AV_LOG_C)
        if level <= FFmpeg.logWarning { return .debug }
        if level <= FFmpeg.logInfo { return .trace }
        return nil
    }

    /// Called by FFmpeg (on any of its threads) for each message.
    static func receive(
        object: UnsafeMutableRawPointer?, level avLevel: Int32, format: UnsafePointer<CChar>,
        arguments: CVaListPointer
    ) {
        guard let level = level(forAV: avLevel), let logger = sink.get(), logger.logLevel <= level else { return }
        var printPrefix: Int32 = 1
        let line = FFmpeg.formatLogLine(
            object, level: avLevel, format: format, arguments: arguments, printPrefix: &printPrefix)
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        logger.log(level: level, "\(trimmed)")
    }
}

/// The logger FFmpeg's callback forwards to; set from any thread, read from FFmpeg's decoder threads.
///
/// `@unchecked Sendable` is safe: the only stored state is guarded by `lock` on every access.
private final class LoggerSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var logger: Logger?

    func set(_ value: Logger) {
        lock.lock()
        logger = value
        lock.unlock()
    }

    func get() -> Logger? {
        lock.lock()
        defer { lock.unlock() }
        return logger
    }
}
