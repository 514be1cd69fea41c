import ArgumentParser

/// `panoptes bench decode`: Frames per second decoding to RGB24, next to the ffmpeg CLI.
struct BenchDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Frames per second decoding to RGB24, next to the ffmpeg CLI.")

    func run() throws {
        throw NotBuiltYet(command: "bench decode")
    }
}
