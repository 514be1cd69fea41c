import Foundation
import Synchronization
import VideoIO

/// Image files decoded in order on a thread of their own while the caller does other work: `panoptes
/// embed` builds its network meanwhile, and its first batches then wait for no decoding.
///
/// FFmpeg's libraries, when the images need them (PNG files do not), load first, on the calling thread,
/// before the decoding thread starts. Loaded beside other work of this process, their hundred-odd
/// `mprotect` calls each interrupted the other core (a TLB shootdown IPI, slow in a virtual machine), and
/// the two took as long as one after the other.
public final class ImageDecodingAhead: Sendable {
    private let decoded = Mutex<[Result<Frame, VideoError>]>([])
    private let stopping = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    /// Loads the libraries `paths` need, then starts decoding them in order on a new thread, until ``finish()``.
    public init(paths: [String]) {
        ImageDecoder.loadLibraries(forDecoding: paths)
        Thread.detachNewThread { [self] in
            defer { stopped.signal() }
            for path in paths {
                guard !stopping.load(ordering: .relaxed) else { return }
                let result = Result { () throws(VideoError) -> Frame in try ImageDecoder.decode(path: path) }
                decoded.withLock { $0.append(result) }
            }
        }
    }

    /// Stops the decoding after the image it is on and returns what it decoded: the first images' results
    /// (a frame, or the error naming the image), in order, as many as it finished.
    public func finish() -> [Result<Frame, VideoError>] {
        stopping.store(true, ordering: .relaxed)
        stopped.wait()
        stopped.signal()  // a second call returns as well
        return decoded.withLock { $0 }
    }
}
