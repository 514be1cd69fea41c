/// Reads PyTorch's legacy checkpoint format (`torch.save` before 1.6, or with
/// `_use_new_zipfile_serialization=False`): five pickles back to back — the magic number
/// 0x1950a86a20f9469cfc6c, the protocol version 1001, the system info dict, the object, the list
/// of storage keys — then, for each key in that order, an int64 element count and the raw
/// little-endian elements.
///
/// Python 2 files from a GPU (the official PFSA `checkpoint.pth.tar`) read the same way:
/// `torch.cuda.*Storage` at `cuda:0` loads to the CPU.
enum TorchLegacyReader {
    /// 0x1950a86a20f9469cfc6c as LONG1 stores it (little-endian).
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let protocolVersion: Int64 = 1001

    static func read(_ bytes: [UInt8], path: String?) throws -> StateDict {
        var reader = ByteReader(bytes)
        var unpickler = Unpickler()
        let magicValue = try unpickler.load(&reader)
        guard case .bigInt(let found) = magicValue, found == magic else {
            throw WeightsError(.malformed(
                detail: "wrong magic number: a legacy PyTorch checkpoint starts with a pickle of 0x1950a86a20f9469cfc6c; "
                    + "this is some other pickle"))
        }
        guard case .int(let version) = try unpickler.load(&reader), version == protocolVersion else {
            throw WeightsError(.malformed(detail: "unsupported legacy protocol version (expected 1001)"))
        }
        let systemInfo = try unpickler.load(&reader)
        if case .dict(let info)? = unpickler.object(systemInfo), info[.string("little_endian")] == .bool(false) {
            throw WeightsError(.malformed(detail: "the checkpoint was saved on a big-endian machine, which Panoptes does not read"))
        }
        var objects = Unpickler()
        let root = try objects.load(&reader)
        let layout = try TorchCheckpointLayout(root: root, unpickler: objects)

        var keysReader = Unpickler()
        let keysValue = try keysReader.load(&reader)
        guard case .list(let keyValues)? = keysReader.object(keysValue) else {
            throw WeightsError(.malformed(detail: "the storage key list after the object pickle is missing"))
        }
        var rawStorages: [String: RawStorage] = [:]
        for value in keyValues {
            guard case .string(let key) = value else {
                throw WeightsError(.malformed(detail: "a storage key is a \(value.kindName), not a string"))
            }
            guard let info = layout.storages[key] else {
                throw WeightsError(.malformed(detail: "storage `\(key)` is listed but no tensor uses it, so its type is unknown"))
            }
            let count = try reader.int64LE("the size of storage `\(key)`")
            guard count == Int64(info.count) else {
                throw WeightsError(.malformed(detail: "storage `\(key)` holds \(count) elements, its id says \(info.count)"))
            }
            let start = reader.position
            try reader.skip(info.count * info.dtype.byteWidth, "the data of storage `\(key)`")
            rawStorages[key] = RawStorage(dtype: info.dtype, bytes: bytes, byteOffset: start, count: info.count)
        }
        return try layout.stateDict(format: .pytorchLegacy, path: path) { key, _ in
            guard let storage = rawStorages[key] else {
                throw WeightsError(.malformed(detail: "storage `\(key)` is used by a tensor but not in the storage key list"))
            }
            return storage
        }
    }
}
