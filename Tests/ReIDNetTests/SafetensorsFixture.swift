import Foundation
import ReIDNet

/// Reads a safetensors file the peer wrote into a ``TensorDictionary`` (float32 tensors, `module.` and
/// `base.` prefixes stripped) — the tests' own small reader, independent of the product's loaders.
enum SafetensorsFixture {
    static func load(_ url: URL) throws -> TensorDictionary {
        let data = try Data(contentsOf: url)
        let length = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + Int(length)))) as! [String: Any]
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        let base = 8 + Int(length)
        for (name, entry) in header where name != "__metadata__" {
            let e = entry as! [String: Any]
            guard e["dtype"] as? String == "F32" else { continue }
            let shape = e["shape"] as! [Int]
            let offsets = e["data_offsets"] as! [Int]
            let bytes = data.subdata(in: (base + offsets[0])..<(base + offsets[1]))
            let values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            var key = name
            for prefix in ["module.", "base."] where key.hasPrefix(prefix) { key.removeFirst(prefix.count) }
            tensors[key] = (shape, values)
        }
        return TensorDictionary(tensors)
    }
}
