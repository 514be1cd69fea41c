import Foundation

/// A weights file open for reading, whose byte ranges are read on demand: a safetensors tensor goes
/// from the page cache straight into its array, without a copy of the whole file in between.
final class WeightsFile {
    /// The file's path, for errors.
    let path: String
    /// The file's size in bytes, when it was opened.
    let size: Int
    private let descriptor: Int32

    /// Opens the regular file at `path`.
    ///
    /// - Throws: ``WeightsError/Kind/unreadable(reason:)`` naming the file and the system's reason.
    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("cannot open", path: path) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let error = Self.failure("cannot stat", path: path)
            close(descriptor)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw WeightsError(.unreadable(reason: "not a regular file"), path: path)
        }
        self.descriptor = descriptor
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// Reads bytes `offset..<offset + count` into `destination`, which has room for them.
    ///
    /// - Throws: ``WeightsError/Kind/unreadable(reason:)`` when the read fails or the file has shrunk
    ///   since it was opened.
    func read(at offset: Int, count: Int, into destination: UnsafeMutableRawPointer) throws {
        var done = 0
        while done < count {
            let n = pread(descriptor, destination + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw n < 0 ? Self.failure("cannot read", path: path)
                    : WeightsError(.unreadable(reason: "the file shrank while it was read"), path: path)
            }
            done += n
        }
    }

    /// Bytes `offset..<offset + count` as an array.
    func bytes(at offset: Int, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(at: offset, count: count, into: UnsafeMutableRawPointer(buffer.baseAddress!))
            initialized = count
        }
    }

    private static func failure(_ what: String, path: String) -> WeightsError {
        WeightsError(.unreadable(reason: "\(what): \(String(cString: strerror(errno)))"), path: path)
    }
}
