import ArgumentParser
import Foundation
import VideoIO

/// `panoptes probe`: Print a video's streams, or one MD5 per decoded RGB24 frame.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Print a video's streams, or one MD5 per decoded RGB24 frame.",
        discussion: """
            With --framemd5 the output has the layout of `ffmpeg -i FILE -pix_fmt rgb24 -f framemd5 -`: \
            every line not starting with '#' is identical when Panoptes decodes exactly as FFmpeg does.
            """)

    @Argument(help: "The video file or URL to open.")
    var file: String

    @Flag(help: "Print one MD5 line per decoded RGB24 frame instead of the stream information.")
    var framemd5 = false

    @Option(help: "Decoder threads (0 lets FFmpeg choose).")
    var threads = 0

    func validate() throws {
        guard threads >= 0 else { throw ValidationError("--threads must be 0 (automatic) or more, got \(threads).") }
    }
}

extension ProbeCommand {
    func run() throws {
        let reader = try VideoReader(url: file, options: .init(threadCount: threads))
        guard framemd5 else {
            print("file: \(file)")
            print(reader.info.summary)
            return
        }
        var listing = FrameMD5Listing(info: reader.info)
        var output = listing.header(software: "panoptes \(Panoptes.version)").joined(separator: "\n") + "\n"
        while let frame = try reader.nextFrame() {
            if let line = listing.line(for: frame) {
                output += line + "\n"
            }
            if output.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
