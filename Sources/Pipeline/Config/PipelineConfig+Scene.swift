import Foundation
import Synth
import YAMLLite

extension PipelineConfig {
    /// The pipeline that runs a generated scene (`panoptes synth` writes it as `pipeline.yaml` beside
    /// the scene): one camera per view with its video and detections (paths relative to the scene
    /// folder), the scene's topology (only listed transits), and `model` / `weights`.
    public init(scene: SceneDescription, name: String? = nil, model: String = "pfsa-mobilenetv2", weights: String) {
        self.init(
            name: name,
            cameras: scene.cameras.map {
                CameraConfig(id: $0.name, url: $0.video, detections: DetectionsConfig(path: $0.detections, format: .mot))
            },
            model: ModelConfig(name: model, weights: weights))
        var topology = TopologyConfig()
        topology.overlaps = scene.overlaps.map { [$0.a, $0.b] }
        topology.transits = scene.transitions.map { .init(from: $0.from, to: $0.to, min: $0.minGap, max: $0.maxGap) }
        topology.onlyListedTransits = true
        self.topology = topology
    }

    /// The configuration as a YAML-lite pipeline file, with a comment header.
    public func yamlText(header: String) throws -> String {
        let body = try YAMLLiteEncoder().encode(self)
        return header.split(separator: "\n", omittingEmptySubsequences: false).map { "# " + $0 }.joined(separator: "\n") + "\n" + body
    }
}
