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
        TrackerConfig()
    }

    /// The registry defaults for `architecture` (the topology comes from the pipeline file).
    public static func registry(for architecture: Architecture) -> RegistryConfig {
        var c = RegistryConfig()
        switch architecture {
        case .pfsaMobileNetV2:
            // ImageNet MobileNetV2 features crowd near cosine 1 (same person across cameras 0.95 ± 0.025,
            // other people 0.85 ± 0.04): wait for 10 embeddings from inside the view, join from 0.90
            // with a 0.01 lead, take a track back out below 0.90. Chosen on generated scenes with seeds
            // 2-5, never on the scenes reported (see the README's calibration section).
            c.minEmbeddings = 10
            c.matchThreshold = 0.90
            c.margin = 0.01
            c.correctionThreshold = 0.90
        case .pfsaResNet50:
            // No ReID-trained ResNet-50 weights can be had here, so these are RegistryConfig's own
            // defaults for ReID-trained embeddings; calibrate them on labelled footage of your site.
            break
        }
        return c
    }
}
