import Foundation
internal import ZIPFoundation

/// Reads PyTorch's zip checkpoint format (`torch.save` since 1.6): `<name>/data.pkl` is the
/// object pickle, whose persistent ids `('storage', type, key, location, numel)` name the entries
/// `<name>/data/<key>` holding each storage's raw little-endian bytes; `<name>/byteorder`, if
/// present, must say `little`. Entries are read into memory, never extracted to disk.
enum TorchZipReader {
    /// Largest `data.pkl` accepted; real ones are kilobytes.
    static let maxPickleBytes = 256 << 20

    static func read(_ file: WeightsFile) throws -> StateDict {
        try requireEndRecord(file)
        let url = URL(fileURLWithPath: file.path)
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw WeightsError(.malformed(detail: "not a readable zip archive (\(error)); the file is truncated or corrupt"))
        }
        // One pass over the central directory: `archive[path]` would re-read it on every lookup.
        let entries = Array(archive)
        var entriesByPath: [String: Entry] = [:]
        for entry in entries { entriesByPath[entry.path] = entry }
        let pickles = entries.filter { $0.type == .file && ($0.path == "data.pkl" || $0.path.hasSuffix("/data.pkl")) }
        guard let pickleEntry = pickles.min(by: { $0.path.count < $1.path.count }) else {
            throw WeightsError(.malformed(detail: "the zip archive has no `data.pkl`; it is not a PyTorch checkpoint"))
        }
        let prefix = String(pickleEntry.path.dropLast("data.pkl".count))
        if let order = entriesByPath[prefix + "byteorder"] {
            let text = String(decoding: try contents(of: order, in: archive, limit: 16), as: UTF8.self)
            guard text.trimmingCharacters(in: .whitespacesAndNewlines) == "little" else {
                throw WeightsError(.malformed(detail: "the checkpoint's byte order is `\(text)`; Panoptes reads little-endian only"))
            }
        }
        let pickle = try contents(of: pickleEntry, in: archive, limit: maxPickleBytes)
        var reader = ByteReader(pickle)
        var unpickler = Unpickler()
        let root = try unpickler.load(&reader)
        let layout = try TorchCheckpointLayout(root: root, unpickler: unpickler)
        return try layout.stateDict(format: .pytorchZip, path: file.path) { key, info in
            let entryPath = prefix + "data/" + key
            guard let entry = entriesByPath[entryPath] else {
                throw WeightsError(.malformed(detail: "storage `\(key)` has no zip entry `\(entryPath)`"))
            }
            let needed = info.count * info.dtype.byteWidth
            guard entry.uncompressedSize >= UInt64(needed) else {
                throw WeightsError(.malformed(
                    detail: "zip entry `\(entryPath)` holds \(entry.uncompressedSize) bytes; storage `\(key)` needs \(needed)"))
            }
            let bytes = try contents(of: entry, in: archive, limit: Int(clamping: entry.uncompressedSize))
            guard let storage = RawStorage(dtype: info.dtype, bytes: bytes, byteOffset: 0, count: info.count) else {
                throw WeightsError(.truncated(what: "zip entry `\(entryPath)`", offset: bytes.count))
            }
            return storage
        }
    }

    /// Deflate never expands more than 1032:1; a larger declared ratio is a zip bomb.
    static let maxInflationRatio: UInt64 = 1_100

    /// The bytes of `entry`, refusing entries whose declared size is over `limit` or could not have
    /// come from their compressed size (so the allocation stays proportional to the file).
    private static func contents(of entry: Entry, in archive: Archive, limit: Int) throws -> [UInt8] {
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw WeightsError(.malformed(detail: "zip entry `\(entry.path)` is \(entry.uncompressedSize) bytes, over \(limit)"))
        }
        let plausible = entry.isCompressed
            ? entry.uncompressedSize <= entry.compressedSize * maxInflationRatio + 1_024
            : entry.uncompressedSize == entry.compressedSize
        guard plausible else {
            throw WeightsError(.malformed(
                detail: "zip entry `\(entry.path)` declares \(entry.uncompressedSize) bytes from \(entry.compressedSize); the file is corrupt"))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(entry.uncompressedSize))
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { chunk in
                guard bytes.count + chunk.count <= limit else {
                    throw WeightsError(.malformed(detail: "zip entry `\(entry.path)` inflates past its declared size"))
                }
                bytes.append(contentsOf: chunk)
            }
        } catch let error as WeightsError {
            throw error
        } catch {
            throw WeightsError(.malformed(detail: "zip entry `\(entry.path)` cannot be read (\(error)); the file is corrupt"))
        }
        return bytes
    }

    /// A zip ends with its end-of-central-directory record (signature PK\5\6 within the last
    /// 64 KiB + 22 bytes); a cut file has none.
    private static func requireEndRecord(_ file: WeightsFile) throws {
        let tail = min(file.size, 65_557)
        let bytes = try file.bytes(at: file.size - tail, count: tail)
        let signature: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        let found = bytes.count >= 22 && (0...(bytes.count - 22)).contains { start in
            bytes[start] == 0x50 && Array(bytes[start..<(start + 4)]) == signature
        }
        guard found else {
            throw WeightsError(.truncated(what: "the zip archive (no end-of-central-directory record)", offset: file.size))
        }
    }
}
