import Foundation
import SynthKit
import SynthLab
import SynthMath

/// Defines and runs experiments. Each trial is a `TrialSpec`; `run` looks each up in the
/// workspace's results store, runs the missing ones in worker processes (or in this process with
/// `executor: "inprocess"`), and records each as it finishes.
enum ExperimentRunner {
    static let executors = ["workers", "inprocess", "slurm"]

    /// The validators of a call: the `validators:` argument, or every loaded validator that the
    /// tables allow (one that needs a target or a holdout is left out when there is none).
    static func validators(_ frame: CallFrame, session: Session, target: Bool, holdout: Bool,
                           holdoutHint: String = "give holdout:, the share of each table's rows kept out of training (holdout: 0.2)") throws(ShellError) -> [PluginConfig] {
        guard let given = frame.value("validators") else {
            var configs: [PluginConfig] = []
            for plugin in session.registry.validators(holdout: holdout, target: target).applicable {
                configs.append(try Convert.pluginConfig(.plugin(plugin), kind: .validator, session: session, at: frame.location))
            }
            guard !configs.isEmpty else { throw ShellError("no validator applies (see .plugins)", at: frame.location) }
            return configs
        }
        var configs: [PluginConfig] = []
        var seen = Set<String>()
        let location = frame.location(of: "validators")
        let items = Convert.items(given)
        guard !items.isEmpty else {
            throw ShellError("validators: needs at least one validator (leave it out for every one that applies)", at: location)
        }
        for item in items {
            let config = try Convert.pluginConfig(item, kind: .validator, session: session, at: location)
            let needs = config.plugin.descriptor.validatorNeeds
            if needs.contains(.target), !target {
                throw ShellError("validator '\(config.id)' needs a target column: load the table with target: \"COLUMN\"", at: location)
            }
            if needs.contains(.holdout), !holdout {
                throw ShellError("validator '\(config.id)' needs held-out rows: \(holdoutHint)", at: location)
            }
            if !seen.insert(config.canonical).inserted {
                throw ShellError("validators: \(config.label) is given twice", at: location)
            }
            configs.append(config)
        }
        return configs
    }

