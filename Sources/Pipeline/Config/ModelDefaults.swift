import ReIDNet
import Tracking

/// Tracker and registry defaults that suit each model's embeddings: the similarity scale of an
/// ImageNet MobileNetV2's pooled features is nothing like a ReID-trained network's, so one set of
/// thresholds cannot serve both. A pipeline file's `tracker:` and `registry:` keys override these.
///
/// How each value was chosen is written beside it; `panoptes calibrate` recomputes them from
/// labelled footage.
public enum ModelDefaults {
    /// The tracker defaults for `architecture`: `TrackerConfig`'s (DeepSORT's appearance gate 0.2).
    ///
    /// `panoptes calibrate` on the calibration scenes (see `registry(for:)`) preferred a 0.15 gate for
    /// MobileNetV2 (multi-camera IDF1 mean 0.847 against 0.819), but it cost within-camera IDF1 on two of
    /// the four scenes below deep-sort-realtime's (0.649 against 0.659, 0.540 against 0.564), so the
    /// gate stays at 0.2.
    public static func tracker(for architecture: Architecture) -> TrackerConfig {
        TrackerConfig()
    }

    /// The registry defaults for `architecture` (the topology comes from the pipeline file).
    public static func registry(for architecture: Architecture) -> RegistryConfig {
        var c = RegistryConfig()
        switch architecture {
        case .pfsaMobileNetV2:
            // ImageNet MobileNetV2 features crowd near cosine 1 (same person across cameras 0.95 ± 0.025,
            // other people 0.85 ± 0.04): wait for 10 embeddings from inside the view, join from 0.89
            // with a 0.01 lead, take a track back out below 0.89. Chosen by `panoptes calibrate` (with
            // joint association, the tracker's gate held at 0.2) on four generated scenes that are never
            // reported: `panoptes synth` seeds 2 and 3 (4 cameras, 12 people), seed 4 (3 cameras, 9
            // people) and seed 5 (4 cameras, 16 people), 60 s each. Mean multi-camera IDF1 there 0.819,
            // worst 0.780; the earlier hand-tuned 0.90 / 0.01 without joint association gave 0.774 / 0.727.
            c.minEmbeddings = 10
            c.matchThreshold = 0.89
            c.margin = 0.01
            c.correctionThreshold = 0.89
        case .pfsaResNet50:
            // No ReID-trained ResNet-50 weights can be had here, so these are RegistryConfig's own
            // defaults for ReID-trained embeddings; calibrate them on labelled footage of your site.
            break
        }
        return c
    }
}
