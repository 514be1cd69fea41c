import Foundation

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
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kb = Int(parts[1]) else { return nil }
            return kb * 1024
        }
        return nil
    }
}
