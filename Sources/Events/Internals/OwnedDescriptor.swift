/// An open file descriptor owned by exactly one object, closed in `deinit` if not closed before.
///
/// - Note: Not thread-safe; its owner serializes access (the writer under its lock, readers on one task).
final class OwnedDescriptor {
    /// The descriptor, or nil once closed.
    private(set) var fd: Int32?
    /// False for standard output: closing the writer must not close the process's stdout.
    private let closesOnRelease: Bool

    /// Takes ownership of `fd`; `closesOnRelease: false` borrows it instead (standard output).
    init(_ fd: Int32, closesOnRelease: Bool = true) {
        self.fd = fd
        self.closesOnRelease = closesOnRelease
    }

    /// Closes the descriptor now (once); a borrowed one is only forgotten.
    func close() throws(SystemCallError) {
        guard let open = fd else { return }
        fd = nil
        if closesOnRelease { try Syscalls.closeFile(open) }
    }

    deinit {
        if let fd, closesOnRelease { try? Syscalls.closeFile(fd) }
    }
}
