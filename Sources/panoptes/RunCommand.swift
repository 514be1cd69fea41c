import ArgumentParser
import Events
import Foundation
import MetricsServer
import Pipeline
import ReIDNet
import Synchronization

/// `panoptes run`: Run a pipeline file over its cameras and write identity events.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline file: decode, embed, track and write identity events.",
        discussion: """
            Events go to the pipeline's output.events (standard output by default) as JSON lines; \
            progress and the summary go to standard error. Exit codes: 0 every camera finished, \
            1 runtime failure, 2 bad pipeline file or options, 3 some cameras failed and the rest finished. \
            SIGINT (Ctrl-C) or SIGTERM stops the run: the frames in flight are tracked, every live track \
            ends (track_ended, reason run_stopped), run_finished says interrupted or terminated, the summary \
            is printed, and the exit code is 130 or 143; a second signal quits at once with the file ending \
            after its last whole line. With --metrics (or output.metrics) it serves Prometheus /metrics and \
            /healthz while it runs. With --checkpoint (or output.checkpoint) the run's whole state is \
            written every output.checkpoint_interval seconds of media time and when it stops; --resume goes \
            on from it, cutting the event file back to the checkpoint's length, so the events equal those \
            of a run that never stopped (only run_started, run_resumed and run_finished differ).
            """)

    @Argument(help: "The pipeline file (YAML-lite).")
    var pipeline: String

    @Option(help: "Write events to FILE (`-` for standard output), overriding output.events.")
    var events: String?

    @Option(name: .customLong("tracks-dir"), help: "Write <camera>.txt MOT track files (global identities) into DIR, overriding output.tracks_dir.")
    var tracksDir: String?

    @Option(help: "Write one annotated video per camera into DIR, overriding output.annotate_dir.")
    var annotate: String?

    @Option(name: .customLong("batch-size"), help: "Crops embedded together, overriding model.batch_size.")
    var batchSize: Int?

    @Option(help: ArgumentHelp("Serve Prometheus /metrics and /healthz on HOST:PORT while the run goes (a port alone listens on 127.0.0.1; 0 picks a free port), overriding output.metrics.",
                               valueName: "host:port"))
    var metrics: String?

    @Option(help: ArgumentHelp("Write the run's state to FILE every output.checkpoint_interval seconds of media time and when it stops, overriding output.checkpoint.",
                               valueName: "file"))
    var checkpoint: String?

    @Flag(help: "Go on from the checkpoint (--checkpoint or output.checkpoint) instead of starting afresh: the event and track files are cut back to where it left them.")
    var resume = false

    @Option(name: .customLong("metrics-linger"),
            help: ArgumentHelp("After the run, keep serving the final counts until /metrics is scraped once more, for at most this many seconds (default 0).",
                               valueName: "seconds"))
    var metricsLinger: Double?

    func validate() throws {
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be 1 or more, got \(batchSize).") }
        if let metrics {
            do {
                _ = try MetricsAddress.parse(metrics)
            } catch {
                throw ValidationError("--metrics: \(error).")
            }
        }
        if let metricsLinger, !(metricsLinger >= 0 && metricsLinger.isFinite) {
            throw ValidationError("--metrics-linger must be 0 or more seconds, got \(metricsLinger).")
        }
    }
}

