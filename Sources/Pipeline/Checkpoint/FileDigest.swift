import Foundation

/// A 64-bit FNV-1a digest of a file's bytes, in hex: enough to tell that a pipeline or weights file is
/// not the one a checkpoint was made with (it guards against mistakes, not against forgery).
enum FileDigest {
    /// The digest of the file at `url`, read in 4 MiB blocks.
    ///
    /// - Throws: `CheckpointError` naming the file when it cannot be read.
    static func of(_ url: URL) throws(CheckpointError) -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw CheckpointError("cannot read \(url.path) to compare it with the checkpoint — check that it exists and is readable")
        }
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while true {
            let read: Data?
            do {
                read = try handle.read(upToCount: 4 << 20)
            } catch {
                throw CheckpointError("cannot read \(url.path) to compare it with the checkpoint (\(error.localizedDescription)) — check that it is readable")
            }
            // Foundation answers nil or empty data at the end of the file.
            guard let block = read, !block.isEmpty else { break }
            block.withUnsafeBytes { raw in
                for byte in raw { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            }
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