    static func define(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        var tables: [TableValue] = []
        for item in Convert.items(frame.value("tables")!) {
            let table = try Convert.table(item, at: frame.location(of: "tables"), what: "a table")
            // Results name each table: two of one name could not be told apart.
            if tables.contains(where: { $0.name == table.name }) {
                throw ShellError("tables: two tables are named '\(table.name)' (or one is given twice); bind each to a name of its own",
                                 at: frame.location(of: "tables"))
            }
            tables.append(table)
        }
        var generators: [GeneratorSpec] = []
        var configurations = Set<String>()
        for item in Convert.items(frame.value("generators")!) {
            let spec = try Convert.generatorSpec(item, session: session, at: frame.location(of: "generators"))
            if spec.generator.plugin.descriptor.simulates {
                throw ShellError("'\(spec.generator.id)' simulates data instead of learning a table: make a table with sample(\(spec.generator.id)(...), rows: N) and use it in tables:",
                                 at: frame.location(of: "generators"))
            }
            // The same configuration twice would be two result rows of one thing.
            if !configurations.insert(spec.canonical).inserted {
                throw ShellError("generators: \(spec.label) is given twice", at: frame.location(of: "generators"))
            }
            // Results group the trials by the name they show: two configurations of one name
            // would be averaged together.
            if let other = generators.first(where: { $0.label == spec.label }) {
                throw ShellError("generators: \(other.configurationLabel) and \(spec.configurationLabel) are both named '\(spec.label)'; give each a name of its own",
                                 at: frame.location(of: "generators"))
            }
            generators.append(spec)
        }
        guard !tables.isEmpty else { throw ShellError("experiment() needs at least one table", at: frame.location(of: "tables")) }
        guard !generators.isEmpty else { throw ShellError("experiment() needs at least one generator", at: frame.location(of: "generators")) }
        let holdout = try frame.value("holdout").map { v throws(ShellError) in try Convert.number(v, at: frame.location(of: "holdout")) } ?? 0
        guard holdout >= 0, holdout <= 0.9 else {
            throw ShellError("holdout: takes a share of rows in [0, 0.9], got \(formatDouble(holdout))", at: frame.location(of: "holdout"))
        }
        // A validator that needs a target applies only when every table has one.
        let validators = try Self.validators(frame, session: session, target: tables.allSatisfy { $0.target != nil }, holdout: holdout > 0)
        let rows = try frame.value("rows").map { v throws(ShellError) in try Convert.integer(v, at: frame.location(of: "rows"), minimum: 1, what: "a row count") }
        if let rows {
            do {
                try GeneratorSession.checkMemory(rows: rows, columns: tables.map(\.table.columns.count).max())
            } catch {
                throw session.failure(error, at: frame.location(of: "rows"))
            }
        }
        var seeds: [UInt64] = []
        if let given = frame.value("seeds") {
            var seen = Set<UInt64>()
            for item in Convert.items(given) {
                let seed = try Convert.seed(item, at: frame.location(of: "seeds"))
                // A seed twice is one trial twice, which would count as two in the mean and sd.
                guard seen.insert(seed).inserted else { throw ShellError("seeds: \(seed) is given twice", at: frame.location(of: "seeds")) }
                seeds.append(seed)
            }
            guard !seeds.isEmpty else { throw ShellError("seeds: needs at least one seed", at: frame.location(of: "seeds")) }
        } else {
            let drawn = session.drawSeed()
            seeds = [drawn]
            frame.record("seeds", Expr(.list([Expr(.number(Double(drawn), isInteger: true), at: frame.location)]), at: frame.location))
        }
        let rules = try Self.keepRules(frame, tables: tables)
        let learn = try Builtins.learnsRules(frame)
        for table in tables {
            let kept = rules[table.name] ?? []
            do { try ConditionalSampling.check(kept, columns: table.table.columnNames, option: "keep", dependencies: learn) } catch {
                throw ShellError(error.description + " in \(table.name)", at: frame.location(of: "keep"))
            }
            if let dependency = kept.first(where: \.isDependency), let composed = generators.first(where: { $0.privacy != nil }) {
                throw ShellError("keep: '\(dependency.text)' is a dependency, which a model keeps only by learning its mapping from the data, "
                                 + "and \(composed.label) is composed with privacy", at: frame.location(of: "keep"))
            }
        }
        return .experiment(ExperimentSpec(tables: tables, generators: generators, validators: validators, seeds: seeds,
                                          rows: rows, holdout: holdout, rules: rules, learn: learn))
    }

    /// experiment()'s `keep:`: rules for every table (a string), or each table's (a record of
    /// table names and strings); by table name, empty without `keep:`.
    static func keepRules(_ frame: CallFrame, tables: [TableValue]) throws(ShellError) -> [String: [ConstraintRule]] {
        guard let given = frame.value("keep") else { return [:] }
        let location = frame.location(of: "keep")
        guard case .record(let fields) = given else {
            let rules = try Builtins.rules(given, at: location)
            return Dictionary(uniqueKeysWithValues: tables.map { ($0.name, rules) })
        }
        guard !fields.isEmpty else { throw ShellError("keep: no table's rules given", at: location) }
        var rules: [String: [ConstraintRule]] = [:]
        let names = tables.map(\.name)
        for field in fields {
            guard names.contains(field.key) else {
                throw ShellError("keep: the experiment has no table '\(field.key)'" + Suggest.hint(field.key, among: names)
                                 + " (tables: \(names.joined(separator: ", ")))", at: location)
            }
            rules[field.key] = try Builtins.rules(field.value, at: location, what: "keep: \(field.key)")
        }
        return rules
    }

