import Events
import Foundation

/// Events of every type with the fields their type requires (and a few optional ones), as the
/// pipeline would make them; `seq` is left to the sink.
enum SampleEvents {
    static let everyType: [EventRecord] = [
        EventRecord(type: .runStarted, time: 0, pipeline: "demo.yaml", cameras: ["cam-a", "cam-b"]),
        EventRecord(type: .trackStarted, time: 1.2, camera: "cam-a", frame: 12, track: 3,
                    bbox: [10, 20, 40.5, 90], score: 0.91),
        EventRecord(type: .identityAssigned, time: 1.2, camera: "cam-a", frame: 12, track: 3, identity: 1,
                    bbox: [10, 20, 40.5, 90], score: 0.91, wallTime: "2026-11-29T03:30:01.200Z"),
        EventRecord(type: .identityMatched, time: 12.4, camera: "cam-b", frame: 124, track: 7, identity: 1,
                    bbox: [300, 41, 38, 88], score: 0.88, similarity: 0.873, margin: 0.121, fromCamera: "cam-a",
                    gap: 4.2),
        EventRecord(type: .identityCorrected, time: 14, camera: "cam-b", frame: 140, track: 7, identity: 2,
                    bbox: [301, 40, 38, 88], similarity: 0.71, previousIdentity: 1,
                    reason: "similarity to identity 1 fell to 0.41, below 0.5"),
        EventRecord(type: .trackEnded, time: 20.5, camera: "cam-a", frame: 205, track: 3, identity: 1,
                    bbox: [700, 22, 30, 85]),
        EventRecord(type: .cameraError, time: 21, camera: "cam-b", message: "3 damaged packets skipped"),
        EventRecord(type: .cameraDown, time: 22, camera: "cam-b", reason: "end of stream", lastTime: 21.9),
        EventRecord(type: .cameraUp, time: 30, camera: "cam-b", gap: 8.1),
        EventRecord(type: .runResumed, time: 30),
        EventRecord(type: .runFinished, time: 40, reason: "footage ended"),
    ]

    /// `everyType` numbered 1, 2, 3 ... as a sink numbers them.
    static var numbered: [EventRecord] {
        everyType.enumerated().map { index, record in
            var copy = record
            copy.seq = index + 1
            return copy
        }
    }

    /// The JSONL text of `numbered`.
    static func jsonl() throws -> String {
        try numbered.map { try $0.jsonLine() }.joined()
    }
}
