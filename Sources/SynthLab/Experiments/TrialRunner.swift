import Foundation
import SynthKit
import SynthMath

/// Runs one trial in this process. The worker process runs exactly this, so a trial gives the same
/// numbers wherever it runs.
public enum TrialRunner {
    public static func run(_ spec: TrialSpec, registry: PluginRegistry, cancelled: @escaping () -> Bool = { false },
                           progress: @escaping (String) -> Void = { _ in }) throws -> TrialOutcome {
        let table = try spec.table.read()
        let (training, holdout) = split(table, share: spec.holdout, seed: spec.seed)
        let host = HostServices(seed: spec.seed)
        host.cancellationCheck = cancelled
        var losses: [String] = []
        var log: [String] = []
        host.log = { level, message in log.append("[\(level)] \(message)") }
        // The losses are the plugin's own messages; the progress line adds the time left (the
        // clock times the sampling afresh, as its fraction starts again).
        let clock = ProgressClock()
        host.progress = { fraction, message in
            guard let message else { return }
            losses.append(message)
            progress(clock.line(fraction, message) ?? message)
        }
        let generator = try spec.generator.instantiate(registry, kind: .generator, host: host)
        let privacy = try spec.privacy.map { try $0.instantiate(registry, kind: .privacy, host: host) }
        let model = try GeneratorSession(generator: generator, privacy: privacy)
        var plugins = [TrialOutcome.PluginVersion(id: generator.plugin.id, version: generator.plugin.descriptor.version)]
        if let privacy { plugins.append(.init(id: privacy.plugin.id, version: privacy.plugin.descriptor.version)) }
        let rules = try ConditionalSampling.rules(spec.rules)
        let fitStart = DispatchTime.now()
        try model.fit(training, host: host, keep: rules, learn: spec.learnsRules == true)
        let fitSeconds = seconds(since: fitStart)
        let fitLosses = losses
        host.progress = { fraction, message in if let message { progress(clock.line(fraction, message) ?? message) } }
        let sampleStart = DispatchTime.now()
        let synthetic = try ConditionalSampling.sample(rows: spec.rows ?? training.rowCount, conditions: [], rules: ConditionalSampling.judged(rules), seed: spec.seed) { rows, _, seed in
            try model.sample(rows: rows, host: host.reseeded(seed))
        }
        let sampleSeconds = seconds(since: sampleStart)
        if let path = spec.samplePath {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try CSVWriter.write(synthetic, to: path)
            let spent = model.privacySpent
            try Provenance(generator: .init(generator), privacy: privacy.map(Provenance.Plugin.init), seed: spec.seed,
                           trainingTableSHA256: Provenance.hash(training), trainingRows: training.rowCount, rows: synthetic.rowCount,
                           epsilon: spent?.epsilon, delta: spent?.delta, conditions: [], rules: rules, learned: model.learnedRules)
                .write(beside: path)
        }
        let validateStart = DispatchTime.now()
        var metrics: [MetricRecord] = []
        for validator in spec.validators {
            if cancelled() { throw SynthLabError.invalidRequest("cancelled") }
            let instance = try validator.instantiate(registry, kind: .validator, host: host)
            plugins.append(.init(id: instance.plugin.id, version: instance.plugin.descriptor.version))
            metrics += try Validating.run(instance, real: training, synthetic: synthetic, holdout: holdout,
                                          target: spec.table.target, host: host).map(MetricRecord.init)
        }
        let spent = model.privacySpent
        return TrialOutcome(key: spec.key, status: .done, error: nil, metrics: metrics, fitSeconds: fitSeconds,
                            sampleSeconds: sampleSeconds, validateSeconds: seconds(since: validateStart), peakMiB: nil,
                            epsilon: spent?.epsilon, delta: spent?.delta, lossHistory: fitLosses, plugins: plugins, log: log)
    }

    /// The rows of `table` held out for `seed`: a seeded random subset of the given share.
    public static func split(_ table: Table, share: Double, seed: UInt64) -> (training: Table, holdout: Table?) {
        guard share > 0 else { return (table, nil) }
        var random = Philox(seed: seed, stream: fnv1a("synthlab.experiment.holdout"))
        let order = random.permutation(table.rowCount)
        let held = Int((Double(table.rowCount) * share).rounded())
        let holdout = Array(order[..<held]).sorted(), training = Array(order[held...]).sorted()
        return (table.rows(training), table.rows(holdout))
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
