import Foundation
import Logging

/// Routes FFmpeg's own `av_log` messages into swift-log, so they do not go straight to stderr.
///
/// Mapping: FFmpeg's panic/fatal messages log at `.error`; its errors and warnings (one per damaged
/// macroblock on a broken file) at `.debug`; its info messages at `.trace`; verbose and debug
/// messages are dropped. VideoIO logs its own one-line summaries (such as "skipped 3 damaged packets")
/// at `.warning`, so a damaged file shows one line at the default level rather than hundreds; raise
/// the logger to `.debug` to see FFmpeg's detail.
///
/// VideoIO installs the route with the default logger (label `panoptes.ffmpeg`) the first time it
/// opens anything; call `route(to:)` to send FFmpeg's messages to a logger of your own.
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
        default: Int32(8)  // AV_LOG_FATAL: only fatal and panic messages are formatted
        }
    }

    private static func level(forAV level: Int32) -> Logger.Level? {
        if level <= 8 { return .error }  // AV_LOG_PANIC (0), AV_LOG_FATAL (8)
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
