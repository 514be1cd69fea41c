/// The element type a tensor had in its file. Values are always handed out as `Float`
/// (see ``WeightTensor``); integer tensors also keep their exact values.
public enum WeightDType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// IEEE single precision (`torch.FloatStorage`, safetensors `F32`).
    case float32
    /// IEEE half precision (`HalfStorage`, `F16`); converts to `Float` exactly.
    case float16
    /// bfloat16 (`BFloat16Storage`, `BF16`); converts to `Float` exactly.
    case bfloat16
    /// IEEE double precision (`DoubleStorage`, `F64`); rounds to the nearest `Float`.
    case float64
    /// 64-bit signed integer (`LongStorage`, `I64`), e.g. `num_batches_tracked`.
    case int64
    /// 32-bit signed integer (`IntStorage`, `I32`).
    case int32
    /// 16-bit signed integer (`ShortStorage`, `I16`).
    case int16
    /// 8-bit signed integer (`CharStorage`, `I8`).
    case int8
    /// 8-bit unsigned integer (`ByteStorage`, `U8`).
    case uint8
    /// Boolean, one byte (`BoolStorage`, `BOOL`); 0 or 1.
    case bool

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
