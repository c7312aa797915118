import ArgumentParser
import Foundation
import SynthLab

/// Runs validators for the REPL's `validate`: reads the job, writes the outcome. The session
/// starts one per call and reads the outcome file; a validator that crashes ends this process
/// only.
struct ValidateWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-worker", abstract: "Run validators over tables (started by the REPL's validate).", shouldDisplay: false)

    @Option(help: "The validation job (JSON).") var job: String
    @Option(help: "Where to write the outcome (JSON), atomically.") var out: String
    @Option(help: "The session's process id: the worker ends when that process does.") var parent: Int32?

    func run() throws {
        let spec = try WorkerIO.start(parent: parent, reading: ValidationJob.self, from: job, command: "validate-worker",
                                      what: "a validation job")
        var outcome: ValidationOutcome
        do {
            // The session reads these lines to name the validator that was running if this process dies.
            outcome = try spec.run(registry: PluginRegistry()) { id in
                FileHandle.standardError.write(Data("validating: \(id)\n".utf8))
            }
        } catch {
            outcome = ValidationOutcome(metrics: [], log: [], error: String(describing: error))
        }
        try WorkerIO.finish(outcome, to: out)
    }
}
