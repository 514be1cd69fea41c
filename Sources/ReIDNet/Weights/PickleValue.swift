/// A Python value read from a pickle by ``Unpickler``.
///
/// Containers are not nested in the value: they live in the unpickler's arena and a value refers
/// to one by index (`.object`). So however deeply a hostile pickle nests lists, freeing or walking
/// the result never recurses.
enum PickleValue: Hashable {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer too large for 64 bits: its little-endian two's-complement bytes, as LONG1/LONG4 store them.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// The arena object at this index.
    case object(Int)

    /// A short description for error messages.
    var kindName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .object: return "object"
        }
    }

    /// The value as text, for checkpoint metadata such as `epoch` and `best_top1`; `nil` for objects.
    var scalarText: String? {
        switch self {
        case .none: return "None"
        case .bool(let value): return value ? "True" : "False"
        case .int(let value): return String(value)
        case .float(let value): return String(value)
        case .string(let value): return value
        case .bigInt, .bytes, .object: return nil
        }
    }
}

/// A container or callable built while unpickling; referred to by ``PickleValue/object(_:)``.
enum PickleObject {
    case list([PickleValue])
    case tuple([PickleValue])
    case dict(PickleDict)
    case set([PickleValue])
    /// A whitelisted global (a class or function), pushed by GLOBAL / STACK_GLOBAL.
    case global(PickleGlobal)
    /// The result of a persistent-id opcode: PyTorch's storage reference, interpreted later.
    case persistentID(PickleValue)
    /// A tensor, as `_rebuild_tensor_v2` would have built it (not yet read from its storage).
    case tensor(TensorRecipe)
}

/// A Python dict or OrderedDict, keeping insertion order.
struct PickleDict {
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var index: [PickleValue: Int] = [:]

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        if let at = index[key] {
            values[at] = value
        } else {
            index[key] = keys.count
            keys.append(key)
            values.append(value)
        }
    }

    subscript(key: PickleValue) -> PickleValue? {
        index[key].map { values[$0] }
    }

    var count: Int { keys.count }
}

/// A tensor's view of a storage: `_rebuild_tensor_v2(storage, offset, size, stride, ...)`'s arguments.
struct TensorRecipe {
    /// The persistent-id object naming the storage.
    var storage: PickleValue
    var offset: Int
    var shape: [Int]
    var strides: [Int]
}
