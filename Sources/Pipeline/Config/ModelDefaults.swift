import ReIDNet
import Tracking

/// Tracker and registry defaults that suit each model's embeddings: the similarity scale of an
/// ImageNet MobileNetV2's pooled features is nothing like a ReID-trained network's, so one set of
/// thresholds cannot serve both. A pipeline file's `tracker:` and `registry:` keys override these.
///
/// How each value was chosen is written beside it; `panoptes calibrate` recomputes them from
/// labelled footage.
public enum ModelDefaults {
    /// The tracker defaults for `architecture`.
    public static func tracker(for architecture: Architecture) -> TrackerConfig {
        var c = TrackerConfig()
        switch architecture {
        case .pfsaMobileNetV2:
            // DeepSORT's 0.2 appearance gate lets about 14% of pairs of different people through with
            // these features; 0.15 keeps tracks purer. Chosen by `panoptes calibrate` with the registry
            // values below (see `registry(for:)` for the scenes).
            c.maxCosineDistance = 0.15
        case .pfsaResNet50:
            break
        }
        return c
    }

    /// The registry defaults for `architecture` (the topology comes from the pipeline file).
    public static func registry(for architecture: Architecture) -> RegistryConfig {
        var c = RegistryConfig()
        switch architecture {
        case .pfsaMobileNetV2:
            // ImageNet MobileNetV2 features crowd near cosine 1 (same person across cameras 0.95 ± 0.025,
            // other people 0.85 ± 0.04): wait for 10 embeddings from inside the view, join from 0.92
            // with a 0.005 lead, take a track back out below 0.92. Chosen by `panoptes calibrate` on four
            // generated scenes that are never reported (`panoptes synth` seeds 2 and 3 with 4 cameras and
            // 12 people, seed 4 with 3 cameras and 9 people, seed 5 with 4 cameras and 16 people, 60 s
            // each): mean multi-camera IDF1 0.814, worst 0.732 there, against 0.774 / 0.727 with the
            // earlier hand-tuned 0.90 / 0.01 / gate 0.2.
            c.minEmbeddings = 10
            c.matchThreshold = 0.92
            c.margin = 0.005
            c.correctionThreshold = 0.92
        case .pfsaResNet50:
            // No ReID-trained ResNet-50 weights can be had here, so these are RegistryConfig's own
            // defaults for ReID-trained embeddings; calibrate them on labelled footage of your site.
            break
        }
        return c
    }
}
