import Foundation
import TestSupport
import XCTest

@testable import ReIDNet

/// Broken and hostile files: each a clear ``WeightsError`` naming the file, never a crash, a hang,
/// a huge allocation or a command run.
final class WeightsBadInputTests: XCTestCase {
    private func loadError(_ url: URL, file: StaticString = #filePath, line: UInt = #line) -> WeightsError? {
        do {
            _ = try WeightsLoader.load(url)
            XCTFail("\(url.lastPathComponent) loaded", file: file, line: line)
            return nil
        } catch let error as WeightsError {
            XCTAssertTrue(error.description.hasPrefix(url.path + ": "), error.description, file: file, line: line)
            return error
        } catch {
            XCTFail("not a WeightsError: \(error)", file: file, line: line)
            return nil
        }
    }

    private func cut(_ source: URL, to length: Int, in folder: URL) throws -> URL {
        let data = try Data(contentsOf: source)
        let url = folder.appendingPathComponent("cut-\(length)-" + source.lastPathComponent)
        try data.prefix(length).write(to: url)
        return url
    }

    private func assertTruncated(_ error: WeightsError?, file: StaticString = #filePath, line: UInt = #line) {
        guard let error else { return }
        guard case .truncated = error.kind else {
            return XCTFail("expected truncated, got \(error)", file: file, line: line)
        }
        XCTAssertTrue(error.description.contains("it is truncated: download or copy it again."), file: file, line: line)
    }

