// swift-tools-version: 6.0
import PackageDescription

/// Panoptes: multi-camera person re-identification on FFmpeg and OpenBLAS.
/// Layers, bottom up: C shims (CFFmpeg, CBLAS) → VideoIO, ReIDNet, Tracking, Evaluation, Events
/// → Benchmarks → the `panoptes` tool. Nothing imports upward.
let package = Package(
    name: "Panoptes",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "panoptes", targets: ["panoptes"]),
        .library(name: "VideoIO", targets: ["VideoIO"]),
        .library(name: "ReIDNet", targets: ["ReIDNet"]),
        .library(name: "Tracking", targets: ["Tracking"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "YAMLLite", targets: ["YAMLLite"]),
        .library(name: "Events", targets: ["Events"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "VideoIO",
            dependencies: ["CFFmpeg", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "ReIDNet",
            dependencies: ["CBLAS", "ZIPFoundation"]
        ),
        .target(name: "Tracking"),
        // The pipeline-config language: a strict YAML subset, parsed and decoded with file:line:column errors.
        .target(name: "YAMLLite"),
        // The identity-event log (JSONL schema v1): Foundation and Glibc only, so any layer can feed it.
        .target(name: "Events"),
        .target(
            name: "Synth",
            dependencies: ["VideoIO", "Tracking", "Evaluation"]
        ),
        .target(
            name: "Evaluation",
            dependencies: ["CBLAS", "ReIDNet"]
        ),
        // The `run` runtime: pipeline files, the stage graph, the one embedding path, outputs.
        .target(
            name: "Pipeline",
            dependencies: [
                "VideoIO", "ReIDNet", "Tracking", "Evaluation", "Synth", "YAMLLite", "Events",
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "Benchmarks",
            dependencies: ["VideoIO", "ReIDNet", "Tracking", "Synth", "Evaluation", "Pipeline"]
        ),
        .executableTarget(
            name: "panoptes",
            dependencies: [
                "VideoIO", "ReIDNet", "Tracking", "Synth", "Evaluation", "Benchmarks", "Events", "Pipeline", "YAMLLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Locates the repository, the fetched samples, the peer venv and the built binary for every test target.
        .target(name: "TestSupport", dependencies: ["Synth"], path: "Tests/TestSupport"),
        .testTarget(name: "VideoIOTests", dependencies: ["VideoIO", "TestSupport"]),
        .testTarget(name: "ReIDNetTests", dependencies: ["ReIDNet", "VideoIO", "TestSupport"]),
        .testTarget(name: "TrackingTests", dependencies: ["Tracking", "Synth", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "ReIDNet", "TestSupport"]),
        .testTarget(name: "EventsTests", dependencies: ["Events", "TestSupport"]),
        .testTarget(name: "YAMLLiteTests", dependencies: ["YAMLLite", "TestSupport"]),
        .testTarget(name: "PanoptesCLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Events", "YAMLLite", "VideoIO", "ReIDNet", "Tracking", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
