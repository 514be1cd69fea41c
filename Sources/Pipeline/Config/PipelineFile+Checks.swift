import Foundation
import ReIDNet
import VideoIO

extension PipelineFile {
    /// What `validate` finds beyond the file's own shape.
    public struct CheckReport: Sendable {
        /// Problems that stop a run (exit 2).
        public var problems: [PipelineError.Problem] = []
        /// Things a run survives but the user should know (bad detection lines under `skip`).
        public var warnings: [String] = []
    }

    /// Checks what the pipeline points at: every local video opens and fits its crop, every detection
    /// file exists and parses, the weights file holds every tensor the model needs with the right shape,
    /// and the output folders can be made. Collects every problem instead of stopping at the first.
    public func check(_ p: ResolvedPipeline) -> CheckReport {
        var report = CheckReport()
        for (i, camera) in p.cameras.enumerated() {
            let at: [ConfigPath] = [.key("cameras"), .index(i)]
            // A live camera is not opened here: its stream may be down now and come up when the run starts.
            let isNetwork = camera.url.contains("://") && !camera.url.hasPrefix("file:")
            if !isNetwork && camera.live == nil {
                if !FileManager.default.fileExists(atPath: camera.url) {
                    report.problems.append(problem(at + [.key("url")], "no such file \(camera.url) — check the path (relative paths start at the pipeline file's folder)"))
                } else {
                    do {
                        let reader = try VideoReader(url: camera.url, options: .init(threadCount: 1))
                        if let c = camera.crop, c.x + c.width > reader.info.width || c.y + c.height > reader.info.height {
                            report.problems.append(problem(at + [.key("crop")],
                                "crop [\(c.x), \(c.y), \(c.width), \(c.height)] does not fit the video's \(reader.info.width)x\(reader.info.height) frame — make the region fit inside it"))
                        }
                    } catch {
                        report.problems.append(problem(at + [.key("url")], "\(error)"))
                    }
                }
            }
            if let d = camera.detections, camera.live != nil {
                checkLiveDetections(d.url, at: at + [.key("detections"), .key("path")], fatal: p.badDetectionLine == .fatal, into: &report)
            } else if let d = camera.detections {
                let path = at + [.key("detections"), .key("path")]
                if !FileManager.default.fileExists(atPath: d.url.path) {
                    report.problems.append(problem(path, "no such file \(d.url.path) — check the path (relative paths start at the pipeline file's folder)"))
                } else {
                    do {
                        let read = try SuppliedDetections.read(d.url, format: d.format, fatal: false)
                        if p.badDetectionLine == .fatal, let first = read.skipped.first {
                            report.problems.append(problem(path, "bad detection line (on_error.bad_detection_line is fatal): \(first)"
                                                           + (read.skipped.count > 1 ? " (and \(read.skipped.count - 1) more)" : "")))
                        } else {
                            report.warnings += read.skipped.map { "bad detection line, skipped at run time: \($0)" }
                        }
                    } catch {
                        report.problems.append(problem(path, "\(error)"))
                    }
                }
            }
        }
        let weights = [ConfigPath.key("model"), .key("weights")]
        if !FileManager.default.fileExists(atPath: p.weights.path) {
            report.problems.append(problem(weights, "no such file \(p.weights.path) — check the path (relative paths start at the pipeline file's folder)"))
        } else {
            do {
                let fit = p.architecture.fit(try WeightsLoader.load(p.weights))
                if !fit.fits {
                    var why: [String] = fit.missing.prefix(3).map { "missing `\($0.key)` \($0.shape)" }
                    why += fit.mismatched.prefix(3).map { "`\($0.key)` is \($0.actual), the model needs \($0.expected)" }
                    report.problems.append(problem(weights, "\(p.weights.path) does not fit \(p.architecture.rawValue): "
                        + "\(fit.missing.count) tensors missing, \(fit.mismatched.count) mis-shaped (\(why.joined(separator: "; "))) — use a checkpoint of this model"))
                }
            } catch {
                report.problems.append(problem(weights, "\(error)"))
            }
        }
        return report
    }

    /// A live camera's detection stream may not exist yet (the detector makes it when it starts), but
    /// its folder must; what it already holds (the first MB) must be live detection lines.
    private func checkLiveDetections(_ url: URL, at path: [ConfigPath], fatal: Bool, into report: inout CheckReport) {
        var isFolder: ObjCBool = false
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            report.problems.append(problem(path, "no folder \(folder) for the detection stream \(url.lastPathComponent) — create it, "
                                           + "or point `path` where the detector writes"))
            return
        }
        var attributes: [FileAttributeKey: Any] = [:]
        if let a = try? FileManager.default.attributesOfItem(atPath: url.path) { attributes = a }
        guard !attributes.isEmpty else {
            report.warnings.append("\(url.path) does not exist yet: the run follows it once the detector creates it")
            return
        }
        // A named pipe is read only by the run: reading it here would take the detector's lines.
        guard attributes[.type] as? FileAttributeType == .typeRegular, let handle = FileHandle(forReadingAtPath: url.path) else { return }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 1 << 20)) ?? Data()
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if head.count == 1 << 20 { lines.removeLast() }  // cut mid-line
        var bad: [String] = []
        let decoder = JSONDecoder()
        for (i, line) in lines.enumerated() where !line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
            do {
                _ = try LiveDetectionLine.parse(line, decoder: decoder)
            } catch {
                bad.append("\(url.path):\(i + 1): \(error)")
            }
        }
        if fatal, let first = bad.first {
            report.problems.append(problem(path, "bad detection line (on_error.bad_detection_line is fatal): \(first)"
                                           + (bad.count > 1 ? " (and \(bad.count - 1) more)" : "")))
        } else {
            report.warnings += bad.map { "bad detection line, skipped at run time: \($0)" }
        }
    }
}
