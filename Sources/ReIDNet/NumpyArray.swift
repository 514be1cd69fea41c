import Foundation

/// A float32 array in NumPy's `.npy` format (version 1.0, little-endian `<f4`, C order).
public struct NumpyArray: Sendable, Equatable {
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Values in C (row-major) order.
    public var values: [Float]

    /// Wraps `values`; their count must be the product of `shape`.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "NumpyArray: \(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// The file's bytes: magic, version 1.0, a header padded to a multiple of 64 bytes, the data.
    public func encoded() -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        return data
    }

    /// Writes the array to the `.npy` file at `url`, created or truncated, as `numpy.save` does: without
    /// waiting for the disk (`Data.write(to:)` fsynced: 0.8 ms of `panoptes embed` on a virtual disk, a
    /// disk round trip on a real one, for a file any run writes again).
    ///
    /// - Throws: `POSIXError` when the file cannot be opened or written.
    public func write(to url: URL) throws {
        // stdio ("e": close on exec) writes it whole, through partial writes and interruptions.
        guard let file = fopen(url.path, "wbe") else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let written = encoded().withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) == $0.count }
        let writeError = errno
        let closed = fclose(file) == 0
        guard written && closed else { throw POSIXError(POSIXErrorCode(rawValue: written ? errno : writeError) ?? .EIO) }
    }

    /// Reads the `.npy` float32 C-order array file at `url`.
    ///
    /// - Throws: ``ModelError`` naming the file and what is wrong with it.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError(.badArrayFile(detail: "cannot read it (\(error.localizedDescription))"), path: url.path)
        }
        do { self = try NumpyArray(npy: data) } catch var error as ModelError {
            error.path = url.path
            throw error
        }
    }

    /// Reads a `.npy` float32 C-order array (versions 1.0–3.0) from memory.
    ///
    /// - Throws: ``ModelError`` saying what is wrong with the header.
    public init(npy data: Data) throws {
        func bad(_ detail: String) -> ModelError { ModelError(.badArrayFile(detail: detail)) }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw bad("not a .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw bad(".npy header is truncated") }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let start = 8 + lengthBytes
        guard bytes.count >= start + headerLength else { throw bad(".npy header is truncated") }
        let header = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '<f4'") else { throw bad(".npy dtype is not little-endian float32 ('<f4'): \(header)") }
        guard header.contains("'fortran_order': False") else { throw bad(".npy array is in Fortran order") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw bad(".npy header has no shape: \(header)")
        }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let dataStart = start + headerLength
        guard bytes.count - dataStart == count * 4 else {
            throw bad(".npy holds \(bytes.count - dataStart) data bytes, shape \(shape) needs \(count * 4)")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[dataStart...])) }
        }
        self.init(shape: shape, values: values)
    }
}
