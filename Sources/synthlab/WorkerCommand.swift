import ArgumentParser
import Foundation
import CProcess
import SynthLab

/// Runs one trial for an experiment runner: reads its spec, writes its outcome. The runner starts
/// one per trial (posix_spawn), reaps it with wait4 and reads the outcome file; a worker that dies
/// fails only its trial.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run one experiment trial (started by the experiment runner).", shouldDisplay: false)

    @Option(help: "The trial spec (JSON).") var spec: String
    @Option(help: "Where to write the outcome (JSON), atomically.") var out: String
    @Option(help: "The runner's process id: the worker ends when that process does.") var parent: Int32?

    func run() throws {
        // Die with the runner: a worker whose runner was killed has no one to report to.
        if let parent, synth_die_with_parent(parent) != 0 { throw ExitCode(1) }
        let trial: TrialSpec
        do {
            trial = try JSONDecoder().decode(TrialSpec.self, from: Data(contentsOf: URL(fileURLWithPath: spec)))
        } catch {
            FileHandle.standardError.write(Data("synthlab worker: \(spec): not a trial spec: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var outcome: TrialOutcome
        do {
            // Progress lines go to stderr, which the runner reads for its progress display.
            outcome = try TrialRunner.run(trial, registry: PluginRegistry(), progress: { message in
                FileHandle.standardError.write(Data("progress: \(message.replacingOccurrences(of: "\n", with: " "))\n".utf8))
            })
        } catch {
            outcome = .failure(trial.key, String(describing: error))
        }
        // Where it ran: the Slurm node, or this host.
        let node = ProcessInfo.processInfo.environment["SLURMD_NODENAME"] ?? ProcessInfo.processInfo.hostName
        outcome.log.append("[info] ran on \(node)")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(outcome).write(to: URL(fileURLWithPath: out), options: .atomic)
    }
}
