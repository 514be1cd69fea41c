#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Every call into the C library made by Events goes through this file (as swift-system's Syscalls.swift
// does): a failing call becomes a `SystemCallError` carrying its errno right here, and the owner types
// (`OwnedDescriptor`, `JSONLEventWriter`, `EventReader`, `EventFollower`) call these functions only.

/// A C library call that failed, with the `errno` it left.
struct SystemCallError: Error {
    /// The `errno` value (`ENOENT`, `ENOSPC` ...).
    let code: Int32

    /// The C library's message for the code (wraps `strerror`).
    var message: String { String(cString: strerror(code)) }
    /// `ENOENT`: the path names nothing.
    var isNoSuchFile: Bool { code == ENOENT }
}

/// What `fstat`/`stat` say about a file: which file it is and how long it is.
struct FileStatus: Equatable {
    /// `st_dev`.
    let device: UInt64
    /// `st_ino`.
    let inode: UInt64
    /// `st_size` in bytes.
    let size: Int
    /// `S_ISREG(st_mode)`: a regular file (not a pipe, terminal or socket).
    let isRegularFile: Bool
    /// `S_ISFIFO(st_mode)`: a named pipe.
    let isFIFO: Bool

    /// True when `other` is the same file (same device and inode), whatever its size now.
    func isSameFile(as other: FileStatus) -> Bool { device == other.device && inode == other.inode }

    init(_ raw: stat) {
        device = UInt64(raw.st_dev)
        inode = UInt64(raw.st_ino)
        size = Int(raw.st_size)
        isRegularFile = (raw.st_mode & S_IFMT) == S_IFREG
        isFIFO = (raw.st_mode & S_IFMT) == S_IFIFO
    }
}

/// Namespace of the thin wrappers over the C library's file calls.
enum Syscalls {
    /// `O_WRONLY | O_CREAT | O_APPEND`: every `write` lands at the end, positioned atomically.
    static let appendFlags: Int32 = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC
    /// `O_RDONLY`.
    static let readFlags: Int32 = O_RDONLY | O_CLOEXEC
    /// `0644`: the owner writes, everyone reads (a log others follow).
    static let logMode: mode_t = 0o644
    /// Standard output's descriptor (`STDOUT_FILENO`).
    static let standardOutput: Int32 = STDOUT_FILENO

    /// Opens `path` (wraps `open(2)`, retried on `EINTR`); the caller owns the descriptor.
    static func openFile(_ path: String, flags: Int32, mode: mode_t = 0) throws(SystemCallError) -> Int32 {
        while true {
            let fd = open(path, flags, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw SystemCallError(code: errno) }
        }
    }

    /// Writes up to `buffer.count` bytes once (wraps `write(2)`, retried on `EINTR`); returns the count
    /// written, which may be short.
    static func writeOnce(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemCallError) -> Int {
        while true {
            let n = write(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw SystemCallError(code: errno) }
        }
    }

    /// Reads up to `buffer.count` bytes (wraps `read(2)`, retried on `EINTR`); 0 means end of file.
    static func readOnce(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int {
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw SystemCallError(code: errno) }
        }
    }

    /// Flushes the file's data and metadata to the disk (wraps `fsync(2)`).
    static func sync(_ fd: Int32) throws(SystemCallError) {
        while fsync(fd) != 0 {
            if errno != EINTR { throw SystemCallError(code: errno) }
        }
    }

    /// Closes `fd` (wraps `close(2)`). Not retried on `EINTR`: Linux has released the descriptor by then.
    static func closeFile(_ fd: Int32) throws(SystemCallError) {
        if close(fd) != 0, errno != EINTR { throw SystemCallError(code: errno) }
    }

    /// The descriptor's current offset (wraps `lseek(fd, 0, SEEK_CUR)`); after an `O_APPEND` write
    /// that is the end of the bytes just written.
    static func currentOffset(_ fd: Int32) throws(SystemCallError) -> Int {
        let offset = lseek(fd, 0, SEEK_CUR)
        guard offset >= 0 else { throw SystemCallError(code: errno) }
        return Int(offset)
    }

    /// Moves the descriptor's offset to `offset` bytes from the start (wraps `lseek(fd, offset, SEEK_SET)`).
    static func seek(_ fd: Int32, to offset: Int) throws(SystemCallError) {
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw SystemCallError(code: errno) }
    }

    /// Reads one byte at `offset` without moving the offset (wraps `pread(2)`); nil past the end.
    static func byte(_ fd: Int32, at offset: Int) throws(SystemCallError) -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let n = pread(fd, &byte, 1, off_t(offset))
            if n == 1 { return byte }
            if n == 0 { return nil }
            if errno != EINTR { throw SystemCallError(code: errno) }
        }
    }

    /// Waits until `fd` has data to read (or an end), at most `milliseconds` (wraps `poll(2)`).
    static func waitReadable(_ fd: Int32, milliseconds: Int) {
        var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&request, 1, Int32(milliseconds))
    }

    /// The open file's status (wraps `fstat(2)`).
    static func status(_ fd: Int32) throws(SystemCallError) -> FileStatus {
        var raw = stat()
        guard fstat(fd, &raw) == 0 else { throw SystemCallError(code: errno) }
        return FileStatus(raw)
    }

    /// The status of the file `path` names now (wraps `stat(2)`); nil when nothing has that name.
    static func status(path: String) throws(SystemCallError) -> FileStatus? {
        var raw = stat()
        guard stat(path, &raw) == 0 else {
            if errno == ENOENT { return nil }
            throw SystemCallError(code: errno)
        }
        return FileStatus(raw)
    }

    /// Seconds on the monotonic clock (wraps `clock_gettime(CLOCK_MONOTONIC)`), for fsync intervals.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }
}
