import Events
import Foundation

/// What `panoptes tail` writes to standard output: the column view (with its titles first) or the
/// events' own lines, for the events the filter keeps.
struct TailPrinter: Sendable {
    let json: Bool
    let filter: EventFilter
    private let formatter = EventTableFormatter()
    private var pending: [UInt8] = []

    /// A printer; the column view starts with its titles.
    init(json: Bool, filter: EventFilter) {
        self.json = json
        self.filter = filter
        if !json { pending = Array((formatter.header + "\n").utf8) }
    }

    /// Queues `entry` if the filter keeps it: its stored bytes with `--json`, else its row. Output
    /// goes out in 64 KiB pieces, or at ``flush()``.
    mutating func print(_ entry: EventEntry) {
        guard filter.matches(entry.record) else { return }
        if json {
            pending += entry.bytes
            pending.append(UInt8(ascii: "\n"))
        } else {
            pending += (formatter.line(for: entry.record) + "\n").utf8
        }
        if pending.count >= 1 << 16 { flush() }
    }

    /// Writes what is queued to standard output.
    mutating func flush() {
        guard !pending.isEmpty else { return }
        FileHandle.standardOutput.write(Data(pending))
        pending.removeAll(keepingCapacity: true)
    }
}
