// swift-tools-version: 6.0
import PackageDescription

/// Panoptes: multi-camera person re-identification on FFmpeg and OpenBLAS.
/// Layers, bottom up: C shims (CFFmpeg and its loader CFFmpegLoader, CBLAS and its loader CBLASLoader, CPNG), C kernels (CKernels) and one-job modules (LinearAlgebra: the one GEMM;
/// SeededRandom: the one generator; ChildProcess: the one way to run a program; ProcessMetrics: the one
/// memory reader; MetricsServer: the one HTTP listener) → VideoIO, ReIDNet, Tracking, Evaluation, Events,
/// YAMLLite → Synth → Pipeline → Benchmarks → the `panoptes` tool. Nothing imports upward.
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
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // FFmpeg's headers only: the executable does not name its libraries, CFFmpegLoader opens them.
        .systemLibrary(
            name: "CFFmpeg",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // OpenBLAS's header only: CBLASLoader opens the library at the first product that needs it.
        .systemLibrary(
            name: "CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Hand-written AVX2 + FMA kernels (chosen at run time) for the layers OpenBLAS does not cover.
        .target(name: "CKernels"),
        // FFmpeg's functions, forwarded to its libraries, which VideoIO loads before it first opens anything:
        // a process that never decodes never pays for loading them and the 150 libraries they need.
        .target(name: "CFFmpegLoader"),
        // OpenBLAS's functions, forwarded to the library, loaded at their first call: a process whose
        // products all run on CKernels never loads it or starts its threads.
        .target(name: "CBLASLoader"),
        // libpng, for the PNG crops `embed` and `eval` read: a library of its own (and zlib), where FFmpeg's
        // PNG decoder brings libavcodec's ninety.
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png16")]),
        // The one door to matrix products (OpenBLAS', and CKernels' packed one), with the one thread policy,
        // for ReIDNet and Evaluation.
        .target(name: "LinearAlgebra", dependencies: ["CBLAS", "CBLASLoader", "CKernels"]),
        // The one seeded pseudo-random generator (SplitMix64) of scenes, benchmarks and tests.
        .target(name: "SeededRandom"),
        // The one reader of this process's resident memory (`/proc/self/status`), for the run summary, benchmarks and tests.
        .target(name: "ProcessMetrics"),
        // The one way to run a program to completion (over swift-subprocess), for benchmarks and tests.
        .target(
            name: "ChildProcess",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "VideoIO",
            dependencies: ["CFFmpeg", "CFFmpegLoader", "CPNG", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "ReIDNet",
            dependencies: [
                "LinearAlgebra", "CKernels", "ZIPFoundation",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "Tracking",
            dependencies: [.product(name: "DequeModule", package: "swift-collections")]
        ),
        // The pipeline-config language: a strict YAML subset, parsed and decoded with file:line:column errors.
        .target(name: "YAMLLite"),
        // The identity-event log (JSONL schema v1): Foundation and Glibc only, so any layer can feed it.
        .target(name: "Events"),
        .target(
            name: "Evaluation",
            dependencies: ["LinearAlgebra"]
        ),
        .target(
            name: "Synth",
            dependencies: ["VideoIO", "Tracking", "Evaluation", "SeededRandom"]
        ),
        // The `run` runtime: pipeline files, the stage graph, the one embedding path, outputs, calibration.
        .target(
            name: "Pipeline",
            dependencies: [
                "VideoIO", "ReIDNet", "LinearAlgebra", "Tracking", "Evaluation", "Synth", "YAMLLite", "Events", "ProcessMetrics",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The one HTTP listener: serves a run's `/metrics` and `/healthz` documents over SwiftNIO. Knows
        // nothing of pipelines (it serves what its caller renders), so NIO stays out of the runtime.
        .target(
            name: "MetricsServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Benchmarks",
            dependencies: [
                "VideoIO", "ReIDNet", "Tracking", "Synth", "Evaluation", "Events", "Pipeline", "SeededRandom", "ChildProcess",
                "ProcessMetrics",
            ]
        ),
        .executableTarget(
            name: "panoptes",
            dependencies: [
                "VideoIO", "ReIDNet", "Tracking", "Synth", "Evaluation", "Benchmarks", "ChildProcess", "Events", "Pipeline", "YAMLLite",
                "MetricsServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Locates the repository, the fetched samples, the peer venv and the built binary for every test
        // target, and runs programs and peers. Links no FFmpeg and no BLAS.
        .target(name: "TestSupport", dependencies: ["ChildProcess", "SeededRandom"], path: "Tests/TestSupport"),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
        .testTarget(name: "VideoIOTests", dependencies: ["VideoIO", "TestSupport"]),
        .testTarget(name: "ReIDNetTests", dependencies: ["ReIDNet", "LinearAlgebra", "CKernels", "VideoIO", "SeededRandom", "TestSupport"]),
        .testTarget(name: "TrackingTests", dependencies: ["Tracking", "ProcessMetrics", "TestSupport"]),
        .testTarget(name: "SynthTests", dependencies: ["Synth", "Tracking", "SeededRandom", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"]),
        .testTarget(name: "EventsTests", dependencies: ["Events", "TestSupport"]),
        .testTarget(name: "YAMLLiteTests", dependencies: ["YAMLLite", "TestSupport"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Tracking", "Evaluation", "TestSupport"]),
        .testTarget(name: "PanoptesCLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "MetricsServerTests", dependencies: ["MetricsServer", "TestSupport"]),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Pipeline", "Events", "YAMLLite", "VideoIO", "ReIDNet", "LinearAlgebra", "Tracking", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