    static func run(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        guard case .experiment(let experiment) = frame.value("experiment")! else {
            throw ShellError("run() takes an experiment (from experiment()), got \(frame.value("experiment")!.typeName)", at: frame.location(of: "experiment"))
        }
        var executorName = session.defaultExecutor
        if let executor = frame.value("executor") {
            let name = try Convert.string(executor, at: frame.location(of: "executor"))
            guard executors.contains(name) else {
                throw ShellError("no executor '\(name)'" + Suggest.hint(name, among: executors) + " (executors: \(executors.joined(separator: ", ")))",
                                 at: frame.location(of: "executor"))
            }
            executorName = name
        }
        let workerCount = try frame.value("workers").map { v throws(ShellError) in
            try Convert.integer(v, at: frame.location(of: "workers"), minimum: 1, what: "a number of workers")
        } ?? ProcessInfo.processInfo.activeProcessorCount
        let timeout = try frame.value("timeout").map { v throws(ShellError) in try Convert.number(v, at: frame.location(of: "timeout")) }
        if let timeout, timeout <= 0 {
            throw ShellError("timeout: takes seconds above 0, got \(formatDouble(timeout))", at: frame.location(of: "timeout"))
        }
        defer { session.io.progress?(nil) }
        do {
            return .results(try runTrials(experiment, session: session, executorName: executorName, workers: workerCount, timeout: timeout))
        } catch {
            throw session.failure(error, at: frame.location)
        }
    }

    /// The trial specs of an experiment, in table, generator, seed order.
    static func specs(_ experiment: ExperimentSpec, session: Session) throws -> [TrialSpec] {
        var specs: [TrialSpec] = []
        for table in experiment.tables {
            let stored = try TableSpec.stored(table.table, name: table.name, target: table.target, in: session.workspace + "/tables")
            for generator in experiment.generators {
                var configurationHash: String?
                for seed in experiment.seeds {
                    var spec = TrialSpec(
                        table: stored, holdout: experiment.holdout,
                        generator: PluginSpec(generator.generator.id, generator.generator.parameters),
                        privacy: generator.privacy.map { PluginSpec($0.id, $0.parameters) },
                        validators: experiment.validators.map { PluginSpec($0.id, $0.parameters) },
                        seed: seed, rows: experiment.rows, label: generator.label,
                        versions: ([generator.generator] + (generator.privacy.map { [$0] } ?? []) + experiment.validators)
                            .map { "\($0.id) \($0.plugin.descriptor.version)" })
                    let rules = experiment.rules[table.name] ?? []
                    spec.rules = ConditionalSampling.describe(rules)
                    if !rules.isEmpty, experiment.learn { spec.learnsRules = true }
                    // Every seed of a configuration shares the hash of the rest: computed once. The
                    // first seed's synthetic rows are kept for the report's figures.
                    if let configurationHash { spec.useConfigurationHash(configurationHash) } else {
                        spec.cacheConfigurationHash()
                        configurationHash = spec.configurationHash
                        spec.samplePath = session.workspace + "/samples/" + spec.key + ".csv"
                    }
                    specs.append(spec)
                }
            }
        }
        return specs
    }

