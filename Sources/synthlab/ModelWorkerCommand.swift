import ArgumentParser
import Foundation
import CProcess
import SynthLab

/// Holds one fitted model for the REPL's `fit`, `sample`, `save` and `load_model`: answers the
/// session's requests on stdin until it closes them. A plugin that crashes here ends this process
/// only.
struct ModelWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-worker", abstract: "Hold a fitted model for a session (started by the REPL's fit).", shouldDisplay: false)

    @Option(help: "The session's process id: the worker ends when that process does.") var parent: Int32?

    func run() throws {
        // A worker whose parent was killed has no one to report to.
        if let parent, synth_die_with_parent(parent) != 0 { throw ExitCode(1) }
        let status = ModelWorkerLoop.run(registry: PluginRegistry())
        if status != 0 { throw ExitCode(status) }
    }
}
