import Dispatch
import Foundation
import Pipeline

/// Wires SIGINT and SIGTERM to a run's ``PipelineShutdown``: the first signal stops the run gracefully
/// (the library drains, ends the live tracks, writes `run_finished`), a second one while it stops
/// makes the library close the event sink between two lines and the process exits at once with the
/// signal's status (130 / 143).
///
/// Why DispatchSource and not swift-service-lifecycle's `ServiceGroup` (which the issue suggests):
/// - a service only learns *that* a graceful shutdown began (`gracefulShutdown()`,
///   `cancelWhenGracefulShutdown`), not which signal began it, and the run must write `interrupted` or
///   `terminated` and exit 130 or 143;
/// - `ServiceGroup` requires its graceful-shutdown and cancellation signal sets to be disjoint and
///   stops listening to the graceful ones after the first, so a second SIGINT would be swallowed,
///   while a second Ctrl-C must quit at once;
/// - its escalation is task cancellation, which cannot interrupt a blocking FFmpeg or GEMM call on a
///   worker queue; exiting at once needs the sink closed between two lines and `_exit`, not cancellation;
/// - a run is a finite job that returns a summary and an exit status, not a long-running service.
/// Its `UnixSignals` product would replace only the few lines below, at the price of two more packages.
///
/// - Note: Install before loading the model, so a Ctrl-C during loading already stops gracefully.
///   ``install(forwardingTo:note:)`` returns once libdispatch has registered every source: from then
///   on no signal is lost. Before that a signal has its default action (the process ends, having
///   written nothing). On Linux the disposition is left alone — libdispatch installs its own handler
///   when it registers the source, and setting `SIG_IGN` first would discard a signal arriving before
///   that — and only on Darwin, whose kqueue delivery ranks below handlers, is it set to `SIG_IGN`.
///   The handlers run on a serial queue of their own, never on the run's cooperative threads, so they
///   answer even while every stage is busy.
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    private init(sources: [any DispatchSourceSignal]) { self.sources = sources }

    /// Traps SIGINT (reason `interrupted`) and SIGTERM (`terminated`) and forwards each to `shutdown`;
    /// `note` says what is happening (standard error in the CLI). Returns once the traps are live.
    static func install(forwardingTo shutdown: PipelineShutdown, note: @escaping @Sendable (String) -> Void) async -> ShutdownSignals {
        let queue = DispatchQueue(label: "panoptes.signals")
        var sources: [any DispatchSourceSignal] = []
        for reason in StopReason.allCases {
            #if canImport(Darwin)
            signal(reason.signal, SIG_IGN)
            #endif
            let source = DispatchSource.makeSignalSource(signal: reason.signal, queue: queue)
            // The handler holds its source (for `data`); `cancel()` releases the handler and so the source.
            source.setEventHandler { [source] in
                // A source coalesces signals that arrive before its handler runs: a fast double Ctrl-C is
                // one call with data 2, and must still quit at once.
                var state = shutdown.request(reason)
                for _ in 1..<max(1, source.data) { state = shutdown.request(reason) }
                switch state {
                case .stopping:
                    note("\(reason.signalName): stopping — finishing the frames in flight and ending live tracks; "
                        + "\(reason == .interrupted ? "press Ctrl-C" : "send \(reason.signalName)") again to quit at once")
                case .abandoned(let last):
                    note("\(last.signalName) again: quitting at once; the events file ends after its last whole line")
                    _exit(last.exitStatus)
                case .running, .finished:
                    break
                }
            }
            await withCheckedContinuation { (registered: CheckedContinuation<Void, Never>) in
                source.setRegistrationHandler { registered.resume() }
                source.resume()
            }
            sources.append(source)
        }
        return ShutdownSignals(sources: sources)
    }

    /// Stops trapping: the signals get their default action again.
    func cancel() {
        for source in sources { source.cancel() }
        for reason in StopReason.allCases { signal(reason.signal, SIG_DFL) }
    }
}
