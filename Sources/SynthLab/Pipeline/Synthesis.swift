import Foundation
import SynthKit

/// One `synth` run: read a table, fit a generator (composed with a privacy mechanism or not),
/// sample, and write the rows atomically.
public struct SynthesisRequest: Sendable {
    public var generator: String
    public var privacy: String?
    public var parameters: [String]
    public var dataPath: String
    public var csvOptions: CSVOptions
    public var rows: Int
    public var seed: UInt64
    public var outputPath: String
    /// Sample given that these categorical columns have these categories (the first is the
    /// generator's own condition; `ConditionalSampling` keeps the rows that meet the others).
    public var conditions: [ConditionalSampling.Condition] = []
    /// Rules every row keeps: the generator learns those it can (unless `learn` is false), and
    /// `ConditionalSampling` keeps the rows that keep the other inequalities.
    public var rules: [ConstraintRule] = []
    public var learn = true
    /// Where to also write the fitted model (for a generator that can save it).
    public var modelPath: String?

    public init(generator: String, privacy: String? = nil, parameters: [String] = [], dataPath: String,
                csvOptions: CSVOptions = CSVOptions(), rows: Int, seed: UInt64, outputPath: String) {
        self.generator = generator
        self.privacy = privacy
        self.parameters = parameters
        self.dataPath = dataPath
        self.csvOptions = csvOptions
        self.rows = rows
        self.seed = seed
        self.outputPath = outputPath
    }
}

public struct PluginReference: Codable, Sendable, Equatable {
    public var id: String
    public var version: String
    public var path: String
    public var parameters: [String: JSONValue]

    init(_ instance: PluginInstance) {
        id = instance.plugin.id
        version = instance.plugin.descriptor.version
        path = instance.plugin.path
        parameters = Dictionary(uniqueKeysWithValues: instance.parameters.values.map { ($0.id, JSONValue($0.value)) })
    }
}

public struct ColumnSummaryLine: Codable, Sendable, Equatable {
    public var name: String
    public var kind: ColumnKind
}

public struct SynthesisReport: Codable, Sendable {
    public var generator: PluginReference
    public var privacy: PluginReference?
    public var data: String
    public var output: String
    public var rows: Int
    public var seed: UInt64
    public var columns: [ColumnSummaryLine]
    public var epsilonSpent: Double?
    public var deltaSpent: Double?
    public var fitSeconds: Double
    public var sampleSeconds: Double

    enum CodingKeys: String, CodingKey {
        case generator, privacy, data, output, rows, seed, columns
        case epsilonSpent = "epsilon_spent", deltaSpent = "delta_spent"
        case fitSeconds = "fit_seconds", sampleSeconds = "sample_seconds"
    }
}

