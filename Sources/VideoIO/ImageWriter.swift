import Foundation
internal import CFFmpeg

/// Encodes RGB24 pixels as a PNG or JPEG file through FFmpeg's `png` and `mjpeg` encoders.
///
/// Used for Market-1501-style crops (`0001_c1s1_000151_00.jpg`) and debug snapshots.
public enum ImageWriter {
    /// The file format to write.
    public enum Format: Sendable, Equatable {
        /// Lossless PNG (FFmpeg's `png` encoder, RGB24).
        case png
        /// JPEG (FFmpeg's `mjpeg` encoder, full-range 4:2:0) with quantiser `qscale`: 2 (best) ... 31.
        case jpeg(qscale: Int)

        /// The format for a path's extension: `.png` → PNG, `.jpg`/`.jpeg` → JPEG with qscale 2; else `nil`.
        public init?(pathExtension: String) {
            switch pathExtension.lowercased() {
            case "png": self = .png
            case "jpg", "jpeg": self = .jpeg(qscale: 2)
            default: return nil
            }
        }
    }

    /// Writes `frame` to `path`, in `format` or else the format of the path's extension.
    ///
    /// - Throws: `VideoError` `.invalidArgument` for an unknown extension, `.encodeFailed` with
    ///   FFmpeg's message, `.writeFailed` when the file cannot be written, `.librariesUnavailable` when
    ///   FFmpeg's libraries cannot be loaded.
    public static func write(_ frame: Frame, to path: String, format: Format? = nil) throws(VideoError) {
        try frame.withUnsafePixels { (pixels, width, height, stride) throws(VideoError) in
            try write(pixels: pixels, width: width, height: height, rowStride: stride, to: path, format: format)
        }
    }

    /// Writes the pixels of `region` (a crop) to `path`, copying only the region's rows.
    public static func write(_ region: FrameRegion, to path: String, format: Format? = nil) throws(VideoError) {
        try region.withUnsafePixels { (pixels, width, height, stride) throws(VideoError) in
            try write(pixels: pixels, width: width, height: height, rowStride: stride, to: path, format: format)
        }
    }

    /// Writes `height` rows of `width` RGB24 pixels at `pixels`, `rowStride` bytes apart, to `path`.
    public static func write(
        pixels: UnsafePointer<UInt8>, width: Int, height: Int, rowStride: Int, to path: String, format: Format? = nil
    ) throws(VideoError) {
        let chosen = format ?? Format(pathExtension: URL(fileURLWithPath: path).pathExtension)
        guard let chosen else {
            throw VideoError(
                kind: .invalidArgument, path: path, operation: "choose an image format for",
                hint: "Name the file .png, .jpg or .jpeg, or pass a format")
        }
        let bytes = try encode(pixels: pixels, width: width, height: height, rowStride: rowStride, format: chosen, path: path)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw VideoError(
                kind: .writeFailed, path: path, operation: "write", ffmpegMessage: nil,
                hint: "Check that the folder exists and is writable (\(error.localizedDescription))")
        }
    }

    /// The encoded file bytes of `height` rows of `width` RGB24 pixels in `format`.
    public static func encode(
        pixels: UnsafePointer<UInt8>, width: Int, height: Int, rowStride: Int, format: Format
    ) throws(VideoError) -> [UInt8] {
        try encode(pixels: pixels, width: width, height: height, rowStride: rowStride, format: format, path: "<memory>")
    }

    private static func encode(
        pixels: UnsafePointer<UInt8>, width: Int, height: Int, rowStride: Int, format: Format, path: String
    ) throws(VideoError) -> [UInt8] {
        try FFmpegLibraries.load(for: path, operation: "encode an image as")
        guard width > 0, height > 0, rowStride >= 3 * width else {
            throw VideoError(
                kind: .invalidArgument, path: path, operation: "encode a \(width)x\(height) image as",
                hint: "Width and height must be positive and rows at least 3 x width bytes")
        }
        let codecName: String, pixelFormat: String, qscale: Int?
        switch format {
        case .png: (codecName, pixelFormat, qscale) = ("png", "rgb24", nil)
        case .jpeg(let q): (codecName, pixelFormat, qscale) = ("mjpeg", "yuvj420p", Swift.min(31, Swift.max(1, q)))
        }
        var bytes: [UInt8] = []
        do throws(FFmpegStatus) {
            let encoder = try FrameEncoder(
                codecName: codecName, width: width, height: height, pixelFormat: pixelFormat, options: [:]
            ) { context in
                context.pointee.time_base = AVRational(num: 1, den: 25)
                if let qscale {
                    context.pointee.flags |= AV_CODEC_FLAG_QSCALE
                    context.pointee.global_quality = Int32(qscale) * panoptes_qp2lambda()
                    context.pointee.qmin = Int32(qscale)
                    context.pointee.qmax = Int32(qscale)
                }
            }
            try encoder.send(pixels: pixels, rowStride: rowStride, pts: 0)
            try encoder.sendEnd()
            let failure = encoder.drain { packet in
                bytes.append(contentsOf: UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
            }
            if let failure { throw failure }
        } catch {
            throw VideoError(
                kind: .encodeFailed, path: path, operation: "encode \(codecName) for", ffmpegMessage: error.message,
                ffmpegCode: error.code, hint: "FFmpeg's \(codecName) encoder rejected the picture")
        }
        return bytes
    }
}
