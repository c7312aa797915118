import Foundation
import SynthKit
import Testing
@testable import SynthLab
@testable import SynthShell
import SynthMath

/// A two-node Slurm cluster on this machine (scripts/slurm-cluster.sh), started once for these
/// tests and stopped when the test process exits. If it cannot start, the tests fail.
enum SlurmCluster {
    static let folder = Support.temporaryFolder("synthlab-slurm")

    /// The ports of the cluster's daemons, for the script that starts and stops it.
    static let ports: [String: String] = {
        let base = 20_000 + Int(getpid() % 20_000)
        return ["SYNTHLAB_SLURMCTLD_PORT": String(base), "SYNTHLAB_SLURMD_PORT": String(base + 1)]
    }()

    static let started: Result<String, SupportError> = {
        let status = script("start")
        guard status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/start.log", encoding: .utf8)) ?? ""
            return .failure(SupportError("the Slurm cluster did not start (status \(status)): \(log.suffix(2000))"))
        }
        atexit { _ = SlurmCluster.script("stop") }
        return .success(folder + "/slurm.conf")
    }()

    /// The client programs pointed at this cluster (the test process's own environment is left
    /// as it is: other tests copy it for their child processes meanwhile).
    static let commands = SlurmCommands(environment: ["SLURM_CONF": folder + "/slurm.conf"])

    /// Runs scripts/slurm-cluster.sh with posix_spawn and waitpid, its output to start.log:
    /// Foundation's Process would wait for the daemons it leaves running.
    static func script(_ action: String) -> Int32 {
        let arguments = [Support.repositoryRoot + "/scripts/slurm-cluster.sh", action, folder]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = ProcessEnvironment.current.merging(ports) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, folder + "/start.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], &actions, nil, argv, envp) == 0 else { return -1 }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (status >> 8) & 0xff
    }

    /// A session whose slurm executor runs on this cluster.
    static func session() throws -> CapturedSession {
        let shell = try CapturedSession()
        shell.session.slurmCommands = commands
        return shell
    }

    static func require() throws { _ = try started.get() }

    /// The nodes the trials of a workspace's store say they ran on.
    static func nodes(_ workspace: String) throws -> Set<String> {
        let store = try ResultStore(workspace: workspace)
        var nodes = Set<String>()
        for key in try store.keys() {
            for line in try store.outcome(forKey: key)?.log ?? [] where line.hasPrefix("[info] ran on ") {
                nodes.insert(String(line.dropFirst("[info] ran on ".count)))
            }
        }
        return nodes
    }
}

@Suite(.serialized) struct SlurmTests {
    static let insurance = Support.data("insurance.csv")
    static let experiment = """
        e = experiment(tables: ins, generators: [independent(), gaussian_copula(), bayesian_network()], seeds: [1, 2, 3], holdout: 0.2,
                       validators: [quality, utility(models: "linear"), constraints(rules: "charges >= 1200; 2 * bmi >= 40")],
                       keep: "charges >= 1200; 2 * bmi >= 40")
        """

    @Test func slurmAndLocalWorkersGiveTheSameNumbersAndUseBothNodes() throws {
        try SlurmCluster.require()
        var details: [String] = []
        var workspaces: [String] = []
        for executor in ["workers", "slurm"] {
            let shell = try SlurmCluster.session()
            #expect(shell.type(#"ins = load("\#(Self.insurance)", target: "charges")"#))
            #expect(shell.type(Self.experiment))
            #expect(shell.type(#"r = run(e, executor: "\#(executor)")"#), Comment(rawValue: shell.errors))
            let file = shell.session.workspace + "/details.csv"
            #expect(shell.type(#"export(details(r), "\#(file)")"#), Comment(rawValue: shell.errors))
            details.append(try String(contentsOfFile: file, encoding: .utf8))
            workspaces.append(shell.session.workspace)
            #expect(try ResultStore(workspace: shell.session.workspace).trialCount() == 9)
        }
        #expect(details[0] == details[1])
        #expect(details[0].split(separator: "\n").count > 40)
        // Every trial's rows keep the experiment's rules, on the cluster as here.
        let rates = details[0].split(separator: "\n").filter { $0.contains(",constraint_violation_rate,") }
        #expect(rates.count == 9 && rates.allSatisfy { Double($0.split(separator: ",", omittingEmptySubsequences: false)[6]) == 0 }, "\(rates)")
        #expect(try SlurmCluster.nodes(workspaces[1]) == ["node1", "node2"])
    }

