/// A weights file could not be read, or does not hold the tensors a model needs.
///
/// The ``description`` is what the user reads: it names the file, the tensor key or byte offset,
/// what is wrong and what to do.
public struct WeightsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, with the details a caller may match on.
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or read (the system's message).
        case unreadable(reason: String)
        /// The first bytes match none of the supported formats.
        case unknownFormat(firstBytes: String)
        /// The file ends before `what` is complete (a truncated download or copy).
        case truncated(what: String, offset: Int)
        /// The file's structure is wrong in a way `detail` describes.
        case malformed(detail: String)
        /// The pickle names a Python global outside the whitelist; nothing was run.
        case refusedGlobal(module: String, name: String)
        /// The pickle uses an opcode that a tensor checkpoint never needs.
        case unsupportedOpcode(opcode: UInt8, offset: Int)
        /// A tensor's element type is not one Panoptes reads.
        case unsupportedDType(dtype: String, tensor: String)
        /// A tensor reaches past the end of its storage.
        case storageTooSmall(tensor: String, neededElements: Int, storageElements: Int)
        /// A tensor's shape asks for more elements than any checkpoint holds.
        case tensorTooLarge(tensor: String, shape: [Int])
        /// Two stored names map to the same key once `module.` is removed.
        case duplicateTensor(key: String)
        /// A model asked for a tensor the file does not hold (with its `module.`/`base.` variants).
        case missingTensor(key: String, expectedShape: [Int]?)
        /// A model asked for a tensor whose stored shape differs from the one it needs.
        case shapeMismatch(key: String, storedName: String, expected: [Int], actual: [Int])
    }

    /// What went wrong.
    public var kind: Kind
    /// The weights file, when known.
    public var path: String?

    /// An error of `kind` about the file at `path`.
    public init(_ kind: Kind, path: String? = nil) {
        self.kind = kind
        self.path = path
    }

    /// The same error, naming `path` if it named no file yet.
    func at(_ path: String) -> WeightsError {
        var copy = self
        if copy.path == nil { copy.path = path }
        return copy
    }

    /// The message for the user: file, what is wrong, what to do.
    public var description: String {
        let file = path.map { "\($0): " } ?? ""
        return file + message
    }

    private var message: String {
        switch kind {
        case .unreadable(let reason):
            return "cannot read the weights file: \(reason). Check the path and its permissions."
        case .unknownFormat(let firstBytes):
            return "not a weights file Panoptes knows (first bytes \(firstBytes)); expected safetensors, "
                + "a PyTorch zip checkpoint (>= 1.6) or a legacy PyTorch checkpoint (<= 1.5)."
        case .truncated(let what, let offset):
            return "the file ends inside \(what) (at byte \(offset)); it is truncated: download or copy it again."
        case .malformed(let detail):
            return "malformed checkpoint: \(detail)."
        case .refusedGlobal(let module, let name):
            return "refused to load: the pickle calls `\(module).\(name)`, which is not a tensor-rebuilding "
                + "function. Nothing was run. Only load checkpoints from sources you trust; re-save the "
                + "state_dict alone (or as safetensors) if this file is yours."
        case .unsupportedOpcode(let opcode, let offset):
            let hex = String(opcode, radix: 16)
            return "pickle opcode 0x\(hex) at byte \(offset) is not used by tensor checkpoints and is refused."
        case .unsupportedDType(let dtype, let tensor):
            return "tensor `\(tensor)` has element type \(dtype), which Panoptes does not read; "
                + "convert it to float32, float16, bfloat16 or float64."
        case .storageTooSmall(let tensor, let needed, let available):
            return "tensor `\(tensor)` needs \(needed) elements of its storage but the storage holds "
                + "only \(available); the file is corrupt."
        case .tensorTooLarge(let tensor, let shape):
            return "tensor `\(tensor)` has shape \(shape), more elements than a checkpoint can hold; "
                + "the file is corrupt."
        case .duplicateTensor(let key):
            return "two tensors are named `\(key)` once the `module.` prefix is removed; keep one of them."
        case .missingTensor(let key, let expected):
            let shape = expected.map { " (expected shape \($0))" } ?? ""
            return "the weights have no tensor `\(key)`\(shape), nor `base.`/`module.` variants of it; "
                + "are these weights for this model? `panoptes inspect` lists what the file holds."
        case .shapeMismatch(let key, let storedName, let expected, let actual):
            let stored = storedName == key ? "" : " (stored as `\(storedName)`)"
            return "tensor `\(key)`\(stored) has shape \(actual) but the model needs \(expected); "
                + "are these weights for this model and input size?"
        }
    }
}
