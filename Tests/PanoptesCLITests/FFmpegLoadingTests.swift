import Foundation
import TestSupport
import XCTest

/// FFmpeg's libraries load when a command first decodes or encodes, not when `panoptes` starts; a
/// library that cannot be loaded is named, with the file being opened and what to do.
final class FFmpegLoadingTests: XCTestCase {
    /// This process's environment with `extra` on top (the child gets nothing else).
    private func environment(_ extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(extra) { $1 }
    }

    /// The FFmpeg libraries (file names, as the dynamic loader logs them) that `panoptes ARGS` loads.
    private func ffmpegLibrariesLoaded(by arguments: [String]) throws -> (status: Int32, libraries: Set<String>) {
        // LD_DEBUG=files: glibc's loader logs each object it opens ("file=libavcodec.so.59 [0];  ...").
        let result = try runProcess(Fixtures.panoptes, arguments, environment: environment(["LD_DEBUG": "files"]))
        // The C library: every build of panoptes links it dynamically (the shipped one links Swift's statically).
        XCTAssertTrue(result.stderrText.contains("file=libc.so"), "the loader's log is missing: \(result.stderrText.prefix(500))")
        let names = result.stderrText.split(whereSeparator: \.isWhitespace).compactMap { word -> String? in
            guard word.hasPrefix("file=lib") else { return nil }
            let name = word.dropFirst("file=".count)
            return ["libavutil.so", "libswscale.so", "libavcodec.so", "libavformat.so"].contains { name.hasPrefix($0) } ? String(name) : nil
        }
        return (result.status, Set(names))
    }

    func testStartingPanoptes_loadsNoFFmpegLibrary_untilACommandOpensVideo() throws {
        let version = try ffmpegLibrariesLoaded(by: ["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.libraries, [], "panoptes --version loaded FFmpeg")

        let probe = try ffmpegLibrariesLoaded(by: ["probe", Fixtures.vtest.path])
        XCTAssertEqual(probe.status, 0)
        XCTAssertEqual(Set(probe.libraries.map { String($0.prefix { $0 != "." }) }),
                       ["libavutil", "libswscale", "libavcodec", "libavformat"], "probe loaded \(probe.libraries)")
    }

    func testEmbeddingPNGAndJPEGCrops_loadsTheCodecLibrariesButNotLibavformat() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var crops: [String: String] = [:]
        for name in ["crop.png", "crop.jpg", "crop.bmp"] {
            crops[name] = folder.appendingPathComponent(name).path
            let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
                "-v", "error", "-y", "-i", Fixtures.vtest.path, "-vf", "select=eq(n\\,42),crop=64:128:200:150", "-frames:v", "1", crops[name]!,
            ])
            XCTAssertEqual(made.status, 0, made.stderrText)
        }
        func embed(_ names: [String]) throws -> (status: Int32, libraries: Set<String>) {
            let loaded = try ffmpegLibrariesLoaded(by: ["embed", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path,
                                                        "--out", folder.appendingPathComponent("out.npy").path] + names.map { crops[$0]! })
            return (loaded.status, Set(loaded.libraries.map { String($0.prefix { $0 != "." }) }))
        }
        // PNG crops alone: libpng decodes them, and FFmpeg is never loaded.
        let pngs = try embed(["crop.png"])
        XCTAssertEqual(pngs.status, 0)
        XCTAssertEqual(pngs.libraries, [], "PNG crops need no FFmpeg library")
        let stills = try embed(["crop.png", "crop.jpg"])
        XCTAssertEqual(stills.status, 0)
        XCTAssertEqual(stills.libraries, ["libavutil", "libswscale", "libavcodec"], "PNG and JPEG crops need no demuxer")
        // Other formats go through FFmpeg's image demuxer, as before.
        let bitmap = try embed(["crop.png", "crop.bmp"])
        XCTAssertEqual(bitmap.status, 0)
        XCTAssertEqual(bitmap.libraries, ["libavutil", "libswscale", "libavcodec", "libavformat"])

        // A PNG's signature on bytes its decoder refuses: the demuxer's error, naming the file.
        let damaged = folder.appendingPathComponent("damaged.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("not the rest of a PNG".utf8)).write(to: damaged)
        let refused = try runProcess(Fixtures.panoptes, ["embed", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path,
                                                         "--out", folder.appendingPathComponent("out.npy").path, crops["crop.png"]!, damaged.path])
        XCTAssertEqual(refused.status, 1, refused.stderrText)
        XCTAssertTrue(refused.stderrText.contains(damaged.path), refused.stderrText)
    }

    func testProbe_whenFFmpegCannotBeLoaded_namesTheLibraryAndTheFileAndSaysWhatToDo() throws {
        // The real name of libavutil (libavutil.so.57 on Debian 12), then a file of that name that is not a
        // library, first on the loader's path: loading it fails as a missing or broken install does.
        let util = try XCTUnwrap(try ffmpegLibrariesLoaded(by: ["probe", Fixtures.vtest.path]).libraries.first { $0.hasPrefix("libavutil.so.") })
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("not a shared library\n".utf8).write(to: folder.appendingPathComponent(util))

        let result = try runProcess(Fixtures.panoptes, ["probe", Fixtures.vtest.path],
                                    environment: environment(["LD_LIBRARY_PATH": folder.path]))
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("cannot open '\(Fixtures.vtest.path)'"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("cannot load FFmpeg's \(util)"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("Install FFmpeg's shared libraries"), result.stderrText)
        XCTAssertEqual(result.stdoutText, "")

        // `embed` of a JPEG crop loads the codec libraries while it loads the network; the failure is still
        // reported by the first image's decode, naming the image. A PNG crop needs no FFmpeg: it embeds.
        var crops: [String: URL] = [:]
        for name in ["crop.jpg", "crop.png"] {
            crops[name] = folder.appendingPathComponent(name)
            let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
                "-v", "error", "-y", "-i", Fixtures.vtest.path, "-vf", "crop=64:128:200:150", "-frames:v", "1", crops[name]!.path,
            ])
            XCTAssertEqual(made.status, 0, made.stderrText)
        }
        let out = folder.appendingPathComponent("out.npy")
        func embed(_ name: String) throws -> ProcessResult {
            try runProcess(Fixtures.panoptes, ["embed", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path,
                                               "--out", out.path, crops[name]!.path],
                           environment: environment(["LD_LIBRARY_PATH": folder.path]))
        }
        let jpeg = try embed("crop.jpg")
        XCTAssertEqual(jpeg.status, 1, jpeg.stderrText)
        XCTAssertTrue(jpeg.stderrText.contains(crops["crop.jpg"]!.path), jpeg.stderrText)
        XCTAssertTrue(jpeg.stderrText.contains("cannot load FFmpeg's \(util)"), jpeg.stderrText)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        let png = try embed("crop.png")
        XCTAssertEqual(png.status, 0, png.stderrText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.path), "no embeddings written for the PNG crop")
    }
}
