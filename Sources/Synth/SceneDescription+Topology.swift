import Foundation
import Tracking

extension SceneDescription {
    /// The scene's cameras, overlaps and transit windows as the identity registry takes them.
    /// Transits that the scene never makes (between cameras that are not neighbours on the ring) are forbidden.
    public var topology: CameraTopology {
        CameraTopology(
            cameras: cameras.map(\.name), overlaps: overlaps.map { ($0.a, $0.b) },
            transitions: transitions.map { (from: $0.from, to: $0.to, window: .init(min: $0.minGap, max: $0.maxGap)) },
            defaultTransition: nil)
    }

    /// Reads `scene.json` from a scene folder.
    ///
    /// - Throws: `SynthError` naming the file when it is missing or not a scene description.
    public static func load(from directory: URL) throws(SynthError) -> SceneDescription {
        let url = directory.appendingPathComponent("scene.json")
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .readFailed(url.path, reason: "no scene.json there; make one with `panoptes synth --out \(directory.path)`")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(SceneDescription.self, from: data)
        } catch {
            throw .readFailed(url.path, reason: "not a scene description (\(error))")
        }
    }
}
