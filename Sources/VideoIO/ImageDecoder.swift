/// Decodes a still image (PNG, JPEG, BMP ... anything FFmpeg's image demuxers read) to an RGB24 `Frame`.
///
/// The conversion is the one `VideoReader` uses, so the pixels equal
/// `ffmpeg -i IMAGE -pix_fmt rgb24 -f rawvideo -` bit for bit.
public enum ImageDecoder {
    /// Decodes the image at `path` into a frame with index 0 and time 0.
    ///
    /// - Throws: `VideoError` naming the path: `.openFailed` (missing file, not an image, with
    ///   FFmpeg's message), `.empty` when no picture decodes, `.librariesUnavailable` when FFmpeg's
    ///   libraries cannot be loaded.
    public static func decode(path: String) throws(VideoError) -> Frame {
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