    @Test func aKilledArrayTaskIsResubmittedAndTheExperimentCompletes() throws {
        try SlurmCluster.require()
        let shell = try SlurmCluster.session()
        shell.session.slurmTrialsPerTask = 1
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        // Trials long enough to be caught running.
        #expect(shell.type("e = experiment(tables: ins, generators: tvae(epochs: 150), seeds: [1, 2, 3, 4], validators: quality)"))
        // Another thread kills the first array task it sees running, once.
        let killed = Killer()
        let thread = Thread {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, killed.task == nil {
                if let listing = try? SlurmCluster.commands.run("squeue", ["-h", "-n", "synthlab", "-t", "RUNNING", "-o", "%i"]),
                   let task = listing.split(separator: "\n").map(String.init).first(where: { $0.contains("_") }) {
                    usleep(500_000)
                    if (try? SlurmCluster.commands.run("scancel", ["--signal=KILL", task])) != nil { killed.task = task }
                }
                usleep(100_000)
            }
        }
        thread.start()
        #expect(shell.type(#"r = run(e, executor: "slurm")"#), Comment(rawValue: shell.errors))
        #expect(killed.task != nil, "an array task was killed")
        let store = try ResultStore(workspace: shell.session.workspace)
        #expect(try store.trialCount() == 4)
        let outcomes = try store.keys().compactMap { try store.outcome(forKey: $0) }
        #expect(outcomes.allSatisfy { $0.status == .done }, "\(outcomes.map(\.error))")
        // The killed task's trial went out again in a second submission.
        let runs = try FileManager.default.contentsOfDirectory(atPath: shell.session.workspace + "/slurm").filter { $0.hasPrefix("run-") }
        let scripts = try runs.flatMap { try FileManager.default.contentsOfDirectory(atPath: shell.session.workspace + "/slurm/" + $0) }
        #expect(scripts.contains("attempt2.sh"), "\(scripts)")
    }

