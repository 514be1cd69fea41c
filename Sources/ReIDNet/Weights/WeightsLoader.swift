import Foundation

/// Loads a weights file into a ``StateDict``, sniffing its format from the first bytes.
///
/// Reads safetensors, PyTorch zip checkpoints (>= 1.6) and legacy PyTorch checkpoints (<= 1.5,
/// including Python 2 files saved from a GPU), all in Swift: nothing in the file is executed.
/// A checkpoint dict holding `state_dict` (the official PFSA layout) yields that state dict, its
/// other plain entries (`epoch`, `best_top1`) become ``StateDict/metadata``.
public enum WeightsLoader {
    /// The format of the file at `url`, from its first bytes.
    ///
    /// - Throws: ``WeightsError`` when the file cannot be read or matches no format.
    public static func format(of url: URL) throws -> WeightsFormat {
        try format(of: WeightsFile(path: url.path))
    }

    /// The format of `file`, from its first 512 bytes.
    static func format(of file: WeightsFile) throws -> WeightsFormat {
        do {
            return try format(of: try file.bytes(at: 0, count: min(file.size, 512)))
        } catch let error as WeightsError {
            throw error.at(file.path)
        }
    }

    /// Loads every tensor of the weights file at `url`.
    ///
    /// - Throws: ``WeightsError`` naming the file and what is wrong: unreadable, unknown format,
    ///   truncated, a refused pickle global, a tensor outside its storage...
    public static func load(_ url: URL) throws -> StateDict {
        let file = try WeightsFile(path: url.path)
        do {
            switch try format(of: file) {
            case .safetensors: return try SafetensorsReader.read(file)
            case .pytorchLegacy: return try TorchLegacyReader.read(file)
            case .pytorchZip: return try TorchZipReader.read(file)
            }
        } catch let error as WeightsError {
            throw error.at(url.path)
        }
    }

    static func format(of bytes: [UInt8]) throws -> WeightsFormat {
        if bytes.starts(with: [0x50, 0x4B]) {  // "PK": a zip archive
            return .pytorchZip
        }
        if bytes.first == 0x80 {  // pickle PROTO: the legacy format is a run of pickles
            return .pytorchLegacy
        }
        if bytes.count >= 9 {
            var reader = ByteReader(bytes)
            let length = (try? reader.unsignedLE(8, "")) ?? 0
            if length > 0, bytes[8] == UInt8(ascii: "{") { return .safetensors }
        }
        if bytes.count >= 262, Array(bytes[257..<262]) == Array("ustar".utf8) {
            throw WeightsError(.malformed(
                detail: "this is the tar checkpoint format of PyTorch < 0.1.10; load and re-save it with a newer PyTorch"))
        }
        if bytes.isEmpty { throw WeightsError(.truncated(what: "the first bytes", offset: 0)) }
        let shown = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw WeightsError(.unknownFormat(firstBytes: shown))
    }
}
