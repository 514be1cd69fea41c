/// The element type a tensor had in its file. Values are always handed out as `Float`
/// (see ``WeightTensor``); integer tensors also keep their exact values.
public enum WeightDType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32, float16, bfloat16, float64
    case int64, int32, int16, int8, uint8, bool

    /// Bytes per element in the file.
    public var byteWidth: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// Whether the stored values are floating point (converted to `Float`, exactly for fp16/bf16).
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64: return true
        default: return false
        }
    }

    /// The name printed by `panoptes inspect` (PyTorch's spelling).
    public var description: String { rawValue }

    /// The dtype of a PyTorch storage class name such as `FloatStorage` or `LongStorage`.
    init?(torchStorage name: String) {
        switch name {
        case "FloatStorage": self = .float32
        case "HalfStorage": self = .float16
        case "BFloat16Storage": self = .bfloat16
        case "DoubleStorage": self = .float64
        case "LongStorage": self = .int64
        case "IntStorage": self = .int32
        case "ShortStorage": self = .int16
        case "CharStorage": self = .int8
        case "ByteStorage": self = .uint8
        case "BoolStorage": self = .bool
        default: return nil
        }
    }

    /// The dtype of a safetensors header `dtype` string such as `F32` or `BF16`.
    init?(safetensors name: String) {
        switch name {
        case "F32": self = .float32
        case "F16": self = .float16
        case "BF16": self = .bfloat16
        case "F64": self = .float64
        case "I64": self = .int64
        case "I32": self = .int32
        case "I16": self = .int16
        case "I8": self = .int8
        case "U8": self = .uint8
        case "BOOL": self = .bool
        default: return nil
        }
    }
}
