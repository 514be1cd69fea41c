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

    /// The pickles come first and are small (tens of KiB); the storages after them, most of the file,
    /// stay in it until each tensor reads its elements (``RawStorage``): the 9 MB MobileNetV2 checkpoint
    /// read whole had been 9 MB more for `panoptes embed` to map and copy (its peak RSS fell from 63.9 to
    /// 59.5 MB). The pickles parse from a head of the file: 64 KiB, eight times more while they run past it.
    static func read(_ file: WeightsFile) throws -> StateDict {
        var headSize = min(file.size, 64 << 10)
        while true {
            let head = try file.bytes(at: 0, count: headSize)
            let pickles: (layout: TorchCheckpointLayout, keys: [PickleValue], end: Int)
            do {
                pickles = try readPickles(head)
            } catch let error as WeightsError where headSize < file.size {
                guard case .truncated = error.kind else { throw error }
                headSize = min(file.size, headSize * 8)
                continue
            }
            return try stateDict(pickles.layout, keys: pickles.keys, storagesAt: pickles.end, in: file)
        }
    }

    /// The layout the object pickle describes, the storage keys, and where the pickles end in `bytes`.
    private static func readPickles(_ bytes: [UInt8]) throws -> (layout: TorchCheckpointLayout, keys: [PickleValue], end: Int) {
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
        return (layout, keyValues, reader.position)
    }

    /// The tensors, their storages in `file` from `start` in the order of `keys`: each an int64 element
    /// count, then its elements.
    private static func stateDict(
        _ layout: TorchCheckpointLayout, keys: [PickleValue], storagesAt start: Int, in file: WeightsFile
    ) throws -> StateDict {
        var position = start
        var rawStorages: [String: RawStorage] = [:]
        for value in keys {
            guard case .string(let key) = value else {
                throw WeightsError(.malformed(detail: "a storage key is a \(value.kindName), not a string"))
            }
            guard let info = layout.storages[key] else {
                throw WeightsError(.malformed(detail: "storage `\(key)` is listed but no tensor uses it, so its type is unknown"))
            }
            guard file.size - position >= 8 else {
                throw WeightsError(.truncated(what: "the size of storage `\(key)`", offset: position))
            }
            var size: Int64 = 0
            try file.read(at: position, count: 8, into: &size)
            let count = Int64(littleEndian: size)
            guard count == Int64(info.count) else {
                throw WeightsError(.malformed(detail: "storage `\(key)` holds \(count) elements, its id says \(info.count)"))
            }
            position += 8
            guard let storage = RawStorage(dtype: info.dtype, file: file, byteOffset: position, count: info.count) else {
                throw WeightsError(.truncated(what: "the data of storage `\(key)`", offset: position))
            }
            rawStorages[key] = storage
            position += info.count * info.dtype.byteWidth
        }
        return try layout.stateDict(format: .pytorchLegacy, path: file.path) { key, _ in
            guard let storage = rawStorages[key] else {
                throw WeightsError(.malformed(detail: "storage `\(key)` is used by a tensor but not in the storage key list"))
            }
            return storage
        }
    }
}
