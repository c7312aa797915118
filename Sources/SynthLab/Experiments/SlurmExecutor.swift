import Foundation
import SynthKit
import SynthMath
#if canImport(Glibc)
import Glibc
#endif

/// Trials on a Slurm cluster: specs, outcomes, the worker and the plugins in a folder every node
/// sees; one `sbatch --array` job whose tasks each run several trials (`trialsPerTask`) with at most
/// `concurrency` tasks at once. The executor polls `squeue` itself (a failed `squeue` is not taken
/// for "finished"), ingests each outcome file as soon as it appears (workers write them
/// atomically), resubmits the trials of tasks that ended without their outcome (a killed task, a
/// lost node) up to `attempts` times, and `scancel`s the job when cancelled.
public struct SlurmExecutor: TrialExecutor {
    public var shared: String
    public var worker: WorkerBundle
    public var trialsPerTask: Int
    public var concurrency: Int
    public var attempts: Int
    public var timeout: Double?
    public var partition: String?
    /// Seconds between two looks at the queue and the outcome files.
    public var pollInterval: Double
    /// The Slurm commands (their folder can be set for a cluster whose tools are elsewhere).
    public var commands: SlurmCommands

    public init(shared: String, worker: WorkerBundle, trialsPerTask: Int = 2, concurrency: Int = 8, attempts: Int = 3,
                timeout: Double? = nil, partition: String? = nil, pollInterval: Double = 0.5, commands: SlurmCommands = SlurmCommands()) {
        self.shared = shared
        self.worker = worker
        self.trialsPerTask = max(1, trialsPerTask)
        self.concurrency = max(1, concurrency)
        self.attempts = max(1, attempts)
        self.timeout = timeout
        self.partition = partition
        self.pollInterval = pollInterval
        self.commands = commands
    }

    public func run(_ trials: [TrialSpec], registry: PluginRegistry, cancelled: @escaping () -> Bool,
                    progress: @escaping (String) -> Void, finished: (TrialSpec, TrialOutcome) throws -> Void) throws {
        guard !trials.isEmpty else { return }
        let folder = shared + "/run-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/log", withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var specPaths: [String: String] = [:], outcomePaths: [String: String] = [:]
        for (index, spec) in trials.enumerated() {
            specPaths[spec.key] = folder + "/\(index).spec.json"
            outcomePaths[spec.key] = folder + "/\(index).outcome.json"
            try encoder.encode(spec).write(to: URL(fileURLWithPath: specPaths[spec.key]!))
        }
        var pending = trials
        var attempt = 0
        while !pending.isEmpty {
            attempt += 1
            if cancelled() { return }
            let job = try submit(pending, attempt: attempt, folder: folder, specPaths: specPaths, outcomePaths: outcomePaths)
            progress("Slurm job \(job): \(counted(pending.count, "trial")) in \(counted((pending.count + trialsPerTask - 1) / trialsPerTask, "array task")) (attempt \(attempt))")
            var waiting = pending
            // Hands every outcome that has landed to `finished` and drops its trial from `waiting`.
            func ingest() throws {
                for spec in waiting {
                    guard let data = FileManager.default.contents(atPath: outcomePaths[spec.key]!),
                          let outcome = try? JSONDecoder().decode(TrialOutcome.self, from: data) else { continue }
                    waiting.removeAll { $0.key == spec.key }
                    try finished(spec, outcome)
                }
            }
            var running = true
            while running {
                if cancelled() {
                    _ = try? commands.run(commands.scancel, [job])
                    return
                }
                try ingest()
                if waiting.isEmpty { break }
                // Finished only when squeue answers and no longer lists the job.
                if let listed = try? commands.run(commands.squeue, ["-h", "-j", job, "-o", "%i %T"]) {
                    running = !listed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                }
                if running { usleep(useconds_t(pollInterval * 1_000_000)) }
            }
            // One last look: an outcome may have landed between the last scan and the job's end.
            try ingest()
            if attempt >= attempts {
                for spec in waiting {
                    try finished(spec, .failure(spec.key, "no result from Slurm after \(attempts) attempts (logs in \(folder)/log)"))
                }
                waiting = []
            } else if !waiting.isEmpty {
                progress("Slurm job \(job) ended with \(counted(waiting.count, "trial")) without a result: resubmitting them")
            }
            pending = waiting
        }
    }