    /// Runs the trials the workspace's store lacks, records each as it finishes, and returns every
    /// trial's result in the experiment's order.
    static func runTrials(_ experiment: ExperimentSpec, session: Session, executorName: String, workers: Int,
                          timeout: Double?) throws -> ExperimentResults {
        let store = try ResultStore(workspace: session.workspace)
        let specs = try specs(experiment, session: session)
        var outcomes: [String: TrialOutcome] = [:]
        let storedKeys = try store.keys()
        // A trial that failed before (a crash, a timeout, a plugin since fixed) runs again.
        var failedBefore = 0
        for spec in specs where storedKeys.contains(spec.key) {
            guard let stored = try store.outcome(forKey: spec.key) else { continue }
            if stored.status == .done { outcomes[spec.key] = stored } else { failedBefore += 1 }
        }
        let missing = specs.filter { outcomes[$0.key] == nil }
        let total = specs.count
        var finishedCount = total - missing.count
        let show = session.io.progress
        if finishedCount > 0 || failedBefore > 0 {
            let again = failedBefore == 0 ? "" : failedBefore == missing.count ? (missing.count == 1 ? ", which failed before" : ", which all failed before")
                : " (\(failedBefore) of them failed before)"
            session.io.diagnostic("\(finishedCount) of \(total) trials are in the store (\(store.path)); running the other \(missing.count)\(again)\n")
        }
        let executor: TrialExecutor
        if executorName == "inprocess" {
            executor = InProcessExecutor()
        } else if executorName == "slurm" {
            guard let program = session.workerExecutable else {
                throw ShellError("no synthlab executable to send to the cluster; run from the synthlab program")
            }
            // The workspace is the shared folder: tables, specs, outcomes and the worker bundle.
            let shared = session.workspace + "/slurm"
            show?("preparing the worker bundle in \(shared)/worker")
            let bundle = try WorkerBundle.make(executable: program, pluginFolders: session.registry.searchPath, in: shared + "/worker")
            executor = SlurmExecutor(shared: shared, worker: bundle, trialsPerTask: session.slurmTrialsPerTask, concurrency: workers,
                                     timeout: timeout, partition: session.slurmPartition, commands: session.slurmCommands)
        } else {
            guard let program = session.workerExecutable else {
                throw ShellError("no synthlab executable to start workers from; use executor: \"inprocess\"")
            }
            executor = WorkerExecutor(executable: program, workers: workers, timeout: timeout,
                                      environment: ["SYNTHLAB_PLUGIN_PATH": session.registry.searchPath.joined(separator: ":")])
        }
        let cancelled = session.cancellationRequested
        let started = Date()
        // The trials this call ran (not found in the store).
        var ranHere = Set<String>()
        // "[███░░░░░] 3/12 · eta 1 min 20 s": trials finished, and the time the run has left at its
        // pace (each trial's own line may add the time that trial has left).
        func header() -> String {
            let width = 12, filled = total > 0 ? width * finishedCount / total : width
            var text = "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "] \(finishedCount)/\(total)"
            if !ranHere.isEmpty, finishedCount < total {
                let left = Date().timeIntervalSince(started) / Double(ranHere.count) * Double(total - finishedCount)
                text += " · eta " + ProgressClock.duration(left)
            }
            return text
        }
        try executor.run(missing, registry: session.registry, cancelled: { cancelled() }, progress: { message in
            show?("\(header()) · \(message)")
        }) { spec, outcome in
            try store.record(spec, outcome)
            outcomes[spec.key] = outcome
            finishedCount += 1
            ranHere.insert(spec.key)
            let state = outcome.status == .done ? "done" : "failed: \(outcome.error ?? "")"
            // The live line names the trial short; a script's line for it in full.
            show?("\(header()) · \(spec.progressName()): \(state)")
            session.io.milestone?("[\(finishedCount)/\(total)] \(spec.table.name) · \(spec.label) · seed \(spec.seed): \(state)")
        }
        try session.checkCancelled()
        if !ranHere.isEmpty {
            session.io.diagnostic("ran \(ranHere.count) trial\(ranHere.count == 1 ? "" : "s") in \(ProgressClock.duration(Date().timeIntervalSince(started)))\n")
        }
        // The warnings the plugins of the trials run here logged (public metadata taken from the
        // data under privacy, say), each once with how many trials gave it, in the experiment's
        // order of trials, whichever finished first.
        var warnings: [(line: String, trials: Int)] = []
        for spec in specs where ranHere.contains(spec.key) {
            var seen = Set<String>()
            for line in outcomes[spec.key]?.log ?? [] where (line.hasPrefix("[warning] ") || line.hasPrefix("[error] ")) && seen.insert(line).inserted {
                if let index = warnings.firstIndex(where: { $0.line == line }) { warnings[index].trials += 1 } else { warnings.append((line, 1)) }
            }
        }
        for (line, count) in warnings { session.io.diagnostic(line + (count > 1 ? " (\(count) trials)" : "") + "\n") }
        var trials: [TrialResult] = []
        var failures: [String] = []
        for spec in specs {
            guard let outcome = outcomes[spec.key] else { continue }
            if outcome.status == .failed {
                failures.append("\(spec.table.name) · \(spec.label) · seed \(spec.seed): \(outcome.error ?? "failed")")
            }
            trials.append(TrialResult(table: spec.table.name, generator: spec.label, seed: spec.seed, epsilon: outcome.epsilon,
                                      delta: outcome.delta, metrics: outcome.metrics.map(\.result),
                                      fitSeconds: outcome.fitSeconds ?? 0, sampleSeconds: outcome.sampleSeconds ?? 0,
                                      error: outcome.status == .failed ? (outcome.error ?? "failed") : nil,
                                      spec: spec, outcome: outcome))
        }
        if !failures.isEmpty {
            session.io.diagnostic("\(failures.count) of \(total) trials failed:\n" + failures.map { "  \($0)\n" }.joined())
        }
        return ExperimentResults(trials: trials)
    }
}
