/// Where `panoptes run` serves its metrics: a host and a TCP port, written `HOST:PORT`.
///
/// The host defaults to 127.0.0.1 (`:9464` or `9464` alone): the endpoints say which cameras a site
/// has and how they fare, so they are not offered to the network unless asked for (`0.0.0.0:9464`).
/// Port 0 asks the system for any free port (the run prints the one it got).
public struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host to listen on: a name, an IPv4 address, or an IPv6 address (written in brackets in `HOST:PORT`).
    public var host: String
    /// The TCP port, 0...65535 (0: any free port).
    public var port: Int

    /// The host when only a port is given: loopback only.
    public static let defaultHost = "127.0.0.1"

    /// An address of `host` and `port`.
    public init(host: String = MetricsAddress.defaultHost, port: Int) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`, IPv6 hosts in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Why a text is not an address, in words that say what to write instead.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong and what to do.
        public var description: String
    }

    /// Reads `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT`.
    ///
    /// - Throws: ``ParseError`` saying what is wrong and what to write.
    public static func parse(_ text: String) throws(ParseError) -> MetricsAddress {
        let example = "write HOST:PORT, like 127.0.0.1:9464 (a port alone listens on \(defaultHost); port 0 picks a free one)"
        var host = defaultHost
        var portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ParseError(description: "`\(text)` is not an address — an IPv6 host goes in brackets, like [::1]:9464")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            if text[..<colon].contains(":") {
                throw ParseError(description: "`\(text)` is not an address — an IPv6 host goes in brackets, like [::1]:9464")
            }
            if colon != text.startIndex { host = String(text[..<colon]) }
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
            throw ParseError(description: "`\(text)` has no host — \(example)")
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), let port = Int(portText) else {
            throw ParseError(description: "`\(text)` is not HOST:PORT — \(example)")
        }
        guard port <= 65535 else {
            throw ParseError(description: "port \(port) in `\(text)` is out of range — use 1 to 65535, or 0 for any free port")
        }
        return MetricsAddress(host: host, port: port)
    }
}
