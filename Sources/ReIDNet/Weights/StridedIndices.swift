/// The storage indices a strided view visits, in C order.
struct StridedIndices: Sequence, IteratorProtocol {
    let shape: [Int]
    let strides: [Int]
    var counter: [Int]
    var current: Int
    var left: Int

    init(offset: Int, shape: [Int], strides: [Int], total: Int) {
        self.shape = shape
        self.strides = strides
        counter = [Int](repeating: 0, count: shape.count)
        current = offset
        left = total
    }

    mutating func next() -> Int? {
        guard left > 0 else { return nil }
        left -= 1
        let result = current
        var axis = shape.count - 1
        while axis >= 0 {
            counter[axis] += 1
            current += strides[axis]
            if counter[axis] < shape[axis] { break }
            current -= strides[axis] * shape[axis]
            counter[axis] = 0
            axis -= 1
        }
        return result
    }
}
