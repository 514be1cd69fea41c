import Foundation

@testable import Pipeline

/// Pipeline files written into a scratch folder and read back, for the tests of their keys.
struct PipelineFileFixture {
    /// The scratch folder (relative paths in the files start here).
    let folder: URL

    /// Writes `text` as `name` in the folder.
    func write(_ text: String, name: String = "p.yaml") throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Every problem `text` resolves with, each `p.yaml:LINE:COLUMN: message` (empty when it resolves).
    func problems(_ text: String) throws -> [String] {
        let url = try write(text)
        do {
            _ = try PipelineFile.load(url).resolve()
            return []
        } catch {
            return error.problems.map { $0.description.replacingOccurrences(of: url.path, with: "p.yaml") }
        }
    }
}
