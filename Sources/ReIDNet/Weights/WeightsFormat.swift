/// The on-disk layout of a weights file, as sniffed from its first bytes by ``WeightsLoader``.
public enum WeightsFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Hugging Face safetensors: an 8-byte little-endian header length, a JSON header, raw data.
    case safetensors
    /// PyTorch >= 1.6 `torch.save`: a zip archive holding `<name>/data.pkl` and `<name>/data/<key>`.
    case pytorchZip = "pytorch-zip"
    /// PyTorch <= 1.5 `torch.save`: magic number, protocol, system info, object pickle, raw storages.
    case pytorchLegacy = "pytorch-legacy"

    /// The name `panoptes inspect` prints.
    public var description: String {
        switch self {
        case .safetensors: return "safetensors"
        case .pytorchZip: return "PyTorch zip (torch.save, PyTorch >= 1.6)"
        case .pytorchLegacy: return "PyTorch legacy (torch.save, PyTorch <= 1.5)"
        }
    }
}
