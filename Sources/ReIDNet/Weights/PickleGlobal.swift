/// The only Python globals a checkpoint pickle may name: containers, the tensor-rebuilding
/// functions, the storage classes, and numpy scalars (plain numbers such as `best_top1`). Anything else (`os.system`, `builtins.eval`,
/// `subprocess.Popen` ...) is refused when the GLOBAL opcode is read, before anything could call it.
///
/// Even whitelisted names are never "run": ``Unpickler`` interprets each one itself.
enum PickleGlobal: Equatable {
    /// `collections.OrderedDict`.
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2` (PyTorch >= 0.4) and `_rebuild_tensor` (older).
    case rebuildTensor(version: Int)
    /// `torch._utils._rebuild_parameter` / `_rebuild_parameter_with_state`: a parameter wrapping a tensor.
    case rebuildParameter
    /// A storage class such as `torch.FloatStorage` or `torch.cuda.HalfStorage` (GPU files load to the CPU).
    case storage(WeightDType)
    /// `numpy.dtype`: a dtype description (`'f8'`, byte order), for numpy scalars.
    case numpyDType
    /// `numpy.core.multiarray.scalar` (numpy 2: `numpy._core.multiarray.scalar`): a numpy number
    /// from its dtype and raw bytes, as open-reid style checkpoints store `best_top1`.
    case numpyScalar
    /// `_codecs.encode(text, 'latin1')`: how Python 3 pickles `bytes` at protocol 2.
    case codecsEncode

    /// The whitelisted global `module.name`.
    ///
    /// - Throws: ``WeightsError/Kind/refusedGlobal(module:name:)`` for every other name.
    init(module: String, name: String) throws {
        switch (module, name) {
        case ("collections", "OrderedDict"):
            self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"):
            self = .rebuildTensor(version: 2)
        case ("torch._utils", "_rebuild_tensor"):
            self = .rebuildTensor(version: 1)
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            self = .rebuildParameter
        case ("numpy", "dtype"):
            self = .numpyDType
        case ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"):
            self = .numpyScalar
        case ("_codecs", "encode"):
            self = .codecsEncode
        case ("torch", _), ("torch.cuda", _):
            guard let dtype = WeightDType(torchStorage: name) else { fallthrough }
            self = .storage(dtype)
        default:
            throw WeightsError(.refusedGlobal(module: module, name: name))
        }
    }
}
