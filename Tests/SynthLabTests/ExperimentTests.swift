import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthLab
@testable import SynthShell

/// Experiments run by worker processes into the workspace's results store: isolation, resumption
/// after a kill, and the same numbers wherever a trial runs.
@Suite(.serialized) struct ExperimentTests {
    static let insurance = Support.data("insurance.csv")

    @Test func workersAndInProcessGiveTheSameNumbers() throws {
        var details: [String] = []
        for executor in ["workers", "inprocess"] {
            let shell = try CapturedSession()
            #expect(shell.type(#"ins = load("\#(Self.insurance)", target: "charges")"#))
            #expect(shell.type("e = experiment(tables: ins, generators: [independent(), gaussian_copula(), bayesian_network()], seeds: [1, 2], rows: 400, holdout: 0.2)"))
            #expect(shell.type(#"r = run(e, executor: "\#(executor)")"#), Comment(rawValue: shell.errors))
            let store = try ResultStore(workspace: shell.session.workspace)
            #expect(try store.trialCount() == 6)
            let file = shell.session.workspace + "/details.csv"
            #expect(shell.type(#"export(details(r), "\#(file)")"#), Comment(rawValue: shell.errors))
            details.append(try String(contentsOfFile: file, encoding: .utf8))
            // No mechanism is composed: the privacy figure says that, not that a metric is missing.
            #expect(shell.result(#"figure("privacy", r, to: "\#(shell.session.workspace)/p.svg")"#).contains(
                "no trial spent privacy: compose a generator with a privacy mechanism"))
        }
        #expect(details[0] == details[1])
        #expect(details[0].contains("utility,linear_r2,"), Comment(rawValue: String(details[0].prefix(300))))
        #expect(details[0].split(separator: "\n").count > 100)
    }

    /// named() gives configurations the short names a paper's table needs; a sweep's members are
    /// told apart by what differs among them. Names that would merge two configurations are
    /// refused, and a recorded session replays them.
    @Test func namedConfigurationsNameTheirResults() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder("synthlab-named")
        #expect(shell.type(".record \(folder)/session.synth"))
        #expect(shell.type(#"ins = load("\#(Self.insurance)", target: "charges")"#))
        #expect(shell.type(#"base = named(independent(), "baseline")"#), Comment(rawValue: shell.errors))
        #expect(shell.type(#"private = named(independent(bins: 8) with laplace(epsilon: [1, 4]), "noisy histograms")"#), Comment(rawValue: shell.errors))
        #expect(shell.type(#"r = run(experiment(tables: ins, generators: [base, private, gaussian_copula()], seeds: [1], rows: 200, validators: quality))"#),
                Comment(rawValue: shell.errors))
        #expect(shell.type(#"export(r, "\#(folder)/r.md")"#))
        // The sweep is one line of the privacy figure, under its name.
        #expect(shell.type(#"figure("privacy", r, metric: "quality", to: "\#(folder)/privacy.svg")"#), Comment(rawValue: shell.errors))
        let figure = try String(contentsOfFile: folder + "/privacy.svg", encoding: .utf8)
        #expect(figure.components(separatedBy: "<polyline").count == 2 && figure.contains(">noisy histograms</text>"), Comment(rawValue: figure))
        #expect(Report.seriesName(["independent with laplace(epsilon: 1.0)", "independent with laplace(epsilon: 10.0)"]) == "independent")
        #expect(Report.seriesName(["DP (v2)"]) == "DP (v2)")
        #expect(shell.type(".record off"))
        let table = try String(contentsOfFile: folder + "/r.md", encoding: .utf8)
        let names = table.split(separator: "\n").dropFirst(2).map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[1] }
        #expect(names == ["baseline", "noisy histograms (epsilon: 1.0)", "noisy histograms (epsilon: 4.0)", "gaussian_copula"], Comment(rawValue: table))
        #expect(shell.result("base").contains(#"named(independent(numeric_model: "empirical", bins: 32, keep_missing: true, bounds: "", categories: ""), "baseline")"#))
        #expect(shell.result(#"fit(base, ins, seed: 1)"#).contains("baseline fitted on ins (seed 1)"), Comment(rawValue: shell.output))
        #expect(shell.result(".names").contains(#"a generator configuration (independent, named "baseline")"#),
                Comment(rawValue: shell.output))

        // The recording replays to the same names.
        let replay = try CapturedSession()
        replay.session.workspace = shell.session.workspace
        #expect(replay.type(".read \(folder)/session.synth"), Comment(rawValue: replay.errors))
        #expect(replay.type(#"export(r, "\#(folder)/again.md")"#))
        #expect(try String(contentsOfFile: folder + "/again.md", encoding: .utf8) == table)

        #expect(shell.result(#"named([ctgan(epochs: 5), tvae()], "neural")"#).contains(#""neural (ctgan(epochs: 5))")"#)
                && shell.result(#"named([ctgan(epochs: 5), tvae()], "neural")"#).contains(#""neural (tvae)")"#), Comment(rawValue: shell.output))
        #expect(shell.result(#"named(independent(), " ")"#).contains("named(): the name must be one line with some text"))
        #expect(shell.result(#"named([independent(), independent()], "x")"#).contains("two members of the list are the same configuration, independent"))
        #expect(shell.result(#"experiment(tables: ins, generators: [named(independent(), "g"), named(gaussian_copula(), "g")])"#)
            .contains("generators: independent and gaussian_copula are both named 'g'; give each a name of its own"))
        #expect(shell.result(#"named(ins, "x")"#).contains("expected a generator plugin, got a table"), Comment(rawValue: shell.errors))
    }

    /// compare() pairs each seed's trials (they share the seed's split): the mean difference, its
    /// interval and p-value are the paired t-test's on those differences, Holm-adjusted over the
    /// comparisons shown.
    @Test func compareTestsThePairedDifferences() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(Self.insurance)", target: "charges")"#))
        #expect(shell.type(#"r = run(experiment(tables: ins, generators: [named(independent(), "base"), gaussian_copula(), bayesian_network()], seeds: [1, 2, 3, 4], rows: 200, holdout: 0.2, validators: quality))"#),
                Comment(rawValue: shell.errors))
        guard case .results(let results) = shell.session.lookup("r") else { Issue.record("no results"); return }
        func quality(_ generator: String, _ seed: UInt64) -> Double {
            results.trials.first { $0.generator == generator && $0.seed == seed }!.metrics.first { $0.metric.name == "quality" && $0.metric.column == nil }!.metric.value
        }
        let pairs = [("base", "gaussian_copula"), ("base", "bayesian_network"), ("gaussian_copula", "bayesian_network")]
        let tests = pairs.map { a, b in PairedTTest((1...4).map { quality(a, UInt64($0)) - quality(b, UInt64($0)) })! }
        let holm = PairedTTest.holm(tests.map(\.p))
        #expect(shell.type(".mode csv"))
        let table = shell.result(#"compare(r, "quality")"#)
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.first == "table,generator,compared with,seeds,quality difference,95% low,95% high,p,p (Holm)", Comment(rawValue: table))
        #expect(lines.count == 4)
        for (index, (a, b)) in pairs.enumerated() where lines.count == 4 {
            let cells = lines[index + 1].split(separator: ",").map(String.init)
            #expect(cells[0...3] == ["ins", a, b, "4"], Comment(rawValue: lines[index + 1]))
            let numbers = cells[4...].compactMap(Double.init)
            let expected = [tests[index].mean, tests[index].low, tests[index].high, tests[index].p, holm[index]]
            #expect(numbers.count == 5 && zip(numbers, expected).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }, "\(numbers) against \(expected)")
        }
        // Against one configuration: every other, first minus it.
        let against = shell.result(#"compare(r, "quality", against: "base")"#).split(separator: "\n")
        #expect(against.count == 3 && against[1].hasPrefix("ins,gaussian_copula,base,4,") && against[2].hasPrefix("ins,bayesian_network,base,4,"))
        #expect(shell.result(#"compare(r, "qualty")"#).contains("no trial reported 'qualty' (did you mean `quality`?)"))
        #expect(shell.result(#"compare(r, "quality", against: "bse")"#)
            .contains("against: no configuration is named 'bse' (did you mean `base`?) (the results' configurations: base; gaussian_copula; bayesian_network)"))
        #expect(shell.result(#"compare(ins, "quality")"#).contains("compare() takes experiment results, got a table"))
    }

    /// A file under the store's name that is not a store is named, with what to do, and left as it is.
    @Test func aStoreFileThatIsNotADatabaseIsNamedAndLeftAlone() throws {
        let folder = Support.temporaryFolder("synthlab-workspace")
        let store = folder + "/" + ResultStore.fileName
        try "notes, not a database\n".write(toFile: store, atomically: true, encoding: .utf8)
        let shell = try CapturedSession()
        #expect(shell.type(".workspace \(folder)"), Comment(rawValue: shell.errors))
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(!shell.type("r = run(experiment(tables: ins, generators: independent(), seeds: 1, rows: 50))"))
        #expect(shell.errors.contains("\(store): cannot open the results store: it is not an SQLite database (file is not a database); "
                                      + "move it out of the workspace, or choose another workspace, and a new store is made"), Comment(rawValue: shell.errors))
        #expect(try String(contentsOfFile: store, encoding: .utf8) == "notes, not a database\n")
    }

    /// A workspace that cannot be one is refused where it is named, and the session keeps its own.
    @Test func aFileInTheWayOfTheWorkspaceIsNamed() throws {
        let folder = Support.temporaryFolder("synthlab-workspace")
        try "x".write(toFile: folder + "/taken", atomically: true, encoding: .utf8)
        let shell = try CapturedSession()
        let before = shell.session.workspace
        #expect(!shell.type(".workspace \(folder)/taken"))
        #expect(shell.errors.contains("cannot use \(folder)/taken as the workspace: it is a file, not a folder"), Comment(rawValue: shell.errors))
        #expect(!shell.type(".workspace \(folder)/taken/results"))
        #expect(shell.errors.contains("cannot use \(folder)/taken/results as the workspace: \(folder)/taken is a file, not a folder"))
        // A folder the system will not make is named with its reason: /proc takes no new folder, though it is writable.
        #expect(!shell.type(".workspace /proc/synthlab-workspace/results"))
        #expect(shell.errors.contains("cannot use /proc/synthlab-workspace/results as the workspace: cannot make the folder /proc/synthlab-workspace (No such file or directory)"),
                Comment(rawValue: shell.errors))
        #expect(shell.session.workspace == before)
        #expect(shell.type(".workspace \(folder)/new/results"), Comment(rawValue: shell.errors))
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder + "/new/results", isDirectory: &isFolder) && isFolder.boolValue)
        // A workspace that became a file after it was chosen fails the run with the same words.
        try FileManager.default.removeItem(atPath: folder + "/new/results")
        try "x".write(toFile: folder + "/new/results", atomically: true, encoding: .utf8)
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(!shell.type("run(experiment(tables: ins, generators: independent(), seeds: 1, rows: 50))"))
        #expect(shell.errors.contains("cannot use \(folder)/new/results as the workspace: it is a file, not a folder"), Comment(rawValue: shell.errors))
        let refused = try Support.synthlab(["--workspace", folder + "/taken", "-c", "1"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("cannot use \(folder)/taken as the workspace: it is a file, not a folder"), Comment(rawValue: refused.stderr))
    }

    @Test func aPluginThatAbortsFailsOnlyItsTrial() throws {
        let plugins = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/aborting_validator.c", to: plugins + "/aborting_validator.so")
        let shell = try CapturedSession(pluginFolder: plugins)
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(shell.type("r = run(experiment(tables: ins, generators: independent(), validators: [column_shapes, aborts_on_seed], seeds: [1, 2, 3], rows: 200))"),
                Comment(rawValue: shell.errors))
        #expect(shell.errors.contains("1 of 3 trials failed"), Comment(rawValue: shell.errors))
        #expect(shell.errors.contains("seed 2: the worker died of signal 6 (SIGABRT: a plugin aborted)"), Comment(rawValue: shell.errors))
        let store = try ResultStore(workspace: shell.session.workspace)
        let outcomes = try store.keys().compactMap { try store.outcome(forKey: $0) }
        #expect(outcomes.count == 3)
        #expect(outcomes.filter { $0.status == .done }.count == 2)
        #expect(outcomes.filter { $0.status == .done }.allSatisfy { outcome in
            outcome.metrics.contains { $0.metric == "seed_parity" } && outcome.peakMiB.map { $0 > 1 } == true
        })
        let summary = shell.result("r")
        #expect(summary.contains("failed"), Comment(rawValue: summary))
        // Run again, the trials that are done stay, and the one that failed runs again.
        shell.clear()
        #expect(shell.type("r = run(experiment(tables: ins, generators: independent(), validators: [column_shapes, aborts_on_seed], seeds: [1, 2, 3], rows: 200))"),
                Comment(rawValue: shell.errors))
        #expect(shell.errors.contains("2 of 3 trials are in the store (") && shell.errors.contains("running the other 1, which failed before"),
                Comment(rawValue: shell.errors))
        #expect(shell.errors.contains("1 of 3 trials failed"), Comment(rawValue: shell.errors))
    }

    @Test func theStoreRecordsPrivacySpentAndTheBudgetSplit() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(shell.type("r = run(experiment(tables: ins, generators: [independent() with gaussian(epsilon: 1), independent() with laplace(epsilon: 2)], seeds: [1], validators: quality))"),
                Comment(rawValue: shell.errors))
        let store = try ResultStore(workspace: shell.session.workspace)
        let outcomes = try store.keys().compactMap { try store.outcome(forKey: $0) }
        let gaussian = try #require(outcomes.first { $0.delta == 1e-5 })
        #expect(abs((gaussian.epsilon ?? 0) - 1) < 1e-9)
        #expect(gaussian.log.contains { $0.contains("gaussian: (ε = 1.0, δ = 1e-05) is ρ =") && $0.contains("split over 7 queries") }, "\(gaussian.log)")
        let laplace = try #require(outcomes.first { $0.delta == 0 })
        #expect(laplace.epsilon == 2)
        #expect(laplace.log.contains { $0.contains("laplace: ε = 2.0 split over 7 queries") }, "\(laplace.log)")
        // The plugins' warnings are said after the run, each once, with how many trials gave it.
        let range = "[warning] independent: the range of age, bmi, children, charges is taken from the data, as public metadata outside "
            + "the privacy guarantee; give bounds: to set it without looking at the data (2 trials)\n"
        let categories = "[warning] independent: the categories of sex, smoker, region are taken from the data, as public metadata "
            + "outside the privacy guarantee; give categories: to set them without looking at the data (2 trials)\n"
        #expect(shell.errors.hasSuffix(range + categories), Comment(rawValue: shell.errors))
        // A trial found in the store is not run again, and says nothing again.
        shell.clear()
        #expect(shell.type("run(experiment(tables: ins, generators: independent() with laplace(epsilon: 2), seeds: [1, 2], validators: quality))"))
        let lines = shell.errors.split(separator: "\n").map(String.init)
        #expect(lines.suffix(4).first == "1 of 2 trials are in the store (\(store.path)); running the other 1", Comment(rawValue: shell.errors))
        #expect(lines.suffix(3).first?.range(of: #"^ran 1 trial in \d+ s$"#, options: .regularExpression) != nil, Comment(rawValue: shell.errors))
        #expect(shell.errors.hasSuffix(range.replacingOccurrences(of: " (2 trials)", with: "")
                                       + categories.replacingOccurrences(of: " (2 trials)", with: "")), Comment(rawValue: shell.errors))
    }

    @Test func aTrialThatTakesTooLongIsStoppedAndFailed() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(Self.insurance)")"#))
        #expect(shell.type("r = run(experiment(tables: ins, generators: [independent(), gaussian_copula(), tvae(epochs: 100000)], seeds: [1], validators: quality), timeout: 2)"),
                Comment(rawValue: shell.errors))
        #expect(shell.errors.contains("tvae(epochs: 100000) · seed 1: timed out after 2 s"), Comment(rawValue: shell.errors))
        // The failed configuration has no rank; the others are still ranked and marked.
        let table = shell.result("r")
        let row = { (generator: String) in table.split(separator: "\n").first { $0.contains("| \(generator) ") }.map(String.init) ?? "" }
        #expect(row("independent").contains("|      0 | 1.67 |"), "\(table)")
        #expect(row("gaussian_copula").contains("|      0 | 1.33 |") && row("gaussian_copula").contains("0.8936*"), "\(table)")
        #expect(row("tvae(epochs: 100000)").contains("|      1 |      |"), "\(table)")
        #expect(shell.result(#"run(experiment(tables: ins, generators: independent(), seeds: [1], validators: quality), timeout: -1)"#)
                    .contains("timeout: takes seconds above 0"))
    }

    /// Both executors prefix a running trial's progress with its name, the configuration cut short
    /// enough (48 characters) that a long one leaves room for the epoch and the time left.
    @Test func progressLinesNameTheTrialShort() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        var spec = try SlurmTests.specs([4], workspace: Support.temporaryFolder("synthlab-workspace"), registry: registry,
                                        generator: PluginSpec(id: "tvae", parameters: ["epochs": .int(3)]))[0]
        spec.label = #"tvae(epochs: 3, bounds: "age=18:64, bmi=15:55, children=0:5, charges=1000:65000")"#
        let expected = #"ins · tvae(epochs: 3, bounds: "age=18:64, bmi=15:55, … · seed 4: "#
        #expect(spec.progressName() + ": " == expected)
        let executors: [TrialExecutor] = [InProcessExecutor(), WorkerExecutor(executable: Support.executable, workers: 1,
                                                                                environment: ["SYNTHLAB_PLUGIN_PATH": try Support.pluginFolder()])]
        for executor in executors {
            final class Lines: @unchecked Sendable { var all: [String] = [] }
            let lines = Lines()
            try executor.run([spec], registry: registry, cancelled: { false }, progress: { lines.all.append($0) }) { _, outcome in
                #expect(outcome.status == .done, "\(outcome.error ?? "")")
            }
            // A worker's lines are read as they come, so a quick one may be passed over; in
            // process, every one arrives.
            let epochs = lines.all.filter { $0.contains("epoch ") }
            #expect(!epochs.isEmpty && epochs.allSatisfy { $0.hasPrefix(expected) }, "\(type(of: executor)): \(lines.all)")
            #expect(epochs.filter { $0.contains("epoch 2/3") }.allSatisfy { $0.hasPrefix(expected + "about ") }, "the time left: \(epochs)")
            if executor is InProcessExecutor { #expect(epochs.count == 3) }
        }
    }

    /// Sessions started together on a new workspace: one makes the store's tables, the others wait
    /// for it (each used to try, and all but one failed with "table trials already exists").
    @Test func sessionsStartedTogetherShareANewStore() throws {
        let environment = ProcessEnvironment.current.merging(
            ["SYNTHLAB_PLUGIN_PATH": try Support.pluginFolder(), "XDG_DATA_HOME": Support.temporaryFolder("synthlab-xdg")]) { $1 }
        for round in 1...4 {
            let workspace = Support.temporaryFolder("synthlab-together") + "/workspace"
            let statement = #"t = load("\#(Self.insurance)"); r = run(experiment(tables: t, generators: independent(), seeds: [1], rows: 50), executor: "inprocess")"#
            var processes: [(Process, String)] = []
            for index in 0..<6 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: Support.executable)
                process.arguments = ["--bail", "--workspace", workspace, "-c", statement]
                process.environment = environment
                let log = Support.temporaryFolder("synthlab-together") + "/\(index).log"
                _ = FileManager.default.createFile(atPath: log, contents: nil)
                process.standardOutput = FileHandle.nullDevice
                process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
                processes.append((process, log))
            }
            for (process, _) in processes { try ProcessEnvironment.withLock { try process.run() } }
            for (process, log) in processes {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "round \(round): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            #expect(try ResultStore(workspace: workspace).trialCount() == 1)
        }
    }

    @Test func aKilledRunResumesWithEveryTrialOnceAndTheSameNumbers() throws {
        let folder = Support.temporaryFolder("synthlab-resume")
        let script = folder + "/experiment.synth"
        try """
            adult = load("\(Support.data("adult.csv"))", target: "income")
            e = experiment(tables: adult, generators: [gaussian_copula(), bayesian_network()], seeds: range(1, 4), rows: 3000, holdout: 0.2, validators: [quality, utility(models: "linear")])
            r = run(e, workers: 2)
            export(details(r), "details.csv")
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let environment = ["SYNTHLAB_PLUGIN_PATH": try Support.pluginFolder(), "XDG_DATA_HOME": Support.temporaryFolder("synthlab-xdg")]

        // An uninterrupted run in its own workspace.
        let clean = folder + "/clean"
        let whole = try Support.run(Support.executable, [script, "--bail", "--workspace", clean], environment: environment)
        #expect(whole.status == 0, Comment(rawValue: whole.stderr))
        let expected = try String(contentsOfFile: folder + "/details.csv", encoding: .utf8)
        try FileManager.default.removeItem(atPath: folder + "/details.csv")

        // The same run, killed with SIGKILL once some trials are in the store, then run again.
        let killed = folder + "/killed"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Support.executable)
        process.arguments = [script, "--bail", "--workspace", killed]
        process.environment = ProcessEnvironment.current.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessEnvironment.withLock { try process.run() }
        var stored = 0
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: killed + "/" + ResultStore.fileName) {
                stored = (try? ResultStore(workspace: killed).trialCount()) ?? 0
                if stored >= 2 { break }
            }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(stored >= 2 && stored < 8, "killed with \(stored) of 8 trials stored")
        #expect(!FileManager.default.fileExists(atPath: folder + "/details.csv"), "the killed run did not finish")
        // Its workers died with it (those of its pid: other tests run trials meanwhile).
        usleep(200_000)
        let workers = try Support.run("/usr/bin/env", ["pgrep", "-f", "worker --spec .*synthlab-trials.* --parent \(process.processIdentifier)$"])
        #expect(workers.stdout.isEmpty, Comment(rawValue: workers.stdout))

        let resumed = try Support.run(Support.executable, [script, "--bail", "--workspace", killed], environment: environment)
        #expect(resumed.status == 0, Comment(rawValue: resumed.stderr))
        #expect(resumed.stderr.contains("of 8 trials are in the store"), Comment(rawValue: resumed.stderr))
        #expect(try ResultStore(workspace: killed).trialCount() == 8)
        #expect(try String(contentsOfFile: folder + "/details.csv", encoding: .utf8) == expected)
    }
}

/// Every synthetic table SynthLab writes has a record of how it was made beside it.
struct ProvenanceTests {
    static func record(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Provenance.path(for: path)))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func synthAndSampleWriteTheRecord() throws {
        let folder = Support.temporaryFolder()
        let insurance = Support.data("insurance.csv")
        let expectedHash = Provenance.hash(try CSVReader.read(path: insurance))
        let synth = try Support.synthlab(["synth", "--generator", "independent", "--privacy", "laplace", "--param", "epsilon=2",
                                          "--data", insurance, "--rows", "50", "--seed", "7", "--out", folder + "/s.csv"])
        #expect(synth.status == 0, Comment(rawValue: synth.stderr))
        let record = try Self.record(folder + "/s.csv")
        #expect(record["made_by"] as? String == "synthlab")
        #expect((record["generator"] as? [String: Any])?["id"] as? String == "independent")
        #expect((record["generator"] as? [String: Any])?["version"] as? String == "1.2.0")
        #expect(((record["privacy"] as? [String: Any])?["parameters"] as? [String: Any])?["epsilon"] as? Double == 2)
        #expect(record["seed"] as? Int == 7 && record["rows"] as? Int == 50 && record["training_rows"] as? Int == 1338)
        #expect(record["training_table_sha256"] as? String == expectedHash)
        #expect(record["epsilon"] as? Double == 2)

        // The REPL: a sample written with to:, saved with save(), and one from a reloaded model.
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(insurance)")"#))
        #expect(shell.type(#"m = fit(tvae(epochs: 2), ins, seed: 3)"#), Comment(rawValue: shell.errors))
        #expect(shell.type(#"s = sample(m, rows: 30, to: "\#(folder)/r.csv", where: {smoker: "yes"})"#), Comment(rawValue: shell.errors))
        #expect(shell.type(#"save(s, "\#(folder)/saved.csv")"#))
        #expect(shell.type(#"save(m, "\#(folder)/m.model")"#))
        let fromREPL = try Self.record(folder + "/r.csv")
        #expect(fromREPL["training_table_sha256"] as? String == expectedHash)
        #expect(fromREPL["condition"] as? String == "smoker=yes")
        #expect(((fromREPL["generator"] as? [String: Any])?["parameters"] as? [String: Any])?["epochs"] as? Int == 2)
        #expect(try Self.record(folder + "/saved.csv")["seed"] as? Int == 3)
        let sampled = try Support.synthlab(["sample", "--model", folder + "/m.model", "--rows", "10", "--seed", "4", "--out", folder + "/fromModel.csv"])
        #expect(sampled.status == 0, Comment(rawValue: sampled.stderr))
        #expect(try Self.record(folder + "/fromModel.csv")["training_table_sha256"] as? String == expectedHash)
        // Without --seed, the command line samples with the fit's seed, as sample(m) does.
        #expect(shell.type(#"sample(m, rows: 10, to: "\#(folder)/fitSeed.csv")"#), Comment(rawValue: shell.errors))
        let unseeded = try Support.synthlab(["sample", "--model", folder + "/m.model", "--rows", "10", "--out", folder + "/unseeded.csv"])
        #expect(unseeded.status == 0, Comment(rawValue: unseeded.stderr))
        #expect(try String(contentsOfFile: folder + "/unseeded.csv", encoding: .utf8) == String(contentsOfFile: folder + "/fitSeed.csv", encoding: .utf8))
        #expect(try Self.record(folder + "/unseeded.csv")["seed"] as? Int == 3)
        // A table that was not made by a generator has no record.
        #expect(shell.type(#"save(ins, "\#(folder)/real.csv")"#))
        #expect(!FileManager.default.fileExists(atPath: Provenance.path(for: folder + "/real.csv")))
    }
}
