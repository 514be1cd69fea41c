import Foundation
import TestSupport
import XCTest

/// `panoptes tail` end to end: the column view, `--json` passthrough, filters, `--schema`, torn and
/// damaged files, and `--follow` across rotation and truncation until Ctrl-C.
final class TailCommandTests: XCTestCase {
    private var folder: URL!
    private var path: String { folder.appendingPathComponent("events.jsonl").path }

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A small run's events, as the writer writes them.
    private static let lines = [
        #"{"v":1,"seq":1,"type":"run_started","time":0.0,"pipeline":"demo.yaml","cameras":["cam-a","cam-b"]}"#,
        #"{"v":1,"seq":2,"type":"track_started","time":1.2,"camera":"cam-a","frame":12,"track":3,"bbox":[10.0,20.0,40.5,90.0],"score":0.91}"#,
        #"{"v":1,"seq":3,"type":"identity_assigned","time":1.2,"camera":"cam-a","frame":12,"track":3,"identity":1,"bbox":[10.0,20.0,40.5,90.0],"score":0.91}"#,
        #"{"v":1,"seq":4,"type":"identity_matched","time":12.4,"camera":"cam-b","frame":124,"track":7,"identity":1,"bbox":[300.0,41.0,38.0,88.0],"score":0.88,"similarity":0.873,"margin":0.121,"from_camera":"cam-a","gap":4.2}"#,
        #"{"v":1,"seq":5,"type":"identity_corrected","time":14.0,"camera":"cam-b","frame":140,"track":7,"identity":2,"bbox":[301.0,40.0,38.0,88.0],"similarity":0.71,"previous_identity":1,"reason":"similarity to identity 1 fell to 0.41, below 0.5"}"#,
        #"{"v":1,"seq":6,"type":"camera_down","time":22.0,"camera":"cam-b","reason":"end of stream","last_time":21.9}"#,
        #"{"v":1,"seq":7,"type":"run_finished","time":40.0,"reason":"footage ended"}"#,
    ]

