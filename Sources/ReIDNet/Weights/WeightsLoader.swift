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
        let bytes: [UInt8]
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            bytes = [UInt8](try handle.read(upToCount: 512) ?? Data())
        } catch {
            throw WeightsError(.unreadable(reason: (error as NSError).localizedFailureReason ?? error.localizedDescription), path: url.path)
        }
        do {
            return try format(of: bytes)
        } catch let error as WeightsError {
            throw error.at(url.path)
        }
    }

    /// Loads every tensor of the weights file at `url`.
    ///
    /// - Throws: ``WeightsError`` naming the file and what is wrong: unreadable, unknown format,
    ///   truncated, a refused pickle global, a tensor outside its storage...
    public static func load(_ url: URL) throws -> StateDict {
        let bytes = try readBytes(url)
        do {
            switch try format(of: bytes) {
            case .safetensors: return try SafetensorsReader.read(bytes, path: url.path)
            case .pytorchLegacy: return try TorchLegacyReader.read(bytes, path: url.path)
            case .pytorchZip: return try TorchZipReader.read(url, path: url.path)
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

    /// The whole file, read straight into the array (through `Data` it was copied twice: a tenth of
    /// `panoptes embed`'s start-up on ResNet-50's 94 MB).
    private static func readBytes(_ url: URL) throws -> [UInt8] {
        func failure(_ what: String) -> WeightsError {
            WeightsError(.unreadable(reason: "\(what): \(String(cString: strerror(errno)))"), path: url.path)
        }
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure("cannot stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw WeightsError(.unreadable(reason: "not a regular file"), path: url.path)
        }
        let size = Int(info.st_size)
        var readError: WeightsError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let n = read(descriptor, buffer.baseAddress! + count, size - count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    readError = n < 0 ? failure("cannot read") : WeightsError(.unreadable(reason: "the file shrank while it was read"), path: url.path)
                    return
                }
                count += n
            }
        }
        if let readError { throw readError }
        return bytes
    }
}