extension RunCommand {
    /// Loads and resolves the pipeline file; a bad file prints every problem and exits 2.
    static func resolve(_ path: String) throws -> ResolvedPipeline {
        let result = Result { () throws(PipelineError) -> ResolvedPipeline in
            try PipelineFile.load(URL(fileURLWithPath: path)).resolve()
        }
        switch result {
        case .success(let resolved): return resolved
        case .failure(let error):
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    func run() async throws {
        var resolved = try Self.resolve(pipeline)
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let events { resolved.events = events == "-" ? nil : URL(fileURLWithPath: events, relativeTo: cwd).standardizedFileURL }
        if let tracksDir { resolved.tracksDir = URL(fileURLWithPath: tracksDir, relativeTo: cwd).standardizedFileURL }
        if let annotate { resolved.annotateDir = URL(fileURLWithPath: annotate, relativeTo: cwd).standardizedFileURL }
        if let batchSize { resolved.batchSize = batchSize }
        if let metrics {
            // `validate()` parsed it already.
            resolved.metrics = try? MetricsAddress.parse(metrics)
            resolved.metricsOrigin = "--metrics"
        }
        if let checkpoint { resolved.checkpoint = URL(fileURLWithPath: checkpoint, relativeTo: cwd).standardizedFileURL }
        var resuming: RunCheckpoint?
        if resume {
            guard let url = resolved.checkpoint else {
                FileHandle.standardError.write(Data("error: --resume needs a checkpoint: --checkpoint FILE, or output.checkpoint in the pipeline file\n".utf8))
                throw ExitCode(2)
            }
            do {
                resuming = try RunCheckpoint.read(url, for: resolved)
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        if metricsLinger != nil && resolved.metrics == nil {
            FileHandle.standardError.write(Data("error: --metrics-linger needs --metrics HOST:PORT (or output.metrics in the pipeline file)\n".utf8))
            throw ExitCode(2)
        }

        let stderr = FileHandle.standardError
        var runner = PipelineRunner(pipeline: resolved)
        runner.resuming = resuming
        runner.log = { line in stderr.write(Data((line + "\n").utf8)) }
        // Bound before anything is loaded or written, so an unusable address costs nothing.
        let server = try await Self.serveMetrics(of: runner, resolved)
        let start = MonotonicClock.seconds()
        let view = RunProgressView(start: start)
        if isatty(STDERR_FILENO) == 1 {
            let lines = RunProgressView.lineCount(cameras: resolved.cameras.count)
            let drawn = ProgressState()
            runner.progress = { snapshot in
                stderr.write(Data(view.terminalBlock(snapshot, now: MonotonicClock.seconds(), previousLines: drawn.swap(lines)).utf8))
            }
        } else {
            let last = ProgressState()
            runner.progress = { snapshot in
                let now = MonotonicClock.seconds()
                guard Int(now - start) / 10 > last.swap(Int(now - start) / 10) else { return }
                stderr.write(Data((view.logLine(snapshot, now: now) + "\n").utf8))
            }
        }
        let signals = await ShutdownSignals.install(forwardingTo: runner.shutdown) { line in stderr.write(Data(("\n" + line + "\n").utf8)) }
        defer { signals.cancel() }
        let embedder = try runner.makeEmbedder()
        let sink: any EventSink
        do {
            sink = try runner.makeSink()
        } catch let error as CheckpointError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let destination = resolved.events?.path ?? "standard output"
        let banner = "running \(resolved.name): \(resolved.cameras.count) cameras, \(resolved.architecture.rawValue) "
            + "\(resolved.inputSize.height)x\(resolved.inputSize.width), events to \(destination)\n"
        stderr.write(Data(banner.utf8))
        if let resuming, let url = resolved.checkpoint {
            stderr.write(Data("resuming from \(url.path): media time \(String(format: "%.2f", resuming.time)) s, next seq \(resuming.events.nextSeq)\n".utf8))
        }
        let summary: RunSummary
        do {
            summary = try await runner.run(embedder: embedder, sink: sink)
        } catch {
            // A second signal closed the sink under the run; its handler is exiting with the signal's status.
            if case .abandoned(let reason) = runner.shutdown.state { throw ExitCode(reason.exitStatus) }
            throw error
        }
        stderr.write(Data(("\n" + summary.table).utf8))
        if let dir = resolved.tracksDir { stderr.write(Data("track files: \(dir.path)\n".utf8)) }
        if let dir = resolved.annotateDir { stderr.write(Data("annotated videos: \(dir.path)\n".utf8)) }
        if let server {
            if let linger = metricsLinger, linger > 0 {
                // The run is over and its files are closed: Ctrl-C now just ends the wait, as it would any program.
                signals.cancel()
                stderr.write(Data("serving the final metrics until the next scrape of /metrics, at most \(linger) s\n".utf8))
                _ = await server.waitForRequest(to: "/metrics", within: linger)
            }
            await server.close()
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}

extension RunCommand {
    /// Starts serving `runner`'s `/metrics` and `/healthz` when the pipeline asks for it; an address
    /// that cannot be bound prints where it was set and what to do, and exits 2.
    static func serveMetrics(of runner: PipelineRunner, _ resolved: ResolvedPipeline) async throws -> MetricsHTTPServer? {
        guard let address = resolved.metrics else { return nil }
        let routes: [String: MetricsHTTPServer.Route] = [
            "/metrics": {
                .init(contentType: "text/plain; version=0.0.4; charset=utf-8", body: runner.metricsText())
            },
            "/healthz": {
                let health = runner.health()
                return .init(status: health.httpStatus, contentType: "application/json", body: health.json + "\n")
            },
        ]
        do {
            let server = try await MetricsHTTPServer.start(host: address.host, port: address.port, routes: routes)
            let shown = MetricsAddress(host: server.host, port: server.port)
            FileHandle.standardError.write(Data("metrics on http://\(shown)/metrics and /healthz\n".utf8))
            return server
        } catch {
            FileHandle.standardError.write(Data("error: \(resolved.metricsOrigin): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// A lock-protected integer the progress callback swaps (it runs on the runner's reporting task).
private final class ProgressState: Sendable {
    private let value = Mutex(0)
    /// Stores `new` and returns the old value.
    func swap(_ new: Int) -> Int { value.withLock { old in defer { old = new }; return old } }
}
