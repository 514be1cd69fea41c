internal import CKernels
import Foundation

/// How a process that loads a network and embeds gets its memory: mapped ahead in bulk, and reused once
/// freed, instead of faulted in page by page.
///
/// Each first write to a page stops for the kernel to map it: about 2 µs a page on a two-core KVM guest,
/// where `panoptes embed` of 96 MobileNetV2 crops faulted 14,000 pages, 28 ms of its 240: the tensors
/// read from the checkpoint, BatchNorm's folded copies and the packed weights while loading, then the
/// input and the workspace in the first batch. `MADV_POPULATE_WRITE` maps a range in one call in about
/// half that time, and memory the allocator keeps once freed (the checkpoint's tensors, dropped once the
/// network is built) maps nothing again.
public enum ProcessMemory {
    /// Makes the allocator keep the memory the process frees for its next allocations: blocks of up to
    /// 32 MiB come from its heap, which it never trims, and a heap that grows grows 16 MiB past the
    /// request, so that a thread's allocations seldom wait for a prefault's hold on the mappings (glibc;
    /// a no-op elsewhere). For short commands that free only to allocate as much again, not for
    /// long-running ones whose use varies.
    /// - Returns: whether the allocator took the settings.
    @discardableResult
    public static func keepFreedMemory() -> Bool {
        ck_keep_freed_memory() == 1
    }

    /// Maps ahead the memory that loading the weights file at `url` and building a network from it take:
    /// twice the file (its tensors as read, then the network's own copies), in heap blocks that a thread
    /// of its own maps while the caller loads. Call after ``keepFreedMemory()``, which keeps it for those
    /// allocations; an unreadable file reserves nothing (loading it reports why).
    ///
    /// One block of twice ResNet-50's 105 MB was past the allocator's 32 MiB threshold: a mapping of its
    /// own, mapped for 95 ms and then unmapped by `free`. Mapped meanwhile instead, `embed` of 96 crops
    /// took 5.37 s instead of 5.55 (alternating whole processes); MobileNetV2's 18 MB were as fast either way.
    public static func reserve(forLoading url: URL) {
        var info = stat()
        guard stat(url.path, &info) == 0, info.st_size > 0 else { return }
        ck_reserve_heap(2 * Int(info.st_size))
    }

    /// Has the kernel map every whole page of `buffer` now, in one call; its contents are kept.
    public static func prefault(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        ck_prefault(base, buffer.count)
    }
}
