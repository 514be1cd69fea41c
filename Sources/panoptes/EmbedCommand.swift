import ArgumentParser
import Foundation
import Pipeline
import ReIDNet
import VideoIO


/// `panoptes embed`: Embed person images with a re-identification network.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Embed person images with a re-identification network.",
        discussion: """
            Each image (PNG by libpng; JPEG and the rest by FFmpeg) is resized to the model input as PIL's bilinear \
            resize does, normalised with ImageNet's mean and std, and embedded; one L2-normalised \
            embedding per image, in order. pfsa-resnet50 emits the paper's 12288-d retrieval descriptor \
            (6 stripes) unless --pooling says otherwise (`normalized` gives the 2048-d compact descriptor \
            for tracking); pfsa-mobilenetv2 emits 1280-d normalized spatial-attention pooling.
            """)

    @Option(help: "The network: pfsa-resnet50 or pfsa-mobilenetv2.")
    var model: Architecture

    @Option(help: "The weights file (.pt, .pth, .pth.tar or .safetensors).")
    var weights: String

    @Option(help: "Model input as HEIGHTxWIDTH (default 384x128 for pfsa-resnet50, 256x128 for pfsa-mobilenetv2).")
    var input: String?

    @Option(help: "Images run through the network together.")
    var batch = 16

    @Option(help: "Descriptor pooling: stripes, normalized, softmax or average (default: stripes for pfsa-resnet50, normalized for pfsa-mobilenetv2).")
    var pooling: Pooling?

    @Option(help: "Write to FILE.npy ((N, D) float32) or FILE.jsonl; JSON lines to standard output when absent.")
    var out: String?

    @Argument(help: "The images to embed.")
    var images: [String]

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("Give at least one image to embed.") }
        guard batch > 0 else { throw ValidationError("--batch must be 1 or more, got \(batch).") }
        if let input, parseInputSize(input) == nil {
            throw ValidationError("--input must look like 256x128 (HEIGHTxWIDTH, positive integers), got '\(input)'.")
        }
        if let out, !(out.hasSuffix(".npy") || out.hasSuffix(".jsonl")) {
            throw ValidationError("--out must end in .npy or .jsonl, got '\(out)'.")
        }
    }
}

extension EmbedCommand {
    func run() throws {
        // One short run: the memory it frees (the checkpoint, let go tensor by tensor as the network is
        // built from it) serves what it allocates next, and it is mapped ahead.
        ProcessMemory.keepFreedMemory()
        // The images decode while the network is built (FFmpeg loads first, alone).
        let ahead = ImageDecodingAhead(paths: images)
        defer { _ = ahead.finish() }  // also when loading the weights fails: no thread decodes on through exit
        ProcessMemory.reserve(forLoading: URL(fileURLWithPath: weights))
        let network = try ReIDModel(architecture: model, weights: WeightsLoader.load(URL(fileURLWithPath: weights)),
                                    inputSize: input.flatMap(parseInputSize), pooling: pooling)
        let crops = NetworkCropEmbedder(model: network, maxBatch: batch)
        crops.reserve(batch: images.count)
        let embedder = ImageFileEmbedder(embedder: crops)
        let decoded = ahead.finish()
        var rows: [Float] = []
        rows.reserveCapacity(images.count * network.dimension)
        let jsonl: FileHandle?
        if let out, out.hasSuffix(".jsonl") {
            guard FileManager.default.createFile(atPath: out, contents: nil) else {
                throw CommandFailure("cannot create \(out): check the folder exists and is writable")
            }
            jsonl = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        } else {
            jsonl = out == nil ? FileHandle.standardOutput : nil
        }
        defer { if let jsonl, jsonl !== FileHandle.standardOutput { try? jsonl.close() } }
        var start = 0
        while start < images.count {
            let paths = Array(images[start..<min(images.count, start + batch)])
            let known = decoded[min(start, decoded.count)..<min(start + paths.count, decoded.count)]
            let embeddings = try embedder.embedImages(paths, decoded: known)
            if let jsonl {
                let text = paths.enumerated().map { embeddings.jsonLine(index: $0.offset, image: $0.element) + "\n" }.joined()
                jsonl.write(Data(text.utf8))
            } else {
                rows += embeddings.values
            }
            start += paths.count
        }
        if let out, out.hasSuffix(".npy") {
            let array = NumpyArray(shape: [images.count, network.dimension], values: rows)
            do {
                try array.write(to: URL(fileURLWithPath: out))
            } catch {
                throw CommandFailure("cannot write \(out): \(error.localizedDescription); check the folder exists and is writable")
            }
        }
    }
}
