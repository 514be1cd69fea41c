import Foundation

/// Reads a safetensors file: an 8-byte little-endian header length N, N bytes of JSON mapping
/// each name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the end
/// of the header), optional `__metadata__` strings, then the raw little-endian data.
///
/// Only the header is read whole; each float32 tensor is then read from the file straight into its
/// array (for ResNet-50, a 100 MB copy of the file fewer at every load).
enum SafetensorsReader {
    /// The largest header accepted (the format's own reference limit is 100 MB).
    static let maxHeaderBytes = 100_000_000

    static func read(_ file: WeightsFile) throws -> StateDict {
        var lengthReader = ByteReader(try file.bytes(at: 0, count: min(file.size, 8)))
        let headerLength = try lengthReader.unsignedLE(8, "the safetensors header length")
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw WeightsError(.malformed(detail: "safetensors header length \(headerLength) exceeds 100 MB"))
        }
        guard Int(headerLength) <= file.size - 8 else {
            throw WeightsError(.truncated(what: "the safetensors JSON header", offset: 8))
        }
        let header = try file.bytes(at: 8, count: Int(headerLength))
        let dataStart = 8 + header.count
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(header))
        } catch {
            throw WeightsError(.malformed(detail: "the safetensors header is not valid JSON (\(error.localizedDescription))"))
        }
        guard let entries = json as? [String: Any] else {
            throw WeightsError(.malformed(detail: "the safetensors header is not a JSON object"))
        }
        var metadata: [String: String] = [:]
        var found: [(name: String, begin: Int, end: Int, dtype: WeightDType, shape: [Int])] = []
        for (name, value) in entries {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw WeightsError(.malformed(detail: "safetensors `__metadata__` is not an object"))
                }
                for (key, item) in map { metadata[key] = "\(item)" }
                continue
            }
            guard let entry = value as? [String: Any] else {
                throw WeightsError(.malformed(detail: "safetensors entry `\(name)` is not an object"))
            }
            guard let dtypeName = entry["dtype"] as? String else {
                throw WeightsError(.malformed(detail: "safetensors entry `\(name)` has no `dtype`"))
            }
            guard let dtype = WeightDType(safetensors: dtypeName) else {
                throw WeightsError(.unsupportedDType(dtype: dtypeName, tensor: name))
            }
            guard let shape = integers(entry["shape"]) else {
                throw WeightsError(.malformed(detail: "safetensors entry `\(name)` has no integer `shape` list"))
            }
            guard let offsets = integers(entry["data_offsets"]), offsets.count == 2 else {
                throw WeightsError(.malformed(detail: "safetensors entry `\(name)` has no `data_offsets` pair"))
            }
            found.append((name, offsets[0], offsets[1], dtype, shape))
        }
        // File order is data order; JSON objects have none.
        found.sort { ($0.begin, $0.name) < ($1.begin, $1.name) }
        let dataLength = file.size - dataStart
        var tensors: [(name: String, tensor: WeightTensor)] = []
        tensors.reserveCapacity(found.count)
        for item in found {
            guard let count = RawStorage.elementCount(item.shape) else {
                throw WeightsError(.tensorTooLarge(tensor: item.name, shape: item.shape))
            }
            guard item.begin >= 0, item.begin <= item.end else {
                throw WeightsError(.malformed(detail: "safetensors entry `\(item.name)` has data_offsets [\(item.begin), \(item.end)]"))
            }
            guard item.end <= dataLength else {
                throw WeightsError(.truncated(what: "the data of tensor `\(item.name)`", offset: file.size))
            }
            let needed = count * item.dtype.byteWidth
            guard item.end - item.begin == needed else {
                throw WeightsError(.storageTooSmall(
                    tensor: item.name, neededElements: count,
                    storageElements: (item.end - item.begin) / item.dtype.byteWidth))
            }
            tensors.append((item.name, try tensor(item.name, dtype: item.dtype, shape: item.shape, count: count,
                                                  at: dataStart + item.begin, in: file)))
        }
        return try StateDict(format: .safetensors, path: file.path, tensors: tensors, metadata: metadata)
    }

    /// The tensor of `count` elements stored at `offset`, read from the file as ``RawStorage`` reads
    /// one: float32 straight into its array, other dtypes through a copy of their bytes.
    private static func tensor(
        _ name: String, dtype: WeightDType, shape: [Int], count: Int, at offset: Int, in file: WeightsFile
    ) throws -> WeightTensor {
        guard let storage = RawStorage(dtype: dtype, file: file, byteOffset: offset, count: count) else {
            throw WeightsError(.truncated(what: "the data of tensor `\(name)`", offset: file.size))
        }
        return try storage.tensor(name: name, offset: 0, shape: shape, strides: RawStorage.contiguousStrides(shape))
    }

    /// A JSON array of non-negative integers, or `nil`.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in array {
            guard let number = item as? NSNumber else { return nil }
            let value = number.int64Value
            guard value >= 0, Double(value) == number.doubleValue else { return nil }
            result.append(Int(value))
        }
        return result
    }
}
