import NIOCore
import NIOPosix

/// Why the metrics server could not listen, in words that say what to do.
public struct MetricsServerError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case addressInUse
        case permissionDenied
        case notThisMachine
        case unknownHost
        case other(String)
    }

    /// The address asked for.
    public let host: String
    public let port: Int
    private let code: Code

    init(host: String, port: Int, underlying error: any Error) {
        self.host = host
        self.port = port
        if let io = error as? IOError {
            switch io.errnoCode {
            case 98: code = .addressInUse          // EADDRINUSE
            case 13: code = .permissionDenied      // EACCES
            case 99: code = .notThisMachine        // EADDRNOTAVAIL
            default: code = .other("\(io)")
            }
        } else if error is SocketAddressError {
            code = .unknownHost
        } else {
            code = .other("\(error)")
        }
    }

    /// `HOST:PORT`, IPv6 hosts in brackets.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// What went wrong and what to do, without saying where the address came from.
    public var description: String {
        switch code {
        case .addressInUse:
            return "cannot serve metrics on \(address): the port is in use by another program — choose another port, or 0 for any free one"
        case .permissionDenied:
            return "cannot serve metrics on \(address): permission denied (ports below 1024 need privileges) — use a port of 1024 or more"
        case .notThisMachine:
            return "cannot serve metrics on \(address): \(host) is not an address of this machine — use 127.0.0.1, 0.0.0.0 or one of its own addresses"
        case .unknownHost:
            return "cannot serve metrics on \(address): the host name \(host) does not resolve — use an IP address such as 127.0.0.1"
        case .other(let message):
            return "cannot serve metrics on \(address): \(message) — check the address"
        }
    }
}
