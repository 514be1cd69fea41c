import ArgumentParser
import Foundation
import ReIDNet

/// The `panoptes` command: multi-camera person re-identification from recorded or streamed footage.
///
/// Exit codes (DESIGN.md): 0 ok, 1 runtime failure, 2 usage or configuration error, 3 partial failure.
@main
struct Panoptes: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "panoptes",
        abstract: "Watch multi-camera footage and say who is who.",
        discussion: """
            FFmpeg decodes the cameras, the PFSA re-identification network embeds supplied person \
            boxes, and a tracker links them into identities across cameras.
            """,
        version: version,
        subcommands: [
            RunCommand.self,
            ValidateCommand.self,
            CalibrateCommand.self,
            ProbeCommand.self,
            EmbedCommand.self,
            InspectCommand.self,
            SynthCommand.self,
            ScoreCommand.self,
            EvalCommand.self,
            BenchCommand.self,
            TailCommand.self,
        ]
    )

    /// Runs the command and maps errors onto the documented exit codes.
    ///
    /// swift-argument-parser exits 64 (EX_USAGE) on validation errors; Panoptes promises 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || code.rawValue == ExitCode.validationFailure.rawValue {
                // Help, version and usage text keep the parser's own rendering.
                let message = fullMessage(for: error)
                if code == .success {
                    print(message)
                    Foundation.exit(0)
                }
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(2)
            }
            if let exit = error as? ExitCode {
                Foundation.exit(exit.rawValue)
            }
            FileHandle.standardError.write(Data(("error: \(error)\n").utf8))
            Foundation.exit(CommandFailure.exitStatus(for: error))
        }
    }
}