    func testTruncated_realLegacyFileAtManyCuts_reportsTruncation() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let size = try Data(contentsOf: Fixtures.mobilenetWeights).count
        // In the magic, the sys info, the object pickle, the key list, a storage count, raw data, the last byte.
        for length in [1, 5, 30, 150, 2_000, 40_000, 100_000, size / 2, size - 1] {
            assertTruncated(loadError(try cut(Fixtures.mobilenetWeights, to: length, in: folder)))
        }
    }

    func testTruncated_zipAndSafetensorsAtManyCuts_reportsTruncation() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["plain_zip.pt", "plain.safetensors", "checkpoint.pth.tar"] {
            let source = try WeightsFixtures.url(name)
            let size = try Data(contentsOf: source).count
            for length in [9, 60, size / 3, size / 2, size - 10, size - 1] + (name.hasSuffix("zip.pt") ? [2] : []) {
                assertTruncated(loadError(try cut(source, to: length, in: folder)))
            }
        }
    }

    func testEmptyFile_saysTruncated() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("empty.pt")
        try Data().write(to: url)
        assertTruncated(loadError(url))
    }

    func testMissingFile_isUnreadableAndNamesPath() {
        let url = URL(fileURLWithPath: "/nonexistent/weights.pt")
        guard case .unreadable? = loadError(url)?.kind else { return XCTFail("not unreadable") }
    }

    func testWrongMagic_isRefusedWithThatReason() throws {
        let error = loadError(try WeightsFixtures.url("bad-magic.pt"))
        XCTAssertTrue(error?.description.contains("wrong magic number") ?? false, "\(String(describing: error))")
    }

    func testUnknownFormat_showsFirstBytes() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("notes.pt")
        try Data("hello weights".utf8).write(to: url)
        XCTAssertEqual(loadError(url)?.kind, .unknownFormat(firstBytes: "68 65 6c 6c 6f 20 77 65"))
    }

    func testOsSystem_inLegacyAndZip_isRefusedAndNeverRuns() throws {
        let folder = try WeightsFixtures.written.get()
        let marker = folder.appendingPathComponent("pwned")
        try? FileManager.default.removeItem(at: marker)

        let legacy = loadError(try WeightsFixtures.url("bad-os-system.pt"))
        XCTAssertEqual(legacy?.kind, .refusedGlobal(module: "os", name: "system"))
        XCTAssertEqual(
            legacy?.description,
            "\(folder.path)/bad-os-system.pt: refused to load: the pickle calls `os.system`, which is not a "
                + "tensor-rebuilding function. Nothing was run. Only load checkpoints from sources you trust; "
                + "re-save the state_dict alone (or as safetensors) if this file is yours.")
        XCTAssertEqual(loadError(try WeightsFixtures.url("bad-os-system-zip.pt"))?.kind, .refusedGlobal(module: "posix", name: "system"))
        XCTAssertEqual(loadError(try WeightsFixtures.url("bad-eval.pt"))?.kind, .refusedGlobal(module: "__builtin__", name: "eval"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "the pickle's command ran")

        // Control: Python's unrestricted pickle does run the same bytes, so the check above can fail.
        let control = """
            import pickle, sys
            f = open(sys.argv[1], 'rb')
            for _ in range(3): pickle.load(f)
            pickle.load(f)
            """
        _ = try Peer.python(["-c", control, folder.appendingPathComponent("bad-os-system.pt").path])
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker.path), "control: Python's pickle should have run it")
        try? FileManager.default.removeItem(at: marker)
    }

    func testStorageSmallerThanTensor_namesTensorAndSizes() throws {
        XCTAssertEqual(
            loadError(try WeightsFixtures.url("bad-storage-small.pt"))?.kind,
            .storageTooSmall(tensor: "w", neededElements: 100, storageElements: 50))
        XCTAssertEqual(
            loadError(try WeightsFixtures.url("bad-short-data.safetensors"))?.kind,
            .truncated(what: "the data of tensor `w`", offset: 276))
    }

    func testShapeOf2To40Elements_isRefusedBeforeAllocating() throws {
        for name in ["bad-huge-shape.pt", "bad-huge-shape_zip.pt", "bad-huge-shape.safetensors"] {
            XCTAssertEqual(
                loadError(try WeightsFixtures.url(name))?.kind, .tensorTooLarge(tensor: "w", shape: [1_048_576, 1_048_576]),
                name)
        }
    }

    func testZipEntryDeclaringHugeSize_isRefusedBeforeAllocating() throws {
        let error = loadError(try WeightsFixtures.url("bad-zip-bomb.pt"))
        XCTAssertEqual(
            error?.kind,
            .malformed(detail: "zip entry `archive/data/0` declares 2147483647 bytes from 432; the file is corrupt"))
    }

    func testDeeplyNestedPickle_failsCleanlyWithoutRecursion() throws {
        // 200 000 lists, each appended into the one before: a recursive free or walk would overflow the stack.
        var bytes: [UInt8] = [0x80, 0x02]
        bytes += [UInt8](repeating: 0x5D, count: 200_000) + [UInt8](repeating: 0x61, count: 199_999) + [0x2E]
        var reader = ByteReader(bytes)
        var unpickler = Unpickler()
        let root = try unpickler.load(&reader)
        XCTAssertThrowsError(try TorchCheckpointLayout(root: root, unpickler: unpickler)) { error in
            XCTAssertEqual("\(error)", "malformed checkpoint: the checkpoint holds a list, not a dict of tensors.")
        }
    }

    /// 150 seeded flips of 1 to 3 bytes in each format's structured part (pickles, headers): every
    /// damaged file either loads or is refused with a `WeightsError` that names it, and which flips are
    /// refused, and why, is pinned per format (the same seed and fixtures give the same table).
    func testRandomByteFlips_inEveryFormat_loadOrAreRefusedForTheirReason() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SeededGenerator(seed: 1_811_121_50)
        var outcomes: [String: [String: Int]] = [:]
        for name in ["plain_legacy.pt", "checkpoint.pth.tar", "plain_zip.pt", "plain.safetensors"] {
            let original = [UInt8](try Data(contentsOf: try WeightsFixtures.url(name)))
            let intact = try WeightsLoader.load(try WeightsFixtures.url(name))
            // Flip bytes in the structured part (pickles, headers), where parsing decisions are made.
            let span = min(original.count, 2_000)
            for trial in 0..<150 {
                var bytes = original
                for _ in 0..<(1 + trial % 3) {
                    bytes[Int(generator.next() % UInt64(span))] = UInt8(truncatingIfNeeded: generator.next())
                }
                let url = folder.appendingPathComponent("flip-\(trial)-\(name)")
                try Data(bytes).write(to: url)
                let outcome: String
                do {
                    let loaded = try WeightsLoader.load(url)
                    // A flip that still loads may rename a tensor, or turn one into a non-tensor entry (which a
                    // model then reports missing by name); it never conjures one.
                    XCTAssertLessThanOrEqual(loaded.count, intact.count, "\(name) trial \(trial) loaded more tensors")
                    outcome = bytes == original ? "unchanged" : "loaded"
                } catch let error as WeightsError {
                    XCTAssertEqual(error.path, url.path, "\(name) trial \(trial): the refusal must name the file")
                    XCTAssertTrue("\(error)".hasPrefix(url.path + ": "), "\(error)")
                    outcome = String("\(error.kind)".prefix { $0 != "(" })
                }
                outcomes[name, default: [:]][outcome, default: 0] += 1
                try FileManager.default.removeItem(at: url)
            }
        }
        XCTAssertEqual(outcomes, Self.expectedFlipOutcomes, "\(outcomes)")
    }

    /// What the flips of the test above come to, per format: the refusal's `WeightsError.Kind`, or
    /// "loaded". Pinned from a run; a change says a check was added, lost, or now fires for another reason.
    static let expectedFlipOutcomes: [String: [String: Int]] = [
        "plain_legacy.pt": [
            "loaded": 41, "malformed": 34, "refusedGlobal": 24, "unsupportedOpcode": 36, "truncated": 13, "tensorTooLarge": 2,
        ],
        "checkpoint.pth.tar": [
            "loaded": 40, "malformed": 40, "refusedGlobal": 20, "unsupportedOpcode": 47, "truncated": 2, "tensorTooLarge": 1,
        ],
        "plain_zip.pt": [
            "loaded": 66, "malformed": 33, "refusedGlobal": 16, "unsupportedOpcode": 28, "truncated": 6, "unknownFormat": 1,
        ],
        "plain.safetensors": ["loaded": 70, "unchanged": 1, "malformed": 76, "truncated": 2, "unsupportedDType": 1],
    ]
}

