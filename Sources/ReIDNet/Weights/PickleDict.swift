/// A Python dict or OrderedDict, keeping insertion order.
struct PickleDict {
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var index: [PickleValue: Int] = [:]

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        if let at = index[key] {
            values[at] = value
        } else {
            index[key] = keys.count
            keys.append(key)
            values.append(value)
        }
    }

    subscript(key: PickleValue) -> PickleValue? {
        index[key].map { values[$0] }
    }

    var count: Int { keys.count }
}