    @Test func theWorkerBundleRunsWithoutTheSwiftToolchain() throws {
        try SlurmCluster.require()
        let shell = try SlurmCluster.session()
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(shell.type(#"r = run(experiment(tables: ins, generators: independent(), seeds: [5], validators: quality), executor: "slurm")"#),
                Comment(rawValue: shell.errors))
        let shared = shell.session.workspace + "/slurm"
        let run = try #require(try FileManager.default.contentsOfDirectory(atPath: shared).first { $0.hasPrefix("run-") })
        let out = Support.temporaryFolder() + "/outcome.json"
        // /opt/swift (the toolchain) hidden behind an empty file system in a private mount namespace.
        let toolchain = (Support.executable as NSString).deletingLastPathComponent.hasPrefix("/opt/swift") ? "/opt/swift/usr" : "/opt/swift"
        let command = "mount -t tmpfs none \(toolchain) && LD_LIBRARY_PATH=\(shared)/worker/lib SYNTHLAB_PLUGIN_PATH=\(shared)/worker/plugins "
            + "\(shared)/worker/bin/synthlab worker --spec \(shared)/\(run)/0.spec.json --out \(out)"
        let result = try Support.run("/usr/bin/unshare", ["--mount", "sh", "-c", command])
        #expect(result.status == 0, Comment(rawValue: result.stderr))
        let outcome = try JSONDecoder().decode(TrialOutcome.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(outcome.status == .done && !outcome.metrics.isEmpty)
        // Without the bundle's libraries the same binary cannot start there.
        let bare = try Support.run("/usr/bin/unshare", ["--mount", "sh", "-c", "mount -t tmpfs none \(toolchain) && \(shared)/worker/bin/synthlab worker --help"])
        #expect(bare.status != 0 && bare.stderr.contains("error while loading shared libraries"), Comment(rawValue: bare.stderr))
    }
}

extension SlurmTests {
    /// Trial specs for the executor on its own: independent on insurance, one per seed.
    static func specs(_ seeds: [UInt64], workspace: String, registry: PluginRegistry, generator: PluginSpec = PluginSpec(id: "independent"))
        throws -> [TrialSpec] {
        let table = try CSVReader.read(path: insurance)
        let stored = try TableSpec.stored(table, name: "ins", target: nil, in: workspace + "/tables")
        let plugin = try registry.plugin(generator.id), quality = try registry.plugin("quality")
        return seeds.map { seed in
            TrialSpec(table: stored, holdout: 0, generator: generator, privacy: nil,
                      validators: [PluginSpec(id: "quality")], seed: seed, rows: 200, label: generator.id,
                      versions: ["\(generator.id) \(plugin.descriptor.version)", "quality \(quality.descriptor.version)"])
        }
    }

    @Test func aFailingSqueueIsNotTakenForFinished() throws {
        try SlurmCluster.require()
        let workspace = Support.temporaryFolder("synthlab-workspace")
        let plugins = try Support.pluginFolder()
        let registry = PluginRegistry(searchPath: [plugins])
        // An squeue that fails its first ten calls, as a busy controller does.
        let fake = workspace + "/squeue"
        try """
            #!/bin/bash
            n=$(cat "\(workspace)/calls" 2>/dev/null || echo 0); echo $((n + 1)) > "\(workspace)/calls"
            if [ "$n" -lt 10 ]; then echo "squeue: error: slurm_load_jobs error: Socket timed out" >&2; exit 1; fi
            exec squeue "$@"
            """.write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        var commands = SlurmCluster.commands
        commands.squeue = fake
        let bundle = try WorkerBundle.make(executable: Support.executable, pluginFolders: [plugins], in: workspace + "/slurm/worker")
        let executor = SlurmExecutor(shared: workspace + "/slurm", worker: bundle, pollInterval: 0.1, commands: commands)
        var outcomes: [TrialOutcome] = []
        // Trials of a few seconds, so the executor asks the queue many times while they run.
        let slow = PluginSpec(id: "tvae", parameters: ["epochs": .int(60)])
        try executor.run(try Self.specs([1, 2], workspace: workspace, registry: registry, generator: slow), registry: registry,
                         cancelled: { false }, progress: { _ in }) { _, outcome in outcomes.append(outcome) }
        #expect(outcomes.count == 2 && outcomes.allSatisfy { $0.status == .done }, "\(outcomes.map(\.error))")
        #expect(Int((try String(contentsOfFile: workspace + "/calls", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines))! > 10)
        // Had a failed squeue meant "finished", the trials would have been submitted again.
        let runs = try FileManager.default.contentsOfDirectory(atPath: workspace + "/slurm").filter { $0.hasPrefix("run-") }
        #expect(try runs.allSatisfy { !(try FileManager.default.contentsOfDirectory(atPath: workspace + "/slurm/" + $0)).contains("attempt2.sh") })
    }

    /// Without Slurm's client programs, the executor says so instead of env's words.
    @Test func aMissingClientProgramIsNamed() throws {
        var commands = SlurmCluster.commands
        commands.sbatch = "sbatch-that-is-not-installed"
        #expect(throws: SynthLabError.invalidRequest(
            "sbatch-that-is-not-installed is not installed: the slurm executor runs Slurm's client programs (sbatch, squeue, scancel) on a machine of the cluster")) {
            try commands.run(commands.sbatch, ["--version"])
        }
        // A program that runs and fails gives its own words and status.
        #expect(throws: SynthLabError.invalidRequest("false failed (1): ")) { try commands.run("false", []) }
        // Slurm's programs on a machine of no cluster: their words, and what to do.
        let folder = Support.temporaryFolder()
        let fake = folder + "/sbatch"
        try "#!/bin/sh\necho 'sbatch: fatal: Could not establish a configuration source' >&2\nexit 1\n".write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        #expect(throws: SynthLabError.invalidRequest(
            "\(fake) failed (1): sbatch: fatal: Could not establish a configuration source\n(no Slurm cluster is configured on this machine: \(fake) finds no slurm.conf; "
            + "run on a machine of the cluster, set SLURM_CONF to its slurm.conf (docs/scale-out.md), or run the trials here with executor: \"workers\")")) {
            try commands.run(fake, ["--parsable"])
        }
    }

    @Test func cancellingScancelsTheJob() throws {
        try SlurmCluster.require()
        let workspace = Support.temporaryFolder("synthlab-workspace")
        let plugins = try Support.pluginFolder()
        let registry = PluginRegistry(searchPath: [plugins])
        let bundle = try WorkerBundle.make(executable: Support.executable, pluginFolders: [plugins], in: workspace + "/slurm/worker")
        let executor = SlurmExecutor(shared: workspace + "/slurm", worker: bundle, trialsPerTask: 1, concurrency: 1, pollInterval: 0.1, commands: SlurmCluster.commands)
        var job: String?
        var outcomes = 0
        let started = Date()
        try executor.run(try Self.specs(Array(1...12), workspace: workspace, registry: registry), registry: registry,
                         cancelled: { Date().timeIntervalSince(started) > 1.5 },
                         progress: { message in if job == nil, message.hasPrefix("Slurm job ") { job = String(message.dropFirst(10).prefix { $0 != ":" }) } },
                         finished: { _, _ in outcomes += 1 })
        let id = try #require(job)
        #expect(outcomes < 12, "cancelled before every trial ran")
        // The job leaves the queue.
        var listed = "?"
        for _ in 0..<50 {
            listed = (try? SlurmCluster.commands.run("squeue", ["-h", "-j", id, "-o", "%i"])) ?? ""
            if listed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { break }
            usleep(100_000)
        }
        #expect(listed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "job \(id) still listed: \(listed)")
    }
}

final class Killer: @unchecked Sendable {
    var task: String?
}