    private func write(_ text: String, to path: String? = nil) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path ?? self.path))
    }

    /// Appends `text` with one write, as another process would.
    private func append(_ text: String, to path: String? = nil) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path ?? self.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    private func tail(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(Fixtures.panoptes, ["tail"] + arguments)
    }

    private static func jsonl(_ seqs: [Int]) -> String {
        seqs.map { lines[$0 - 1] + "\n" }.joined()
    }

    func testTail_smallFile_printsAlignedColumns() throws {
        try write(Self.jsonl(Array(1...7)))
        let result = try tail([path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stderrText, "")
        XCTAssertEqual(result.stdoutText, """
               SEQ         TIME  CAMERA      EVENT               IDENTITY  TRACK  EVIDENCE
                 1       0.000s              run_started                          pipeline demo.yaml  cameras cam-a,cam-b
                 2       1.200s  cam-a       track_started                 3
                 3       1.200s  cam-a       identity_assigned   #1        3
                 4      12.400s  cam-b       identity_matched    #1        7      sim 0.873  margin 0.121  from cam-a  gap 4.200s
                 5      14.000s  cam-b       identity_corrected  #2        7      sim 0.710  was #1  reason: similarity to identity 1 fell to 0.41, below 0.5
                 6      22.000s  cam-b       camera_down                          last frame 21.900s  reason: end of stream
                 7      40.000s              run_finished                         reason: footage ended

            """)
    }

    func testTailJSON_linesInAnyLayout_passedThroughByteForByte() throws {
        // Spacing, key order and escapes the writer would not produce: re-encoding would change them.
        let text = #"{ "seq" : 1, "v": 1, "type": "camera_error", "time": 3, "camera": "cam-b", "message": "caf\u00e9 \/ 1e0"}"#
            + "\n" + #"{"v":1,"seq":2,"type":"camera_up","time":4.50,"camera":"entrée","gap":1E1}"# + "\n"
        try write(text)
        let result = try tail([path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdout, Data(text.utf8))
    }

    func testTailFilters_cameraIdentityTypeAndFrom_keepOnlyMatchingEvents() throws {
        try write(Self.jsonl(Array(1...7)))
        let cases: [([String], [Int])] = [
            (["--camera", "cam-a"], [2, 3]),
            (["--camera", "cam-a", "--camera", "cam-b"], [2, 3, 4, 5, 6]),
            (["--identity", "1"], [3, 4, 5]),
            (["--identity", "2"], [5]),
            (["--type", "identity_matched", "--type", "run_finished"], [4, 7]),
            (["--from", "4"], [5, 6, 7]),
            (["--from", "7"], []),
            (["--from", "2", "--camera", "cam-b", "--type", "identity_corrected"], [5]),
        ]
        for (arguments, seqs) in cases {
            let result = try tail([path, "--json"] + arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderrText)")
            XCTAssertEqual(result.stdoutText, Self.jsonl(seqs), "\(arguments)")
        }
    }

    func testTailType_unknownName_exitsTwoListingTheNames() throws {
        try write(Self.jsonl([1]))
        let result = try tail([path, "--type", "identity_moved"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdoutText, "")
        XCTAssertTrue(result.stderrText.contains("The value 'identity_moved' is invalid for '--type <type>'"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("identity_matched"), result.stderrText)
    }

    func testTailSchema_noFile_printsTheDraft202012SchemaAndExitsZero() throws {
        let result = try tail(["--schema"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stderrText, "")
        XCTAssertTrue(result.stdoutText.hasSuffix("}\n"))
        let schema = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        XCTAssertEqual(schema["$schema"] as? String, "https://json-schema.org/draft/2020-12/schema")
        XCTAssertEqual(schema["title"] as? String, "Panoptes identity event, schema version 1")
    }

    func testTail_tornLastLine_printsTheRestAndNotesItOnStderr() throws {
        try write(Self.jsonl([1, 2]) + #"{"v":1,"seq":3,"type":"identity_assi"#)
        let result = try tail([path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, Self.jsonl([1, 2]))
        XCTAssertEqual(
            result.stderrText,
            "note: \(path):3: skipped a torn last line (36 bytes without a newline); its writer stopped mid-line\n")
    }

    func testTail_damagedMiddleLine_exitsOneNamingFileAndLine() throws {
        try write(Self.jsonl([1]) + "not json\n" + Self.jsonl([3]))
        let result = try tail([path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.stderrText,
            "error: \(path):2: not an event: not valid JSON. The file is damaged before its end (only a torn last "
                + "line is skipped); repair or delete this line.\n")
    }

    func testTail_missingFile_exitsOneNamingThePath() throws {
        let result = try tail([path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdoutText, "")
        XCTAssertEqual(
            result.stderrText,
            "error: \(path): cannot open for reading: No such file or directory. Check the path; a run creates the "
                + "file when it writes its first event.\n")
    }

    func testTail_noFile_exitsTwoWithUsage() throws {
        let result = try tail([])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(
            result.stderrText.hasPrefix("Error: Give the events file to read (or --schema to print the schema).\n"),
            result.stderrText)
    }

    /// A writer that appends, leaves a line half-written, renames the file away (and still appends to the
    /// renamed one), starts a new file, and truncates it: every line is printed once, whole, in order;
    /// SIGINT ends the follow with exit 0.
    func testTailFollow_rotationTruncationAndHalfLine_printsEveryLineOnceThenExitsZeroOnSIGINT() throws {
        let tail = try RunningProcess(Fixtures.panoptes, ["tail", path, "--follow", "--json"])
        XCTAssertTrue(tail.waitUntil { $1.contains("note: waiting for \(path) to appear\n") }, tail.stderrText)

        try write(Self.jsonl([1, 2]))
        XCTAssertTrue(tail.waitUntil { out, _ in out == Self.jsonl([1, 2]) }, tail.stdoutText)

        let third = Self.lines[2] + "\n"
        try append(String(third.prefix(40)))
        // Proving an absence takes waiting: five polls see the half line and must not print it.
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(tail.stdoutText, Self.jsonl([1, 2]))
        try append(String(third.dropFirst(40)))
        XCTAssertTrue(tail.waitUntil { out, _ in out == Self.jsonl([1, 2, 3]) }, tail.stdoutText)

        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try append(Self.jsonl([4]), to: path + ".1")
        try write(Self.jsonl([5, 6]))
        XCTAssertTrue(tail.waitUntil { out, _ in out == Self.jsonl(Array(1...6)) }, tail.stdoutText)
        XCTAssertTrue(tail.stderrText.contains("note: \(path) was replaced (rotated); reading the new file from the start\n"))

        try FileHandle(forWritingTo: URL(fileURLWithPath: path)).truncate(atOffset: 0)
        XCTAssertTrue(tail.waitUntil { $1.contains("note: \(path) was truncated; reading it again from the start\n") },
                      tail.stderrText)
        try append(Self.jsonl([7]))
        XCTAssertTrue(tail.waitUntil { out, _ in out == Self.jsonl(Array(1...7)) }, tail.stdoutText)

        tail.send(SIGINT)
        let (status, exited) = tail.waitForExit()
        XCTAssertTrue(exited, "killed by a signal instead of exiting")
        XCTAssertEqual(status, 0, tail.stderrText)
        XCTAssertEqual(tail.stdout, Data(Self.jsonl(Array(1...7)).utf8))
    }

    func testTailFollowFrom_restartedConsumer_resumesAfterTheSeqItSaw() throws {
        try write(Self.jsonl(Array(1...5)))
        let tail = try RunningProcess(Fixtures.panoptes, ["tail", path, "--follow", "--json", "--from", "3"])
        XCTAssertTrue(tail.waitUntil { out, _ in out == Self.jsonl([4, 5]) }, tail.stdoutText)
        try append(Self.jsonl([6]))
        XCTAssertTrue(tail.waitUntil { out, _ in out == Self.jsonl([4, 5, 6]) }, tail.stdoutText)
        tail.send(SIGINT)
        let (status, exited) = tail.waitForExit()
        XCTAssertTrue(exited)
        XCTAssertEqual(status, 0, tail.stderrText)
        XCTAssertEqual(tail.stdoutText, Self.jsonl([4, 5, 6]))
        XCTAssertEqual(tail.stderrText, "")
    }

    func testTailFollow_columns_printTitlesThenEachEventAsItArrives() throws {
        try write(Self.jsonl([1]))
        let tail = try RunningProcess(Fixtures.panoptes, ["tail", path, "-f", "--type", "camera_down"])
        XCTAssertTrue(tail.waitUntil { out, _ in out.hasPrefix("   SEQ") }, tail.stdoutText)
        try append(Self.jsonl([2, 3, 4, 5, 6]))
        let row = "     6      22.000s  cam-b       camera_down                          last frame 21.900s  reason: end of stream\n"
        XCTAssertTrue(tail.waitUntil { out, _ in out.hasSuffix(row) }, tail.stdoutText)
        tail.send(SIGINT)
        XCTAssertEqual(tail.waitForExit().status, 0)
        XCTAssertEqual(
            tail.stdoutText,
            "   SEQ         TIME  CAMERA      EVENT               IDENTITY  TRACK  EVIDENCE\n" + row)
    }
}
