import Foundation
import TestSupport
import YAMLLite

/// PyYAML's `safe_load` as the judge: many documents per Python run (`Tests/Peers/yamllite_pyyaml.py`).
enum PyYAMLPeer {
    /// What PyYAML made of one document.
    enum Outcome: Equatable {
        /// It loaded to this value (string keys only).
        case value(YAMLValue)
        /// It loaded to something YAML-lite cannot hold: a date, a non-string key ...; the text describes it.
        case foreign(String)
        /// It refused the document.
        case error(String)
    }

    /// Loads every document with PyYAML in one peer call.
    static func load(_ documents: [String]) throws -> [Outcome] {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("documents.json")
        try JSONSerialization.data(withJSONObject: documents).write(to: input)
        let result = try runPeer("yamllite_pyyaml.py", [input.path])
        guard let list = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]],
              list.count == documents.count else {
            throw Foreign(description: "yamllite_pyyaml.py printed an unexpected answer: \(result.stdoutText.prefix(500))")
        }
        return list.map { entry in
            if let message = entry["error"] as? String { return .error(message) }
            do {
                return .value(try value(entry["ok"]))
            } catch {
                return .foreign("\(error)")
            }
        }
    }

    private struct Foreign: Error, CustomStringConvertible { var description: String }

    private static func value(_ tagged: Any?) throws -> YAMLValue {
        guard let tagged = tagged as? [String: Any], let t = tagged["t"] as? String else {
            throw Foreign(description: "untagged \(String(describing: tagged))")
        }
        let v = tagged["v"]
        switch t {
        case "null": return .null
        case "bool": return .bool((v as? Bool) ?? false)
        case "int":
            guard let text = v as? String, let i = Int(text) else { throw Foreign(description: "int \(v ?? "")") }
            return .int(i)
        case "float":
            guard let text = v as? String, let d = Double(text) else { throw Foreign(description: "float \(v ?? "")") }
            return .double(d)
        case "str": return .string((v as? String) ?? "")
        case "seq": return .sequence(try ((v as? [Any]) ?? []).map(value))
        case "map":
            return .mapping(try ((v as? [[Any]]) ?? []).map { pair in
                guard case .string(let key) = try value(pair[0]) else { throw Foreign(description: "non-string key \(pair[0])") }
                return YAMLValue.Entry(key: key, value: try value(pair[1]))
            })
        default:
            throw Foreign(description: "\(t) \(v ?? "")")
        }
    }
}

/// Ours, as an outcome comparable with PyYAML's.
func parseOutcome(_ text: String) -> Result<YAMLValue, YAMLLiteError> {
    Result { () throws(YAMLLiteError) -> YAMLValue in try YAMLLiteDocument.parse(text, file: "doc.yaml").value }
}
