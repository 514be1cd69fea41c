import ArgumentParser
import Dispatch
import Events
import Foundation

/// `--type` takes the schema's names (`identity_matched` ...), a closed choice.
extension EventType: ExpressibleByArgument {}

/// `panoptes tail`: Print an events file as aligned columns or as JSONL, once or following it.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the identity events of a run, once or as they arrive.",
        discussion: """
            Events are printed as aligned columns (seq, media time, camera, event, identity, track, \
            evidence), or with --json as the file's own lines, byte for byte. A consumer that restarts \
            passes the last seq it saw to --from and neither loses nor repeats an event. A torn last line \
            (a writer stopped mid-line) is skipped with a note on stderr. With --follow, Ctrl-C ends \
            cleanly (exit 0).
            """)

    @Argument(help: "The events file (JSONL) a run writes.")
    var file: String?

    @Flag(name: [.short, .long], help: "Keep printing events as they are appended, across rotation and truncation.")
    var follow = false

    @Option(help: ArgumentHelp("Print only events after this seq.", valueName: "seq"))
    var from: Int = 0

    @Option(help: ArgumentHelp("Print only events of this camera (repeatable).", valueName: "name"))
    var camera: [String] = []

    @Option(help: ArgumentHelp("Print only events about this identity, new or retracted (repeatable).", valueName: "id"))
    var identity: [Int] = []

    @Option(help: ArgumentHelp("Print only events of this type (repeatable).", valueName: "type"))
    var type: [EventType] = []

    @Flag(help: "Print the matching lines unchanged (JSONL) instead of columns.")
    var json = false

    @Flag(help: "Print the JSON Schema of the events (version 1) and exit.")
    var schema = false

    func validate() throws {
        guard schema || file != nil else {
            throw ValidationError("Give the events file to read (or --schema to print the schema).")
        }
        guard from >= 0 else { throw ValidationError("--from takes the last seq seen, 0 or more; got \(from).") }
    }
}

extension TailCommand {
    func run() async throws {
        if schema {
            print(EventSchema.json)
            return
        }
        guard let file else { return }
        var printer = TailPrinter(
            json: json, filter: EventFilter(types: Set(type), cameras: Set(camera), identities: Set(identity)))
        guard follow else {
            let reader = try EventReader(path: file)
            while let entry = try reader.next() {
                guard entry.record.seq > from else { continue }
                printer.print(entry)
            }
            printer.flush()
            if let torn = reader.tornLastLine { note("\(file):\(torn.lineNumber): \(torn)") }
            return
        }
        // Ctrl-C cancels the follow; the follower then ends and we exit 0.
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        printer.flush()
        let following = Task { [printer] in
            var printer = printer
            for try await update in EventFollower(path: file, from: from) {
                switch update {
                case .event(let entry):
                    printer.print(entry)
                    printer.flush()
                case .tornLine(let torn): note("\(file):\(torn.lineNumber): \(torn)")
                case .waiting: note("waiting for \(file) to appear")
                case .truncated: note("\(file) was truncated; reading it again from the start")
                case .rotated: note("\(file) was replaced (rotated); reading the new file from the start")
                }
            }
        }
        interrupt.setEventHandler { following.cancel() }
        interrupt.resume()
        defer { interrupt.cancel() }
        try await following.value
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data("note: \(text)\n".utf8))
    }
}
