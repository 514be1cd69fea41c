import ReIDNet
import Tracking

/// Tracker and registry defaults that suit each model's embeddings: the similarity scale of an
/// ImageNet MobileNetV2's pooled features is nothing like a ReID-trained network's, so one set of
/// thresholds cannot serve both. A pipeline file's `tracker:` and `registry:` keys override these.
///
/// How each value was chosen is written beside it; `panoptes calibrate` recomputes them from
/// labelled footage.
public enum ModelDefaults {
    /// The tracker defaults for `architecture`: `TrackerConfig`'s, with DeepSORT's appearance gate 0.2 and
    /// the turn-round veto (`reversalSpeed` 0.01 box heights per frame).
    ///
    /// The veto was chosen on the calibration scenes (see `registry(for:)`): it took mean multi-camera
    /// IDF1 there from 0.764 to 0.912 on the first five (0.005 to 0.0125 all gave 0.908 to 0.912; 0.02
    /// 0.883, 0.04 0.797). Almost every error left before it was one track passing from a person walking
    /// out at an edge to one walking in there, which the registry then carried into identities.
    /// `panoptes calibrate` still prefers the 0.2 gate (0.15 gives a mean of 0.885, 0.25 0.899).
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
            // with a 0.01 lead, take a track back out below 0.90. Chosen by `panoptes calibrate` (with
            // joint association and the tracker's turn-round veto) on seven generated scenes that are
            // never reported: `panoptes synth` seeds 2 and 3 (4 cameras, 12 people), 4 (3 cameras, 9
            // people), 5 (4 cameras, 16 people), 60 s each; seed 6 (2 cameras, 6 people, 90 s), 7 (3
            // cameras, 12 people, 120 s) and 8 (4 cameras, 12 people, 120 s). Mean multi-camera IDF1 there
            // 0.911, worst 0.885 (0.89 gave 0.906 / 0.851, 0.91 0.906 / 0.885, 0.92 0.894 / 0.871).
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
