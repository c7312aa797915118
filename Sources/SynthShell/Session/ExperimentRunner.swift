import Foundation
import SynthKit
import SynthLab
import SynthMath

/// Defines and runs experiments. Trials run one after another in this process; the `executor`
/// argument of run() names where they run, so other executors need no new syntax.
enum ExperimentRunner {
    static let executors = ["inprocess"]

    /// The validators of a call: the `validators:` argument, or every loaded validator that the
    /// tables allow (one that needs a target or a holdout is left out when there is none).
    static func validators(_ frame: CallFrame, session: Session, target: Bool, holdout: Bool) throws(ShellError) -> [PluginConfig] {
        guard let given = frame.value("validators") else {
            var configs: [PluginConfig] = []
            for plugin in session.registry.validators(holdout: holdout, target: target).applicable {
                configs.append(try Convert.pluginConfig(.plugin(plugin), kind: .validator, session: session, at: frame.location))
            }
            guard !configs.isEmpty else { throw ShellError("no validator applies (see .plugins)", at: frame.location) }
            return configs
        }
        var configs: [PluginConfig] = []
        let location = frame.location(of: "validators")
        for item in Convert.items(given) {
            let config = try Convert.pluginConfig(item, kind: .validator, session: session, at: location)
            let needs = config.plugin.descriptor.validatorNeeds
            if needs.contains(.target), !target {
                throw ShellError("validator '\(config.id)' needs a target column: load the table with target: \"COLUMN\"", at: location)
            }
            if needs.contains(.holdout), !holdout {
                throw ShellError("validator '\(config.id)' needs held-out rows: give holdout:", at: location)
            }
            configs.append(config)
        }
        return configs
    }

    static func define(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        var tables: [TableValue] = []
        for item in Convert.items(frame.value("tables")!) {
            tables.append(try Convert.table(item, at: frame.location(of: "tables"), what: "a table"))
        }
        var generators: [GeneratorSpec] = []
        for item in Convert.items(frame.value("generators")!) {
            let spec = try Convert.generatorSpec(item, session: session, at: frame.location(of: "generators"))
            if spec.generator.plugin.descriptor.simulates {
                throw ShellError("'\(spec.generator.id)' simulates data instead of learning a table: make a table with sample(\(spec.generator.id)(...), rows: N) and use it in tables:",
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
        var seeds: [UInt64] = []
        if let given = frame.value("seeds") {
            for item in Convert.items(given) { seeds.append(try Convert.seed(item, at: frame.location(of: "seeds"))) }
            guard !seeds.isEmpty else { throw ShellError("seeds: needs at least one seed", at: frame.location(of: "seeds")) }
        } else {
            let drawn = session.drawSeed()
            seeds = [drawn]
            frame.record("seeds", Expr(.list([Expr(.number(Double(drawn), isInteger: true), at: frame.location)]), at: frame.location))
        }
        return .experiment(ExperimentSpec(tables: tables, generators: generators, validators: validators, seeds: seeds,
                                          rows: rows, holdout: holdout))
    }

    static func run(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        guard case .experiment(let experiment) = frame.value("experiment")! else {
            throw ShellError("run() takes an experiment (from experiment()), got \(frame.value("experiment")!.typeName)", at: frame.location(of: "experiment"))
        }
        if let executor = frame.value("executor") {
            let name = try Convert.string(executor, at: frame.location(of: "executor"))
            guard executors.contains(name) else {
                throw ShellError("no executor '\(name)'" + Suggest.hint(name, among: executors) + " (executors: \(executors.joined(separator: ", ")))",
                                 at: frame.location(of: "executor"))
            }
        }
        defer { session.io.progress?(nil) }
        var trials: [TrialResult] = []
        var number = 0
        for table in experiment.tables {
            // The split depends on the table and the seed only: every generator trains on the same rows.
            var splits: [UInt64: (training: Table, holdout: Table?)] = [:]
            for generator in experiment.generators {
                for seed in experiment.seeds {
                    number += 1
                    try session.checkCancelled()
                    let prefix = "[\(number)/\(experiment.trialCount)] \(table.name) · \(generator.label) · seed \(seed)"
                    let data = splits[seed] ?? split(table.table, share: experiment.holdout, seed: seed)
                    splits[seed] = data
                    do {
                        trials.append(try trial(table: table, data: data, generator: generator, seed: seed, experiment: experiment,
                                                session: session, progress: prefix))
                    } catch {
                        throw session.failure(error, at: frame.location)
                    }
                }
            }
        }
        return .results(ExperimentResults(trials: trials))
    }

    /// The rows of `table` held out for `seed`: a seeded random subset of the given share.
    static func split(_ table: Table, share: Double, seed: UInt64) -> (training: Table, holdout: Table?) {
        guard share > 0 else { return (table, nil) }
        var random = Philox(seed: seed, stream: fnv1a("synthlab.experiment.holdout"))
        let order = random.permutation(table.rowCount)
        let held = Int((Double(table.rowCount) * share).rounded())
        let holdout = Array(order[..<held]).sorted(), training = Array(order[held...]).sorted()
        return (table.rows(training), table.rows(holdout))
    }

    static func trial(table: TableValue, data: (training: Table, holdout: Table?), generator spec: GeneratorSpec, seed: UInt64,
                      experiment: ExperimentSpec,
                      session: Session, progress prefix: String) throws -> TrialResult {
        let host = session.host(seed: seed)
        let show = session.io.progress
        host.progress = { fraction, message in
            let percent = fraction.map { String(format: " %3.0f%%", $0 * 100) } ?? ""
            show?("\(prefix): \(message ?? "")\(percent)")
        }
        let (training, holdout) = data
        show?("\(prefix): fit")
        let generator = try PluginInstance(spec.generator.plugin, parameters: spec.generator.parameters, host: host)
        let privacy = try spec.privacy.map { config in try PluginInstance(config.plugin, parameters: config.parameters, host: host) }
        let model = try GeneratorSession(generator: generator, privacy: privacy)
        let fitStart = Date()
        try model.fit(training, host: host)
        try session.checkCancelled()
        show?("\(prefix): sample")
        let sampleStart = Date()
        let synthetic = try model.sample(rows: experiment.rows ?? training.rowCount, host: host)
        let sampleEnd = Date()
        try session.checkCancelled()
        show?("\(prefix): validate")
        var metrics: [MetricResult] = []
        for config in experiment.validators {
            let instance = try PluginInstance(config.plugin, parameters: config.parameters, host: host)
            metrics += try Validating.run(instance, real: training, synthetic: synthetic, holdout: holdout,
                                          target: table.target, host: host)
        }
        let spent = model.privacySpent
        return TrialResult(table: table.name, generator: spec.label, seed: seed, epsilon: spent?.epsilon, delta: spent?.delta,
                           metrics: metrics, fitSeconds: sampleStart.timeIntervalSince(fitStart),
                           sampleSeconds: sampleEnd.timeIntervalSince(sampleStart))
    }
}
