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
        let trial = try WorkerIO.start(parent: parent, reading: TrialSpec.self, from: spec, command: "worker", what: "a trial spec")
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
        try WorkerIO.finish(outcome, to: out)
    }
}

/// What the worker commands share: they die with the process that started them, read a JSON
/// input and write a JSON outcome atomically.
enum WorkerIO {
    static func start<Input: Decodable>(parent: Int32?, reading type: Input.Type, from path: String, command: String,
                                        what: String) throws -> Input {
        // A worker whose parent was killed has no one to report to.
        if let parent, synth_die_with_parent(parent) != 0 { throw ExitCode(1) }
        do {
            return try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            FileHandle.standardError.write(Data("synthlab \(command): \(path): not \(what): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    static func finish<Outcome: Encodable>(_ outcome: Outcome, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(outcome).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
