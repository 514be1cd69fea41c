import Foundation
import TestSupport
import XCTest

/// DESIGN.md's exit statuses, one rule for every subcommand: each command × each failure class gives
/// its status and names the cause. 2: the command as typed cannot be used (the parser's errors, an
/// option value the command or the model cannot take). 1: running failed (an input missing, corrupt
/// or malformed, an output that cannot be written). Nothing is printed on standard output.
final class ExitStatusTests: XCTestCase {
    /// One row of the table.
    struct Case {
        var command: String
        var failure: String
        var arguments: [String]
        var status: Int32
        /// The start of standard error.
        var message: String
    }

    func testEveryCommandAndFailureClass_exitsWithItsStatusAndMessage() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corrupt = dir.appendingPathComponent("corrupt.pt")
        try Data("these bytes are no checkpoint\n".utf8).write(to: corrupt)
        let badLines = dir.appendingPathComponent("tracks.txt")
        try Data("1,1,10,10,20,40,1\n2,1,10,ten,20,40,1\n".utf8).write(to: badLines)
        let gt = dir.appendingPathComponent("gt.txt")
        try Data("1,1,10,10,20,40,1\n".utf8).write(to: gt)
        // A data set whose names are fine (the weights are read before any image is decoded).
        let dataset = dir.appendingPathComponent("reid")
        for (name, file) in [("query", "0001_c1s1_000001_01.jpg"), ("bounding_box_test", "0001_c2s1_000002_01.jpg")] {
            let sub = dataset.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try Data([0xFF, 0xD8]).write(to: sub.appendingPathComponent(file))
        }
        let badNames = dir.appendingPathComponent("reid-bad")
        for (name, file) in [("query", "0001_c1s1_000001_01.jpg"), ("bounding_box_test", "person-7.jpg")] {
            let sub = badNames.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try Data([0xFF, 0xD8]).write(to: sub.appendingPathComponent(file))
        }
        let weights = Fixtures.mobilenetWeights.path
        let text = Fixtures.repoRoot.appendingPathComponent("Package.swift").path
        let embed = ["embed", "--model", "pfsa-mobilenetv2", "--weights"]
        let eval = ["eval", "--model", "pfsa-mobilenetv2", "--no-cache", "--weights"]

        let cases: [Case] = [
            Case(command: "probe", failure: "usage: missing argument", arguments: ["probe"], status: 2,
                 message: "Error: Missing expected argument '<file>'"),
            Case(command: "probe", failure: "usage: bad option value", arguments: ["probe", Fixtures.vtest.path, "--threads=-1"], status: 2,
                 message: "Error: --threads must be 0 (automatic) or more, got -1."),
            Case(command: "probe", failure: "runtime: missing input", arguments: ["probe", "/nonexistent/clip.avi"], status: 1,
                 message: "error: cannot open '/nonexistent/clip.avi': No such file or directory."),
            Case(command: "probe", failure: "runtime: corrupt input", arguments: ["probe", text], status: 1,
                 message: "error: cannot open '\(text)': Invalid data found when processing input."),

            Case(command: "inspect", failure: "usage: missing argument", arguments: ["inspect"], status: 2,
                 message: "Error: Missing expected argument '<file>'"),
            Case(command: "inspect", failure: "runtime: missing input", arguments: ["inspect", "/nonexistent/w.pt"], status: 1,
                 message: "error: /nonexistent/w.pt: cannot read the weights file"),
            Case(command: "inspect", failure: "runtime: corrupt input", arguments: ["inspect", corrupt.path], status: 1,
                 message: "error: \(corrupt.path): not a weights file Panoptes knows"),

            Case(command: "embed", failure: "usage: unknown model", arguments: embed.dropLast(3) + ["--model", "resnet18", "--weights", weights, "x.png"],
                 status: 2, message: "Error: The value 'resnet18' is invalid for '--model <model>'"),
            Case(command: "embed", failure: "usage: input size the model cannot take", arguments: embed + [weights, "--input", "100x50", "x.png"],
                 status: 2, message: "error: input size 100x50 is not usable: pfsa-mobilenetv2 needs height and width that are multiples of 32"),
            Case(command: "embed", failure: "runtime: missing input", arguments: embed + [weights, "/nonexistent/person.png"], status: 1,
                 message: "error: cannot open '/nonexistent/person.png'"),
            Case(command: "embed", failure: "runtime: corrupt weights", arguments: embed + [corrupt.path, "x.png"], status: 1,
                 message: "error: \(corrupt.path): not a weights file Panoptes knows"),
            Case(command: "embed", failure: "runtime: output not writable", arguments: embed + [weights, "--out", "/nonexistent/dir/e.jsonl", "x.png"],
                 status: 1, message: "error: cannot create /nonexistent/dir/e.jsonl: check the folder exists and is writable"),

            Case(command: "eval", failure: "usage: unknown model", arguments: ["eval", "--model", "resnet18", "--weights", weights, dataset.path],
                 status: 2, message: "Error: The value 'resnet18' is invalid for '--model <model>'"),
            Case(command: "eval", failure: "usage: unknown pooling", arguments: eval + [weights, dataset.path, "--pooling", "max"], status: 2,
                 message: "Error: Unknown --pooling 'max'; use one of: average, softmax, normalized, stripes."),
            Case(command: "eval", failure: "runtime: missing weights", arguments: eval + ["/nonexistent/w.pt", dataset.path], status: 1,
                 message: "error: /nonexistent/w.pt: weights file not found"),
            Case(command: "eval", failure: "runtime: corrupt weights", arguments: eval + [corrupt.path, dataset.path], status: 1,
                 message: "error: \(corrupt.path): not a weights file Panoptes knows"),
            Case(command: "eval", failure: "runtime: malformed data set", arguments: eval + [weights, badNames.path], status: 1,
                 message: "error: \(badNames.path)/bounding_box_test/person-7.jpg: the name does not match"),

            Case(command: "score", failure: "usage: missing option", arguments: ["score", "--gt", gt.path], status: 2,
                 message: "Error: Missing expected argument '--tracks <tracks>'"),
            Case(command: "score", failure: "runtime: missing input", arguments: ["score", "--gt", "/nonexistent/gt.txt", "--tracks", badLines.path],
                 status: 1, message: "error: /nonexistent/gt.txt: no such file or folder; give a MOTChallenge gt.txt or a folder of <cam>.gt.txt"),
            Case(command: "score", failure: "runtime: malformed input", arguments: ["score", "--gt", gt.path, "--tracks", badLines.path], status: 1,
                 message: "error: \(badLines.path):2: field 4 (y) is 'ten', not a finite number"),

            Case(command: "synth", failure: "usage: bad option value", arguments: ["synth", "--out", dir.appendingPathComponent("s").path, "--cameras", "5"],
                 status: 2, message: "Error: invalid --cameras '5': expected 2 to 4 cameras."),
            Case(command: "synth", failure: "runtime: output not writable",
                 arguments: ["synth", "--out", "/proc/panoptes-synth", "--no-video", "--seconds", "2"], status: 1,
                 message: "error: cannot write /proc/panoptes-synth"),
        ]
        for row in cases {
            let result = try runProcess(Fixtures.panoptes, row.arguments)
            let label = "\(row.command) / \(row.failure)"
            XCTAssertEqual(result.status, row.status, "\(label): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.hasPrefix(row.message), "\(label): expected '\(row.message)…', got:\n\(result.stderrText)")
            XCTAssertEqual(result.stdoutText, "", label)
        }
    }
}
