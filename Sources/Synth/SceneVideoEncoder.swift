import Foundation

/// Encodes one camera's rendered RGB24 frames to a file. Placeholder until VideoIO's VideoWriter lands:
/// writes raw PPM frames so the renderer can be looked at.
struct SceneVideoEncoder {
    let url: URL
    let config: SynthConfig
    var index = 0

    init(url: URL, config: SynthConfig) throws {
        self.url = url
        self.config = config
    }

    mutating func append(_ pixels: [UInt8]) throws {
        if index % 50 == 0 {
            var data = Data("P6\n\(config.width) \(config.height)\n255\n".utf8)
            data.append(contentsOf: pixels)
            try data.write(to: url.deletingPathExtension().appendingPathExtension("\(index).ppm"))
        }
        index += 1
    }

    func finish() throws {}
}
