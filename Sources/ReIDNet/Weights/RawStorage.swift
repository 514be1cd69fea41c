/// A run of raw little-endian elements in a file (a PyTorch storage, or a safetensors data
/// range) and the one place where tensors are cut out of it, bounds-checked.
///
/// The elements are in memory, or left in the file, from which each tensor reads what it views when
/// it is cut out: a float32 tensor straight into its array, without a copy of the storage in between.
struct RawStorage {
    /// Largest number of elements one tensor may have: 2^31 (8 GiB of Float). Real checkpoints
    /// are far smaller; the cap keeps a corrupt shape from turning into a huge allocation.
    static let maxElements = 1 << 31

    /// Where the elements are: the file's bytes in memory (shared, not copied), or the file itself.
    enum Elements {
        case memory([UInt8])
        case file(WeightsFile)
    }

    var dtype: WeightDType
    var elements: Elements
    /// Where element 0 starts in the bytes, or in the file.
    var byteOffset: Int
    /// Number of elements; `byteOffset + count * dtype.byteWidth` is at most the size of the bytes, or
    /// of the file, as the maker checks.
    var count: Int

    /// A storage of `count` elements at `byteOffset`, or `nil` when it does not fit in `bytes`.
    init?(dtype: WeightDType, bytes: [UInt8], byteOffset: Int, count: Int) {
        guard Self.fits(dtype: dtype, byteOffset: byteOffset, count: count, in: bytes.count) else { return nil }
        self.dtype = dtype
        elements = .memory(bytes)
        self.byteOffset = byteOffset
        self.count = count
    }

    /// A storage of `count` elements at `byteOffset` of `file`, read tensor by tensor, or `nil` when it
    /// does not fit in the file.
    init?(dtype: WeightDType, file: WeightsFile, byteOffset: Int, count: Int) {
        guard Self.fits(dtype: dtype, byteOffset: byteOffset, count: count, in: file.size) else { return nil }
        self.dtype = dtype
        elements = .file(file)
        self.byteOffset = byteOffset
        self.count = count
    }

