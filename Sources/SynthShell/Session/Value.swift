import Foundation
import SynthKit
import SynthLab

/// A table loaded from CSV, with what it was read with.
struct TableValue {
    var name: String
    var table: Table
    var path: String
    var target: String?
    /// How a synthetic table was made; written beside it whenever it is saved.
    var provenance: Provenance? = nil
}

/// A plugin with a complete set of parameter values, checked against its schema.
struct PluginConfig {
    var plugin: LoadedPlugin
    var parameters: Parameters

    var id: String { plugin.id }
    var kind: PluginKind { plugin.kind }

    /// All parameters, in schema order: what a recorded script writes.
    var canonical: String {
        "\(id)(" + parameters.values.map { "\($0.id): \(literal($0.value))" }.joined(separator: ", ") + ")"
    }

    /// The parameters that differ from their defaults: how a result row names the configuration.
    var label: String {
        let changed = parameters.values.filter { item in
            plugin.descriptor.parameters.first { $0.id == item.id }?.defaultValue != item.value
        }
        if changed.isEmpty { return id }
        return "\(id)(" + changed.map { "\($0.id): \(literal($0.value))" }.joined(separator: ", ") + ")"
    }
}

/// A parameter value as the language writes it.
func literal(_ value: ParameterValue) -> String {
    literalExpression(value, at: SourceLocation(line: 1, column: 1)).canonical()
}

/// A parameter value as an expression of the language.
func literalExpression(_ value: ParameterValue, at location: SourceLocation) -> Expr {
    switch value {
    case .int(let v): Expr(.number(Double(v), isInteger: true), at: location)
    case .float(let v): Expr(.number(v, isInteger: false), at: location)
    case .bool(let v): Expr(.bool(v), at: location)
    case .string(let v): Expr(.string(v), at: location)
    }
}

/// A generator configuration, composed with a privacy mechanism or not.
struct GeneratorSpec {
    var generator: PluginConfig
    var privacy: PluginConfig?
    /// The short name `named()` gave it, which results, figures and exports show in place of the
    /// configuration (nil: the configuration itself).
    var name: String? = nil

    /// How results name the configuration: its name, else the parameters that differ from their
    /// defaults.
    var label: String { name ?? configurationLabel }
    var configurationLabel: String { generator.label + (privacy.map { " with \($0.label)" } ?? "") }
    var canonical: String { generator.canonical + (privacy.map { " with \($0.canonical)" } ?? "") }
}

/// A generator fitted on a table, ready to sample. The model lives in a `synthlab model-worker`
/// process (a plugin that crashes there fails the call, not the session) or, with the
/// `inprocess` executor, in the session's own process.
final class FittedModel {
    enum Home {
        case inProcess(GeneratorSession, HostServices)
        case worker(ModelWorker)
    }

    let spec: GeneratorSpec
    let home: Home
    let tableName: String
    /// The model file it was read from (load_model), whose table has no name in the session.
    let file: String?
    let seed: UInt64
    let columns: [String]
    let trainingRows: Int
    /// The rules the model keeps (fit's `keep:`, or a model file's).
    let rules: [ConstraintRule]
    /// The training table, kept until its hash is asked for, or the hash a model file recorded.
    private var trainingTable: Table?
    private var trainingHash: String?

    init(spec: GeneratorSpec, home: Home, tableName: String, file: String? = nil, seed: UInt64, columns: [String], trainingRows: Int,
         trainingTable: Table? = nil, trainingHash: String? = nil, rules: [ConstraintRule] = []) {
        self.rules = rules
        self.file = file
        self.spec = spec
        self.home = home
        self.tableName = tableName
        self.seed = seed
        self.columns = columns
        self.trainingRows = trainingRows
        self.trainingTable = trainingTable
        self.trainingHash = trainingHash
    }

    var generatorRecord: Provenance.Plugin {
        switch home {
        case .inProcess(let session, _): Provenance.Plugin(session.generator)
        case .worker(let worker): worker.generator
        }
    }

    var privacyRecord: Provenance.Plugin? {
        switch home {
        case .inProcess(let session, _): session.privacy.map(Provenance.Plugin.init)
        case .worker(let worker): worker.privacy
        }
    }

    /// The rules its generator learned.
    var learned: [String] {
        switch home {
        case .inProcess(let session, _): session.learnedRules
        case .worker(let worker): worker.learned
        }
    }

    var privacySpent: PrivacySpend? {
        switch home {
        case .inProcess(let session, _): session.privacySpent
        case .worker(let worker): worker.spent
        }
    }

