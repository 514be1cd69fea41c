import ArgumentParser
import Foundation
import Pipeline
import YAMLLite

/// `panoptes validate`: Check a pipeline file and what it points at, without running it.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a pipeline file and what it points at, without running it.",
        discussion: """
            Checks the file's syntax and keys, that every video and detection file exists and parses, \
            and that the weights fit the model. Exits 0 when it can run, 2 with every problem found. \
            --print shows the effective configuration with every default filled in.
            """)

    @Argument(help: "The pipeline file (YAML-lite).")
    var pipeline: String

    @Flag(help: "Print the effective configuration (every default filled in) as YAML-lite.")
    var print = false

    @Flag(help: "With --print, print it as JSON instead.")
    var json = false

    func validate() throws {
        if json && !print { throw ValidationError("--json goes with --print.") }
    }
}

extension ValidateCommand {
    func run() throws {
        let stderr = FileHandle.standardError
        let file: PipelineFile
        let resolved: ResolvedPipeline
        do {
            file = try PipelineFile.load(URL(fileURLWithPath: pipeline))
            resolved = try file.resolve()
        } catch {
            stderr.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let report = file.check(resolved)
        for w in report.warnings { stderr.write(Data("warning: \(w)\n".utf8)) }
        guard report.problems.isEmpty else {
            stderr.write(Data((report.problems.map(\.description).joined(separator: "\n") + "\n").utf8))
            throw ExitCode(2)
        }
        if print {
            let effective = file.effective(resolved)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(effective) + Data("\n".utf8))
            } else {
                Swift.print(try YAMLLiteEncoder().encode(effective), terminator: "")
            }
        } else {
            stderr.write(Data("\(pipeline): ok (\(resolved.cameras.count) cameras, \(resolved.architecture.rawValue))\n".utf8))
        }
    }
}
