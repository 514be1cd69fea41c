import Foundation
import Glibc

/// The process's resident memory as Linux reports it in `/proc/self/status`: the one place every
/// benchmark and memory test reads it from (unlike getrusage's `ru_maxrss`, the peak can be reset
/// between cases).
public enum ResidentMemory {
    /// Peak resident set size so far (`VmHWM`, and never below `currentBytes()`), in bytes; nil where
    /// `/proc` is not available.
    public static func peakBytes() -> Int? {
        guard let peak = field("VmHWM:", in: "/proc/self/status") else { return nil }
        return max(peak, currentBytes() ?? 0)
    }

    /// Current resident set size, in bytes: `Rss` of `/proc/self/smaps_rollup`, which the kernel counts
    /// from the page tables when asked, or else `VmRSS` of `/proc/self/status`. Since Linux 6.2 `VmRSS`
    /// comes from per-CPU counters that may not yet include the last pages touched: a test saw a fresh
    /// 64 MiB block not show up in it at all.
    public static func currentBytes() -> Int? {
        field("Rss:", in: "/proc/self/smaps_rollup") ?? field("VmRSS:", in: "/proc/self/status")
    }

    /// Resets the peak to the current size (writes `5` to `/proc/self/clear_refs`, Linux ≥ 4.0), so two
    /// measurements in one process each get their own peak. Returns false when the kernel refuses.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)); return true } catch { return false }
    }

    private static func field(_ name: String, in path: String) -> Int? {
        guard let text = read(path) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kb = Int(parts[1]) else { return nil }
            return kb * 1024
        }
        return nil
    }

    /// The whole of a `/proc` file, read with `read(2)` until its end (its size says 0); a failed read
    /// starts the file again, up to three times: `smaps_rollup` walks the page tables under the memory
    /// map's lock, and in a busy test process a single read of it was seen to fail, which left the
    /// lagging `VmRSS`.
    private static func read(_ path: String) -> String? {
        attempts: for _ in 0..<3 {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 { continue attempts }
                if n == 0 { return String(decoding: bytes, as: UTF8.self) }
                bytes += chunk[..<n]
            }
        }
        return nil
    }
}