    /// The content hash of the table the model was fitted on.
    var trainingTableSHA256: String? {
        if trainingHash == nil, let trainingTable {
            trainingHash = Provenance.hash(trainingTable)
            self.trainingTable = nil
        }
        return trainingHash
    }

    /// `rows` rows, drawn with `seed` (the model's own seed, unless another is given).
    func sample(rows: Int, where condition: (column: String, value: String)?, seed: UInt64, options: ModelWorker.Options) throws -> Table {
        switch home {
        case .inProcess(let session, let host):
            host.progress = options.hostProgress()
            var drawing = host
            if seed != host.seed {
                drawing = HostServices(seed: seed, log: host.log, progress: host.progress)
                drawing.cancellationCheck = host.cancellationCheck
            }
            return try session.sample(rows: rows, where: condition, host: drawing)
        case .worker(let worker):
            return try worker.sample(rows: rows, where: condition, seed: seed == self.seed ? nil : seed, options: options)
        }
    }

    func save(to path: String, options: ModelWorker.Options) throws {
        switch home {
        case .inProcess(let session, let host):
            host.progress = options.hostProgress()
            try session.saveModel(to: path, host: host)
        case .worker(let worker): try worker.save(to: path, options: options)
        }
    }
}

/// Tables × generator configurations × validators × seeds.
struct ExperimentSpec {
    var tables: [TableValue]
    var generators: [GeneratorSpec]
    var validators: [PluginConfig]
    var seeds: [UInt64]
    /// Rows to sample per trial; nil samples as many rows as the training part has.
    var rows: Int?
    /// The share of each table's rows held out from training (0 for none).
    var holdout: Double
    /// The rules each table's trials keep (`keep:`), by table name, and whether generators learn them.
    var rules: [String: [ConstraintRule]] = [:]
    var learn = true

    var trialCount: Int { tables.count * generators.count * seeds.count }
}

/// One trial's outcome.
struct TrialResult {
    var table: String
    var generator: String
    var seed: UInt64
    var epsilon: Double?
    var delta: Double?
    var metrics: [MetricResult]
    var fitSeconds: Double
    var sampleSeconds: Double
    /// Why the trial failed; nil when it is done.
    var error: String? = nil
    /// The trial as it was run and stored (nil for validate()'s one-off results).
    var spec: TrialSpec? = nil
    var outcome: TrialOutcome? = nil

    /// The trial's value of a table-level metric (not a per-column one); nil when it has none.
    func value(of metric: String) -> Double? {
        metrics.first { $0.metric.column == nil && $0.metric.name == metric && $0.metric.hasValue }?.metric.value
    }
}

struct ExperimentResults {
    var trials: [TrialResult]

    /// The table-level metrics some trial reported, sorted.
    var reportedMetrics: [String] {
        Set(trials.flatMap { $0.metrics.filter { $0.metric.column == nil }.map(\.metric.name) }).sorted()
    }

    /// The configurations as the results name them, in the order of their first trial.
    var configurationLabels: [String] {
        trials.map(\.generator).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}

/// Every value a name can be bound to.
enum Value {
    case number(Double, isInteger: Bool)
    case string(String)
    case bool(Bool)
    case list([Value])
    case record([(key: String, value: Value)])
    case table(TableValue)
    case plugin(LoadedPlugin)
    case config(PluginConfig)
    case generator(GeneratorSpec)
    case model(FittedModel)
    case experiment(ExperimentSpec)
    case results(ExperimentResults)
    case view(ResultTable)
    case nothing

    /// How many lists and records deep the value is (0 for anything else). The evaluator keeps it
    /// within `Parser.maximumDepth`, so this recursion and the value's display stay shallow.
    var nesting: Int {
        switch self {
        case .list(let items): 1 + items.reduce(0) { max($0, $1.nesting) }
        case .record(let fields): 1 + fields.reduce(0) { max($0, $1.value.nesting) }
        default: 0
        }
    }

    /// The kind of value, as error messages name it.
    var typeName: String {
        switch self {
        case .number(_, let isInteger): isInteger ? "an integer" : "a number"
        case .string: "a string"
        case .bool: "a boolean"
        case .list: "a list"
        case .record: "a record"
        case .table: "a table"
        case .plugin(let plugin): "the \(plugin.kind.rawValue) plugin '\(plugin.id)'"
        case .config(let config): "a \(config.kind.rawValue) configuration (\(config.id))"
        case .generator(let spec):
            "a generator configuration (\(spec.generator.id)\(spec.privacy.map { " with \($0.id)" } ?? "")\(spec.name.map { ", named \(quote($0))" } ?? ""))"
        case .model: "a fitted model"
        case .experiment: "an experiment"
        case .results: "experiment results"
        case .view: "a result table"
        case .nothing: "nothing"
        }
    }
}