public enum Synthesis {
    public static func run(_ request: SynthesisRequest, registry: PluginRegistry, host: HostServices) throws -> SynthesisReport {
        guard request.rows > 0 else { throw SynthLabError.invalidRequest("--rows must be at least 1, got \(request.rows)") }
        let generatorPlugin = try registry.plugin(request.generator, kind: .generator)
        if !request.conditions.isEmpty, !generatorPlugin.descriptor.samplesConditionally {
            let able = registry.plugins(of: .generator).filter(\.descriptor.samplesConditionally).map(\.id).sorted()
            throw SynthLabError.invalidRequest("generator '\(generatorPlugin.id)' does not sample conditionally (these do: \(able.joined(separator: ", ")))")
        }
        let privacyPlugin = try request.privacy.map { id throws(SynthLabError) in try registry.plugin(id, kind: .privacy) }
        // Everything that can be checked before work starts is checked here: composition, every
        // parameter, the output folder.
        if let privacyPlugin { try Composition.check(generator: generatorPlugin.descriptor, privacy: privacyPlugin.descriptor) }
        let plugins = [generatorPlugin] + (privacyPlugin.map { [$0] } ?? [])
        let routed = try ParameterAssignment.route(request.parameters, to: plugins)
        var resolved: [String: Parameters] = [:]
        for plugin in plugins {
            do { resolved[plugin.id] = try Parameters(resolving: routed[plugin.id] ?? [:], schema: plugin.descriptor.parameters, plugin: plugin.id) } catch {
                throw SynthLabError.invalidRequest(error.description)
            }
        }
        if let privacyPlugin {
            resolved[generatorPlugin.id] = try Composition.parameters(resolved[generatorPlugin.id]!, generator: generatorPlugin.descriptor,
                                                                      privacy: privacyPlugin.descriptor)
        }
        try checkWritable(request.outputPath)
        if let modelPath = request.modelPath {
            try checkWritable(modelPath)
            guard generatorPlugin.descriptor.savesModels else {
                let able = registry.plugins(of: .generator).filter(\.descriptor.savesModels).map(\.id).sorted()
                throw SynthLabError.invalidRequest("generator '\(generatorPlugin.id)' cannot save its model (these can: \(able.joined(separator: ", ")))")
            }
        }

        let table = try CSVReader.read(path: request.dataPath, options: request.csvOptions)
        // The generator would learn such columns as categories.
        for note in ReadingNote.of(table, options: request.csvOptions) { host.log(.warning, note.commandLine) }
        let privacy = try privacyPlugin.map { try PluginInstance($0, parameters: resolved[$0.id]!, host: host) }
        let generator = try PluginInstance(generatorPlugin, parameters: resolved[generatorPlugin.id]!, host: host)
        // A --where that cannot hold is refused before the fit, which may take minutes.
        for condition in request.conditions where table.column(named: condition.column) == nil {
            throw SynthLabError.invalidRequest("--where: \(request.dataPath) has no column '\(condition.column)'"
                                               + Suggest.hint(condition.column, among: table.columnNames)
                                               + " (columns: \(table.columnNames.joined(separator: ", ")))")
        }
        try ConditionalSampling.check(request.rules, columns: table.columnNames, option: "--keep", dependencies: true)
        let session = try GeneratorSession(generator: generator, privacy: privacy)
        let fitStart = Date()
        try session.fit(table, host: host, keep: request.rules, learn: request.learn)
        if let modelPath = request.modelPath { try session.saveModel(to: modelPath, host: host) }
        let sampleStart = Date()
        let synthetic = try ConditionalSampling.sample(rows: request.rows, conditions: request.conditions, rules: ConditionalSampling.judged(session.keptRules), seed: host.seed) { rows, condition, seed in
            try session.sample(rows: rows, where: condition, host: host.reseeded(seed))
        }
        let sampleEnd = Date()
        try CSVWriter.write(synthetic, to: request.outputPath)
        let spent = session.privacySpent
        try Provenance(generator: .init(generator), privacy: privacy.map(Provenance.Plugin.init), seed: request.seed,
                       trainingTableSHA256: Provenance.hash(table), trainingRows: table.rowCount, rows: synthetic.rowCount,
                       epsilon: spent?.epsilon, delta: spent?.delta, conditions: request.conditions, rules: request.rules, learned: session.learnedRules)
            .write(beside: request.outputPath)
        return SynthesisReport(
            generator: PluginReference(generator), privacy: privacy.map(PluginReference.init),
            data: request.dataPath, output: request.outputPath, rows: synthetic.rowCount, seed: request.seed,
            columns: synthetic.columns.map { ColumnSummaryLine(name: $0.name, kind: $0.kind) },
            epsilonSpent: spent?.epsilon, deltaSpent: spent?.delta,
            fitSeconds: sampleStart.timeIntervalSince(fitStart), sampleSeconds: sampleEnd.timeIntervalSince(sampleStart))
    }

    /// Rows from a model file that `saveModel` wrote (read with `SavedModel.read`): no training
    /// table is read.
    public static func sample(_ saved: SavedModel, rows: Int, conditions: [ConditionalSampling.Condition], rules: [ConstraintRule] = [], outputPath: String,
                              registry: PluginRegistry, host: HostServices) throws -> SynthesisReport {
        guard rows > 0 else { throw SynthLabError.invalidRequest("--rows must be at least 1, got \(rows)") }
        try checkWritable(outputPath)
        let header = saved.header, modelPath = saved.path
        let names = header.columns.map(\.name)
        // Checked on the header, before the model is loaded.
        for condition in conditions where !names.contains(condition.column) {
            throw SynthLabError.invalidRequest("--where: the model has no column '\(condition.column)'" + Suggest.hint(condition.column, among: names)
                                               + " (columns: \(names.joined(separator: ", ")))")
        }
        let extra = ConditionalSampling.notKept(rules, by: try saved.rules())
        try ConditionalSampling.check(extra, columns: names, option: "--keep")
        let session = try GeneratorSession.loadModel(saved, registry: registry, host: host)
        let rules = session.keptRules + extra
        let start = Date()
        let synthetic = try ConditionalSampling.sample(rows: rows, conditions: conditions, rules: ConditionalSampling.judged(rules), seed: host.seed) { rows, condition, seed in
            try session.sample(rows: rows, where: condition, host: host.reseeded(seed))
        }
        let end = Date()
        try CSVWriter.write(synthetic, to: outputPath)
        try Provenance(generator: .init(session.generator), privacy: nil, seed: host.seed, trainingTableSHA256: header.trainingTableSHA256,
                       trainingRows: header.rows, rows: synthetic.rowCount, epsilon: header.epsilon, delta: header.delta,
                       conditions: conditions, rules: rules, learned: session.learnedRules)
            .write(beside: outputPath)
        return SynthesisReport(
            generator: PluginReference(session.generator), privacy: nil, data: modelPath, output: outputPath, rows: synthetic.rowCount,
            seed: host.seed, columns: synthetic.columns.map { ColumnSummaryLine(name: $0.name, kind: $0.kind) },
            epsilonSpent: header.epsilon, deltaSpent: header.delta, fitSeconds: 0, sampleSeconds: end.timeIntervalSince(start))
    }

    /// Refuses a file whose folder is missing or not writable, before any work starts.
    public static func checkWritable(_ path: String) throws(SynthLabError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidRequest("cannot write \(path): the folder \(folder) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw .invalidRequest("cannot write \(path): the folder \(folder) is not writable")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .invalidRequest("cannot write \(path): it is a folder")
        }
    }
}