    private static func fits(dtype: WeightDType, byteOffset: Int, count: Int, in size: Int) -> Bool {
        guard byteOffset >= 0, count >= 0 else { return false }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteWidth)
        return !overflow && byteOffset <= size && bytes <= size - byteOffset
    }

    /// Elements `offset ..< offset + count` of this storage (a legacy storage view), or `nil` when they
    /// are not all in it.
    func view(offset: Int, count: Int) -> RawStorage? {
        guard offset >= 0, count >= 0, offset <= self.count, count <= self.count - offset else { return nil }
        var view = self
        view.byteOffset += offset * dtype.byteWidth
        view.count = count
        return view
    }

    /// The contiguous row-major strides of `shape`.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = step
            step = step &* max(shape[axis], 1)
        }
        return strides
    }

    /// The number of elements of `shape`, or `nil` if a dimension is negative or the product
    /// exceeds ``maxElements``.
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= maxElements else { return nil }
            total = product
        }
        return total
    }

    /// The tensor `name` that views this storage at element `offset` with `shape` and `strides`,
    /// copied out in C order and converted to `Float`.
    ///
    /// Every element index is proved in range before any is read: the largest index reached is
    /// `offset + Σ (shape[i] - 1) · strides[i]` (strides must be non-negative), and it must be
    /// below `count`.
    func tensor(name: String, offset: Int, shape: [Int], strides: [Int]) throws -> WeightTensor {
        guard shape.count == strides.count else {
            throw WeightsError(.malformed(detail: "tensor `\(name)` has shape \(shape) but strides \(strides)"))
        }
        guard let total = Self.elementCount(shape) else {
            throw WeightsError(.tensorTooLarge(tensor: name, shape: shape))
        }
        // A view may repeat elements (stride 0), but not blow a small storage up without bound.
        guard total <= max(count, 1) &* 16 else {
            throw WeightsError(.tensorTooLarge(tensor: name, shape: shape))
        }
        guard offset >= 0, strides.allSatisfy({ $0 >= 0 }) else {
            throw WeightsError(.malformed(detail: "tensor `\(name)` has a negative offset or stride"))
        }
        var last = offset
        if total > 0 {
            for (dim, step) in zip(shape, strides) {
                let (reach, overflow1) = (dim - 1).multipliedReportingOverflow(by: step)
                let (sum, overflow2) = last.addingReportingOverflow(reach)
                guard !overflow1, !overflow2 else {
                    throw WeightsError(.tensorTooLarge(tensor: name, shape: shape))
                }
                last = sum
            }
            guard last < count else {
                throw WeightsError(.storageTooSmall(tensor: name, neededElements: last + 1, storageElements: count))
            }
        }
        let contiguous = strides == Self.contiguousStrides(shape)
        switch elements {
        case .memory(let bytes):
            return decode(bytes, at: byteOffset, first: offset, total: total, shape: shape, strides: contiguous ? nil : strides)
        case .file(let file):
            let width = dtype.byteWidth
            if dtype == .float32, contiguous {
                return try Self.readFloats(from: file, at: byteOffset + offset * width, shape: shape, total: total)
            }
            // The elements the view reaches, into memory; not checked again there (a view repeating few
            // elements many times was checked against the whole storage).
            let reached = total > 0 ? last - offset + 1 : 0
            let bytes = try file.bytes(at: byteOffset + offset * width, count: reached * width)
            return decode(bytes, at: 0, first: 0, total: total, shape: shape, strides: contiguous ? nil : strides)
        }
    }

    /// A float32 tensor of `total` elements in C order at `offset` of `file`, read straight into its array.
    private static func readFloats(from file: WeightsFile, at offset: Int, shape: [Int], total: Int) throws -> WeightTensor {
        let values = try [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            if total > 0 { try file.read(at: offset, count: total * 4, into: UnsafeMutableRawPointer(buffer.baseAddress!)) }
            initialized = total
        }
        #if _endian(big)
        return WeightTensor(dtype: .float32, shape: shape, values: values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) })
        #else
        return WeightTensor(dtype: .float32, shape: shape, values: values)
        #endif
    }

    /// The `total` elements from element `first` of the storage whose element 0 is at `byteOffset` of
    /// `bytes`: in order, or along `strides` (nil: contiguous); all proved in range by the caller.
    private func decode(_ bytes: [UInt8], at byteOffset: Int, first: Int, total: Int, shape: [Int], strides: [Int]?) -> WeightTensor {
        guard let strides else { return decode(bytes, at: byteOffset, first..<(first + total), shape: shape) }
        return decode(bytes, at: byteOffset, StridedIndices(offset: first, shape: shape, strides: strides, total: total), shape: shape)
    }

    /// The elements at `indices` (all proved in range by the caller), converted, in that order.
    private func decode<Indices: Sequence<Int>>(_ bytes: [UInt8], at byteOffset: Int, _ indices: Indices, shape: [Int]) -> WeightTensor {
        let total = shape.reduce(1, *)
        var integers: [Int64]? = dtype.isFloatingPoint ? nil : []
        let values = [Float](unsafeUninitializedCapacity: total) { out, initialized in
            bytes.withUnsafeBytes { raw in
                // An empty tensor (the only one read from no bytes) has nothing to convert.
                guard let start = raw.baseAddress else {
                    initialized = 0
                    return
                }
                let base = start + byteOffset
                var next = 0
                switch dtype {
                case .float32:
                    for index in indices {
                        out[next] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self)))
                        next += 1
                    }
                case .float16:
                    for index in indices {
                        out[next] = Self.float(half: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index &* 2, as: UInt16.self)))
                        next += 1
                    }
                case .bfloat16:
                    for index in indices {
                        let bits = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index &* 2, as: UInt16.self))
                        out[next] = Float(bitPattern: UInt32(bits) << 16)
                        next += 1
                    }
                case .float64:
                    for index in indices {
                        out[next] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index &* 8, as: UInt64.self))))
                        next += 1
                    }
                case .int64, .int32, .int16, .int8, .uint8, .bool:
                    var exact = [Int64]()
                    exact.reserveCapacity(total)
                    for index in indices {
                        let value = Self.integer(dtype, at: base + index &* dtype.byteWidth)
                        exact.append(value)
                        out[next] = Float(value)
                        next += 1
                    }
                    integers = exact
                }
                initialized = next
            }
        }
        return WeightTensor(dtype: dtype, shape: shape, values: values, integers: integers)
    }

    private static func integer(_ dtype: WeightDType, at pointer: UnsafeRawPointer) -> Int64 {
        switch dtype {
        case .int64: return Int64(littleEndian: pointer.loadUnaligned(as: Int64.self))
        case .int32: return Int64(Int32(littleEndian: pointer.loadUnaligned(as: Int32.self)))
        case .int16: return Int64(Int16(littleEndian: pointer.loadUnaligned(as: Int16.self)))
        case .int8: return Int64(pointer.load(as: Int8.self))
        case .uint8: return Int64(pointer.load(as: UInt8.self))
        case .bool: return pointer.load(as: UInt8.self) == 0 ? 0 : 1
        default: return 0
        }
    }

    /// IEEE binary16 bits to `Float`, exactly (subnormals, infinities and NaN included): every
    /// `Float16` is a `Float`, so the standard library's widening loses nothing.
    static func float(half bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }
}