    /// Writes the task lists and the batch script, submits the array, returns the job id.
    private func submit(_ trials: [TrialSpec], attempt: Int, folder: String, specPaths: [String: String],
                        outcomePaths: [String: String]) throws -> String {
        let tasks = stride(from: 0, to: trials.count, by: trialsPerTask).map { Array(trials[$0..<min($0 + trialsPerTask, trials.count)]) }
        for (task, members) in tasks.enumerated() {
            let lines = members.map { "\(specPaths[$0.key]!)\t\(outcomePaths[$0.key]!)\n" }.joined()
            try lines.write(toFile: folder + "/attempt\(attempt)-task\(task).list", atomically: true, encoding: .utf8)
        }
        let limit = timeout.map { "timeout --signal=KILL \(Int($0.rounded(.up))) " } ?? ""
        let script = """
            #!/bin/bash
            # SynthLab trials, one array task per list of (spec, outcome) pairs. Generated; do not edit.
            export LD_LIBRARY_PATH="\(worker.libraries)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
            export SYNTHLAB_PLUGIN_PATH="\(worker.plugins)"
            export OPENBLAS_NUM_THREADS=1
            list="\(folder)/attempt\(attempt)-task${SLURM_ARRAY_TASK_ID}.list"
            while IFS=$'\\t' read -r spec out; do
                [ -f "$out" ] && continue
                \(limit)"\(worker.executable)" worker --spec "$spec" --out "$out" || echo "trial $spec: the worker ended with status $?" >&2
            done < "$list"

            """
        let scriptPath = folder + "/attempt\(attempt).sh"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        chmod(scriptPath, 0o755)
        var arguments = ["--parsable", "--job-name=synthlab", "--array=0-\(tasks.count - 1)%\(concurrency)",
                         "--output=\(folder)/log/%A_%a.out", "--ntasks=1", "--cpus-per-task=1"]
        if let partition { arguments.append("--partition=\(partition)") }
        arguments.append(scriptPath)
        let output = try commands.run(commands.sbatch, arguments)
        guard let job = output.split(separator: ";").first.map({ String($0).trimmingCharacters(in: .whitespacesAndNewlines) }),
              !job.isEmpty, job.allSatisfy(\.isNumber) else {
            throw SynthLabError.invalidRequest("sbatch answered '\(output)' instead of a job id")
        }
        return job
    }
}

/// The Slurm client programs, run as child processes.
public struct SlurmCommands: Sendable {
    public var sbatch = "sbatch", squeue = "squeue", scancel = "scancel"
    /// Variables added to this process's environment for the programs (`SLURM_CONF` for a
    /// cluster other than the machine's own); sbatch passes them on to the jobs.
    public var environment: [String: String] = [:]
    public init(environment: [String: String] = [:]) { self.environment = environment }

    /// Runs a command and returns its stdout; throws with its stderr when it fails.
    public func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        if !environment.isEmpty { process.environment = ProcessEnvironment.current.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try ProcessEnvironment.withLock { try process.run() } } catch {
            throw SynthLabError.invalidRequest("cannot run \(program): \(error)")
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // env's status when it finds no such program.
        if process.terminationStatus == 127 {
            throw SynthLabError.invalidRequest("\(program) is not installed: the slurm executor runs Slurm's client programs (sbatch, squeue, scancel) on a machine of the cluster")
        }
        guard process.terminationStatus == 0 else {
            let said = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            // A machine with Slurm's programs but no cluster: they find no slurm.conf.
            let unconfigured = ["Could not establish a configuration source", "Unable to process configuration file", "slurm.conf"].contains { said.contains($0) }
            let hint = unconfigured
                ? "\n(no Slurm cluster is configured on this machine: \(program) finds no slurm.conf; run on a machine of the cluster, "
                    + "set SLURM_CONF to its slurm.conf (docs/scale-out.md), or run the trials here with executor: \"workers\")"
                : ""
            throw SynthLabError.invalidRequest("\(program) failed (\(process.terminationStatus)): \(said)\(hint)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// The worker as compute nodes run it: the `synthlab` executable, the Swift runtime libraries it
/// loads from the toolchain (so nodes need no Swift installed), and the plugins with theirs, in a
/// folder on the shared file system.
public struct WorkerBundle: Sendable {
    public var executable: String
    public var libraries: String
    public var plugins: String

    /// Copies `executable` and the plugin libraries of `pluginFolders` into `folder`, with every
    /// shared library they load from outside the system's library folders.
    public static func make(executable: String, pluginFolders: [String], in folder: String) throws -> WorkerBundle {
        let fm = FileManager.default
        let bin = folder + "/bin", lib = folder + "/lib", plugins = folder + "/plugins"
        for path in [bin, lib, plugins] { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) }
        // A file already there with the source's size and modification time is left alone: a
        // bundle is made for every run, and the runtime alone is over 100 MB.
        func copy(_ source: String, to target: String) throws {
            let from = try fm.attributesOfItem(atPath: source)
            if let to = try? fm.attributesOfItem(atPath: target),
               to[.size] as? Int == from[.size] as? Int, to[.modificationDate] as? Date == from[.modificationDate] as? Date {
                return
            }
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.copyItem(atPath: source, toPath: target)
            if let date = from[.modificationDate] { try fm.setAttributes([.modificationDate: date], ofItemAtPath: target) }
        }
        var binaries = [executable]
        try copy(executable, to: bin + "/synthlab")
        for source in pluginFolders {
            for name in (try? fm.contentsOfDirectory(atPath: source)) ?? [] where name.hasSuffix(".so") {
                try copy(source + "/" + name, to: plugins + "/" + name)
                binaries.append(source + "/" + name)
            }
        }
        // The Swift runtime: whatever ldd resolves outside /lib and /usr/lib.
        var libraries = Set<String>()
        for binary in binaries {
            let listing = (try? SlurmCommands().run("ldd", [binary])) ?? ""
            for line in listing.split(separator: "\n") {
                guard let arrow = line.range(of: "=> ") else { continue }
                let path = line[arrow.upperBound...].split(separator: " ").first.map(String.init) ?? ""
                if path.hasPrefix("/") && !path.hasPrefix("/lib") && !path.hasPrefix("/usr/lib") { libraries.insert(path) }
            }
        }
        for library in libraries { try copy(library, to: lib + "/" + (library as NSString).lastPathComponent) }
        return WorkerBundle(executable: bin + "/synthlab", libraries: lib, plugins: plugins)
    }

    public init(executable: String, libraries: String, plugins: String) {
        self.executable = executable
        self.libraries = libraries
        self.plugins = plugins
    }
}
