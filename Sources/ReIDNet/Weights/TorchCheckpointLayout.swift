import DequeModule

/// What a PyTorch checkpoint pickle describes, before any storage bytes are read: the named
/// tensors (as views of storages), the storages they need, and the plain entries beside them.
///
/// Shared by the legacy and zip readers, which differ only in where storage bytes live.
struct TorchCheckpointLayout {
    /// A storage as its persistent id describes it: `('storage', type, key, location, numel[, view])`.
    struct StorageInfo: Equatable {
        var dtype: WeightDType
        /// Element count of the whole (root) storage.
        var count: Int
        /// Where it lived when saved (`cpu`, `cuda:0` ...); everything loads to the CPU.
        var location: String
    }

    /// A named tensor: a view of a storage (or of a legacy storage view inside one).
    struct Entry {
        var name: String
        var storageKey: String
        /// Legacy storage views: the view's start and length within the root storage, in elements.
        var view: (offset: Int, count: Int)?
        var recipe: TensorRecipe
    }

    /// Nesting depth searched for tensors below the state dict (e.g. `{"model": {"encoder": {...}}}`).
    static let maxDepth = 4

    private(set) var entries: [Entry] = []
    /// Storages by key, and their keys in first-use order.
    private(set) var storages: [String: StorageInfo] = [:]
    private(set) var storageKeys: [String] = []
    /// Plain entries beside the state dict (`epoch`, `best_top1` ...), as text.
    private(set) var metadata: [String: String] = [:]

    /// The layout of the object pickle whose value is `root`.
    ///
    /// A dict holding a dict under `state_dict` (the official PFSA checkpoint) yields that dict's
    /// tensors, and the dict's plain entries become metadata; otherwise the tensors are the root
    /// dict's, with nested dicts' tensors named `outer.inner` (up to ``maxDepth`` levels).
    init(root: PickleValue, unpickler: Unpickler) throws {
        guard case .dict(let top)? = unpickler.object(root) else {
            throw WeightsError(.malformed(detail: "the checkpoint holds a \(Self.kind(root, unpickler)), not a dict of tensors"))
        }
        var stateDict = top
        var unwrapped = false
        if let inner = top[.string("state_dict")], case .dict(let dict)? = unpickler.object(inner) {
            stateDict = dict
            unwrapped = true
            for (key, value) in zip(top.keys, top.values) {
                if case .string(let name) = key, name != "state_dict", let text = value.scalarText {
                    metadata[name] = text
                }
            }
        }
        // Breadth first, so tensors keep the file's order level by level.
        var pending: Deque<(prefix: String, dict: PickleDict, depth: Int)> = [("", stateDict, 1)]
        while let (prefix, dict, depth) = pending.popFirst() {
            for (key, value) in zip(dict.keys, dict.values) {
                guard case .string(let keyName) = key else { continue }
                let name = prefix + keyName
                switch unpickler.object(value) {
                case .tensor(let recipe)?:
                    try add(name: name, recipe: recipe, unpickler: unpickler)
                case .dict(let nested)? where depth < Self.maxDepth:
                    pending.append((name + ".", nested, depth + 1))
                default:
                    if prefix.isEmpty, !unwrapped, let text = value.scalarText { metadata[name] = text }
                }
            }
        }
        guard !entries.isEmpty else {
            throw WeightsError(.malformed(detail: "the checkpoint holds no tensors (no state_dict)"))
        }
    }

    /// The state dict, reading each storage once through `storage(key, info)`.
    func stateDict(
        format: WeightsFormat, path: String?, storage: (String, StorageInfo) throws -> RawStorage
    ) throws -> StateDict {
        var loaded: [String: RawStorage] = [:]
        for key in storageKeys {
            loaded[key] = try storage(key, storages[key]!)
        }
        var tensors: [(name: String, tensor: WeightTensor)] = []
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            var base = loaded[entry.storageKey]!
            if let view = entry.view {
                guard let slice = base.view(offset: view.offset, count: view.count) else {
                    throw WeightsError(.storageTooSmall(
                        tensor: entry.name, neededElements: view.offset + view.count, storageElements: base.count))
                }
                base = slice
            }
            let tensor = try base.tensor(
                name: entry.name, offset: entry.recipe.offset, shape: entry.recipe.shape, strides: entry.recipe.strides)
            tensors.append((entry.name, tensor))
        }
        return try StateDict(format: format, path: path, tensors: tensors, metadata: metadata)
    }

    private mutating func add(name: String, recipe: TensorRecipe, unpickler: Unpickler) throws {
        guard case .persistentID(let id)? = unpickler.object(recipe.storage),
            case .tuple(let items)? = unpickler.object(id), items.count == 5 || items.count == 6,
            items[0] == .string("storage")
        else {
            throw WeightsError(.malformed(detail: "tensor `\(name)`'s storage id is not ('storage', type, key, location, numel)"))
        }
        guard case .global(.storage(let dtype))? = unpickler.object(items[1]) else {
            throw WeightsError(.malformed(detail: "tensor `\(name)`'s storage type is not a torch storage class"))
        }
        let key: String
        switch items[2] {
        case .string(let text): key = text
        case .int(let number): key = String(number)
        default: throw WeightsError(.malformed(detail: "tensor `\(name)`'s storage key is a \(items[2].kindName)"))
        }
        guard case .string(let location) = items[3] else {
            throw WeightsError(.malformed(detail: "tensor `\(name)`'s storage location is not a string"))
        }
        guard case .int(let count) = items[4], count >= 0, count <= Int64(RawStorage.maxElements) else {
            throw WeightsError(.malformed(detail: "tensor `\(name)`'s storage size is not a valid element count"))
        }
        var view: (offset: Int, count: Int)?
        if items.count == 6, items[5] != .none {
            guard case .tuple(let parts)? = unpickler.object(items[5]), parts.count == 3,
                case .int(let offset) = parts[1], case .int(let size) = parts[2],
                let viewOffset = Int(exactly: offset), let viewCount = Int(exactly: size)
            else {
                throw WeightsError(.malformed(detail: "tensor `\(name)`'s storage view is not (key, offset, size)"))
            }
            view = (viewOffset, viewCount)
        }
        let info = StorageInfo(dtype: dtype, count: Int(count), location: location)
        if let known = storages[key] {
            guard known.dtype == info.dtype, known.count == info.count else {
                throw WeightsError(.malformed(detail: "storage `\(key)` is described twice differently (tensor `\(name)`)"))
            }
        } else {
            storages[key] = info
            storageKeys.append(key)
        }
        entries.append(Entry(name: name, storageKey: key, view: view, recipe: recipe))
    }

    private static func kind(_ value: PickleValue, _ unpickler: Unpickler) -> String {
        switch unpickler.object(value) {
        case .list?: return "list"
        case .tuple?: return "tuple"
        case .set?: return "set"
        case .tensor?: return "single tensor"
        case .global?, .persistentID?, .numpyDType?: return "bare object"
        case .dict?: return "dict"
        case nil: return value.kindName
        }
    }
}
