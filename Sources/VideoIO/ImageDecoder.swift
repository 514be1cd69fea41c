internal import CFFmpeg
internal import CPNG
import Foundation

/// Decodes a still image (PNG, JPEG, BMP ... anything FFmpeg's image demuxers read) to an RGB24 `Frame`.
///
/// The conversion is the one `VideoReader` uses, so the pixels equal
/// `ffmpeg -i IMAGE -pix_fmt rgb24 -f rawvideo -` bit for bit.
///
/// A PNG file (known by its first bytes) in the layouts crops come in (8-bit grey, RGB, RGBA, palettes)
/// is decoded by libpng, which the executable links: loading FFmpeg's codec libraries and the ninety
/// they bring took 20-30 ms (Zen 3), longer than `embed` takes to decode a hundred crops. Other PNGs and
/// JPEG files go to FFmpeg's decoder straight from memory, as the one packet FFmpeg's image demuxer
/// would have made of the file: libavformat, with the forty libraries it brings, is then never loaded,
/// and no demuxer probes each file. `embed` and `eval` decode only such crops. Anything else, and a PNG
/// or JPEG that its decoder refuses, goes through `VideoReader`, whose errors name the path and what to do.
public enum ImageDecoder {
    /// Decodes the image at `path` into a frame with index 0 and time 0.
    ///
    /// - Throws: `VideoError` naming the path: `.openFailed` (missing file, not an image, with
    ///   FFmpeg's message), `.empty` when no picture decodes, `.librariesUnavailable` when FFmpeg's
    ///   libraries cannot be loaded.
    public static func decode(path: String) throws(VideoError) -> Frame {
        if let (bytes, codec) = stillImage(at: path) {
            if codec == .png, let frame = decodePNG(bytes) { return frame }
            try FFmpegLibraries.load(for: path, operation: "decode an image from", containers: false)
            if let frame = decode(bytes, codec: codec, path: path) { return frame }
        }
        return try decodeThroughDemuxer(path: path)
    }

    /// Loads the libraries that decoding `paths` will need (once per process), unless every name ends in
    /// `.png`: libpng decodes those, and a PNG in another layout, or a file misnamed, loads them when it
    /// comes. A failure is left for ``decode(path:)`` to report, naming the image.
    public static func loadLibraries(forDecoding paths: [String]) {
        guard paths.contains(where: { !$0.lowercased().hasSuffix(".png") }) else { return }
        try? FFmpegLibraries.load(for: "", operation: "load FFmpeg for", containers: false)
    }

    /// The bytes of the file at `path` when it starts with a PNG or JPEG signature (a video given by
    /// mistake is not read whole); nil otherwise, or when it cannot be read.
    private static func stillImage(at path: String) -> (Data, StillImageCodec)? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        guard let head = try? file.read(upToCount: 8), let codec = StillImageCodec(signature: head),
              let rest = try? file.readToEnd() else { return nil }
        return (head + rest, codec)
    }

    /// The still image formats decoded straight from memory.
    enum StillImageCodec {
        case png, jpeg

        /// The format whose signature `bytes` start with, if any.
        init?(signature bytes: Data) {
            if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
                self = .png
            } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
                self = .jpeg
            } else {
                return nil
            }
        }

        var id: AVCodecID { self == .png ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG }
    }

    /// A PNG file's pixels through libpng, in the frame layout `RGBConverter` gives; nil when the header
    /// is not read here (another layout, or a size FFmpeg would refuse) or the file does not decode.
    private static func decodePNG(_ bytes: Data) -> Frame? {
        // The signature, then IHDR's length and type, then its width and height (big-endian).
        guard bytes.count > 24, bytes[bytes.startIndex + 12..<bytes.startIndex + 16].elementsEqual("IHDR".utf8) else { return nil }
        func field(_ offset: Int) -> Int {
            bytes[bytes.startIndex + offset..<bytes.startIndex + offset + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        let width = field(16), height = field(20)
        // av_image_check_size's bound, so that a huge header fails as FFmpeg fails, not in an allocation.
        let (area, overflow) = (width + 128).multipliedReportingOverflow(by: height + 128)
        guard width > 0, height > 0, !overflow, area < Int(Int32.max) / 8 else { return nil }
        let stride = PixelStorage.alignedStride(width: width)
        let storage = PixelStorage(byteCount: stride * height, zeroed: false)
        let decoded = bytes.withUnsafeBytes {
            panoptes_png_decode_rgb24($0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count,
                                      storage.bytes.assumingMemoryBound(to: UInt8.self), stride, UInt32(width), UInt32(height))
        }
        guard decoded == 1 else { return nil }
        return Frame(width: width, height: height, rowStride: stride, index: 0, time: 0, storage: storage)
    }

    /// The file's bytes as one packet through `codec`'s decoder (one thread), then the same conversion as
    /// `VideoReader`'s; nil when the decoder cannot be opened or yields no picture.
    private static func decode(_ bytes: Data, codec: StillImageCodec, path: String) -> Frame? {
        guard let decoder = FFmpeg.findDecoder(codec.id) else { return nil }
        do {
            let context = try CodecContext(codec: decoder)
            context.pointer.pointee.thread_count = 1
            try context.open()
            let packet = try OwnedPacket(), picture = try OwnedFrame()
            try bytes.withUnsafeBytes { try FFmpeg.fill(packet.pointer, with: $0) }
            guard FFmpeg.sendPacket(context.pointer, packet.pointer) >= 0 else { return nil }
            _ = FFmpeg.sendPacket(context.pointer, nil)
            guard FFmpeg.receiveFrame(context.pointer, picture.pointer) >= 0 else { return nil }
            let converter = try RGBConverter(threads: 1)
            let (storage, stride) = try converter.convert(picture.pointer, url: path, what: "the image")
            return Frame(width: Int(picture.pointer.pointee.width), height: Int(picture.pointer.pointee.height),
                         rowStride: stride, index: 0, time: 0, storage: storage)
        } catch {
            return nil
        }
    }

    /// Through FFmpeg's image demuxer, as `ffmpeg -i` reads it.
    private static func decodeThroughDemuxer(path: String) throws(VideoError) -> Frame {
        // `pattern_type=none`: a file name containing `%` is a file name, not an image2 sequence pattern.
        // One thread each: images are small, and callers decode many of them side by side.
        let reader = try VideoReader(
            path: path,
            options: .init(threadCount: 1, conversionThreadCount: 1, formatOptions: ["pattern_type": "none"]))
        guard var frame = try reader.nextFrame() else {
            throw VideoError(
                kind: .empty, path: path, operation: "decode an image from",
                hint: "FFmpeg opened the file but decoded no picture; the image is damaged or empty")
        }
        frame.index = 0
        frame.time = 0
        return frame
    }
}
