extension YAMLNode {
    /// The node at `codingPath` below this one: integer keys index sequences, string keys look up mappings.
    func node(at codingPath: [any CodingKey]) -> YAMLNode? {
        var node = self
        for key in codingPath {
            switch node.kind {
            case .sequence(let items):
                guard let i = key.intValue, items.indices.contains(i) else { return nil }
                node = items[i]
            case .mapping(let entries):
                guard let entry = entries.first(where: { $0.key == key.stringValue }) else { return nil }
                node = entry.value
            default:
                return nil
            }
        }
        return node
    }

    /// The deepest node along `codingPath` that exists (the node itself when nothing matches).
    func deepestNode(along codingPath: [any CodingKey]) -> YAMLNode {
        var path = codingPath
        while !path.isEmpty {
            if let found = node(at: path) { return found }
            path.removeLast()
        }
        return self
    }
}
