import Foundation
import TestSupport
import XCTest

@testable import ReIDNet

/// The restricted unpickler reads what Python's pickle writes, protocols 0 to 5 and Python 2's text
/// opcodes, to the same values Python loads (compared as canonical text, `weights_pickles.py`).
final class WeightsUnpicklerTests: XCTestCase {
    private static let written: Result<URL, any Error> = Result {
        let folder = try Fixtures.temporaryDirectory("weights-pickles")
        atexit { if let folder = try? WeightsUnpicklerTests.written.get() { try? FileManager.default.removeItem(at: folder) } }
        try runPeer("weights_pickles.py", [folder.path])
        return folder
    }

    private func assertLoadsLikePython(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = try Self.written.get()
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name + ".pkl")))
        let expected = try String(contentsOf: folder.appendingPathComponent(name + ".txt"), encoding: .utf8)
        var reader = ByteReader(bytes)
        var unpickler = Unpickler()
        let value = try unpickler.load(&reader)
        XCTAssertTrue(reader.isAtEnd, "\(name): bytes left after STOP", file: file, line: line)
        XCTAssertEqual(render(value, unpickler), expected, name, file: file, line: line)
    }

    func testProtocols0To5_loadLikePython() throws {
        for protocolVersion in 0...5 {
            try assertLoadsLikePython("proto\(protocolVersion)")
        }
    }

    func testPython2TextOpcodes_loadLikePython() throws {
        try assertLoadsLikePython("py2text")
    }

    func testLong1_magicNumber_staysBigAndExact() {
        let magic = Unpickler.long(TorchLegacyReader.magic[...])
        XCTAssertEqual(magic, .bigInt(TorchLegacyReader.magic))
        XCTAssertEqual(Unpickler.long([0xFF][...]), .int(-1))
        XCTAssertEqual(Unpickler.long([0x00, 0x80][...]), .int(-32768))  // pickle.decode_long(b"\x00\x80")
        XCTAssertEqual(Unpickler.long([0x00, 0x80, 0x00][...]), .int(32768))
        XCTAssertEqual(Unpickler.long([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x00][...]), .int(.max))
        XCTAssertEqual(Unpickler.long([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00][...]), .bigInt([0, 0, 0, 0, 0, 0, 0, 0x80, 0]))
    }

    func testExtensionAndBufferOpcodes_areRefusedWithOffset() {
        for opcode: UInt8 in [0x82, 0x97, 0x98] {
            var reader = ByteReader([0x80, 0x05, opcode, 0x01, 0x2E])
            var unpickler = Unpickler()
            XCTAssertThrowsError(try unpickler.load(&reader)) { error in
                XCTAssertEqual((error as? WeightsError)?.kind, .unsupportedOpcode(opcode: opcode, offset: 2))
            }
        }
    }

    /// Python's rendering (see weights_pickles.py), rebuilt from the arena.
    private func render(_ value: PickleValue, _ unpickler: Unpickler) -> String {
        switch value {
        case .none: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .bigInt(let bytes): return "big\(bytes)"
        case .float(let number): return String(number)
        case .string(let text): return quoted(text)
        case .bytes(let bytes): return "bytes\(bytes)"
        case .object:
            switch unpickler.object(value)! {
            case .dict(let dict):
                return "{" + zip(dict.keys, dict.values).map { render($0, unpickler) + ": " + render($1, unpickler) }
                    .joined(separator: ", ") + "}"
            case .list(let items): return "[" + items.map { render($0, unpickler) }.joined(separator: ", ") + "]"
            case .tuple(let items): return "(" + items.map { render($0, unpickler) }.joined(separator: ", ") + ")"
            case .set(let items): return "set" + items.map { render($0, unpickler) }.joined(separator: ", ")
            case .global(let global): return "global \(global)"
            case .persistentID(let id): return "pid " + render(id, unpickler)
            case .tensor: return "tensor"
            case .numpyDType(let code, let order): return "dtype \(order)\(code)"
            }
        }
    }

    /// `json.dumps(text, ensure_ascii=False)`.
    private func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
