import OrderedCollections

/// A Python dict or OrderedDict: insertion order kept, a repeated key overwrites in place (as Python's).
typealias PickleDict = OrderedDictionary<PickleValue, PickleValue>

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
    /// A numpy dtype such as `f8`, with its byte order (`<`, `>`, `|` or `=`) once BUILD sets it.
    case numpyDType(code: String, byteOrder: String)
}
