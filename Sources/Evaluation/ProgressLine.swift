/// The one-line progress bar `panoptes eval` redraws on a terminal's stderr while it embeds.
public struct ProgressLine: Sendable {
    /// What is being counted, e.g. "embedding".
    public var label: String
    /// Characters of the bar itself.
    public var width: Int

    /// A bar of `width` characters after `label`.
    public init(label: String, width: Int = 30) {
        self.label = label
        self.width = width
    }

    /// The line for `done` of `total` after `seconds`, starting with a carriage return so it overwrites
    /// the previous one, e.g. `\rembedding [#######.......] 120/400 30% 12.0 img/s`.
    public func render(done: Int, total: Int, seconds: Double) -> String {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = min(width, Int(fraction * Double(width)))
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let percent = Int((fraction * 100).rounded(.down))
        let rateText = String(Int(rate * 10) / 10) + "." + String(Int(rate * 10) % 10)
        return "\r\(label) [\(bar)] \(done)/\(total) \(percent)% \(rateText) img/s"
    }
}
