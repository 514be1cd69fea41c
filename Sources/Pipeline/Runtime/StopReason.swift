import Foundation

/// Why a run stopped before the end of its footage: the signal an operator, a shell or a service
/// manager sent. It is written as `run_finished`'s `reason` (its raw value) and chooses the exit status.
public enum StopReason: String, Sendable, CaseIterable {
    /// SIGINT: Ctrl-C in a terminal.
    case interrupted
    /// SIGTERM: `kill PID`, `systemctl stop`, `docker stop`.
    case terminated

    /// The signal's number (`SIGINT`, `SIGTERM`).
    public var signal: Int32 {
        switch self {
        case .interrupted: return SIGINT
        case .terminated: return SIGTERM
        }
    }

    /// The signal's name, as people know it ("SIGINT").
    public var signalName: String {
        switch self {
        case .interrupted: return "SIGINT"
        case .terminated: return "SIGTERM"
        }
    }

    /// The exit status of a run stopped this way: 128 + the signal's number (130 for SIGINT, 143 for
    /// SIGTERM), the status a shell reports for a process the signal killed, so scripts and service
    /// managers read a graceful stop the same way as an abrupt one.
    public var exitStatus: Int32 { 128 + signal }
}
