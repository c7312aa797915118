import Foundation
import SynthKit
import SynthMath

/// A plugin and its parameters, as a trial spec writes them.
public struct PluginSpec: Codable, Sendable, Equatable {
    public var id: String
    public var parameters: [String: JSONValue]

    public init(id: String, parameters: [String: JSONValue] = [:]) {
        self.id = id
        self.parameters = parameters
    }

    public init(_ id: String, _ parameters: Parameters) {
        self.id = id
        self.parameters = Dictionary(uniqueKeysWithValues: parameters.values.map { ($0.id, JSONValue($0.value)) })
    }

    /// The instance this spec describes, its parameters checked against the plugin's schema.
    public func instantiate(_ registry: PluginRegistry, kind: PluginKind, host: HostServices) throws -> PluginInstance {
        let plugin = try registry.plugin(id, kind: kind)
        let values = parameters.mapValues { value -> ParameterValue in
            switch value {
            case .int(let v): .int(v)
            case .float(let v): .float(v)
            case .bool(let v): .bool(v)
            case .string(let v): .string(v)
            }
        }
        return try PluginInstance(plugin, values: values, host: host)
    }
}

/// The table of a trial: a CSV file every process reads the same way, with its hash.
public struct TableSpec: Codable, Sendable, Equatable {
    public var name: String
    public var path: String
    /// SHA-256 of the file's bytes: the table's identity in trial keys and provenance.
    public var sha256: String
    public var kinds: [String: ColumnKind]
    public var target: String?

    public init(name: String, path: String, sha256: String, kinds: [String: ColumnKind], target: String?) {
        self.name = name
        self.path = path
        self.sha256 = sha256
        self.kinds = kinds
        self.target = target
    }

    /// Writes `table` as CSV into `folder` under its content hash (once) and describes it.
    public static func stored(_ table: Table, name: String, target: String?, in folder: String) throws -> TableSpec {
        let hash = Provenance.hash(table)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + hash + ".csv"
        if !FileManager.default.fileExists(atPath: path) { try AtomicFile.write(to: path, compressing: false) { try CSVWriter.chunks(table, $0) } }
        return TableSpec(name: name, path: path, sha256: hash,
                         kinds: Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.kind) }), target: target)
    }

    /// The table, or with `file` another CSV file of its columns (a trial's synthetic rows), read
    /// with the table's kinds and CSVWriter's comma, on one thread: trials run side by side.
    public func read(_ file: String? = nil) throws -> Table {
        var options = CSVOptions(kindOverrides: kinds, delimiter: UInt8(ascii: ","))
        options.threads = 1
        return try CSVReader.read(path: file ?? path, options: options)
    }
}

/// One independent unit of an experiment: a table split by the seed, a generator configuration
/// (with its privacy composition) fitted on the training part, rows sampled, validators run.
public struct TrialSpec: Codable, Sendable, Equatable {
    public var table: TableSpec
    /// The share of the table's rows held out of training (0: none).
    public var holdout: Double
    public var generator: PluginSpec
    public var privacy: PluginSpec?
    public var validators: [PluginSpec]
    public var seed: UInt64
    /// Rows to sample; nil: as many as the training part has.
    public var rows: Int?
    /// How result tables name the generator configuration.
    public var label: String
    /// "id version" of every plugin the trial uses: a new plugin version is a new trial.
    public var versions: [String]
    /// Rules every synthetic row keeps (inequalities, as `ConstraintRule.parse` reads them, joined
    /// by "; "), or nil. Part of the identity only when given, so earlier trials keep their keys.
    public var rules: String?
    /// Whether the generator learns the rules it can (`GeneratorSession.fit`); nil when it learns
    /// none, as trials did before rules were learned, so their keys stay.
    public var learnsRules: Bool?
    /// Where to keep the synthetic rows (CSV), or nil not to keep them. Not part of the identity.
    public var samplePath: String?

    public init(table: TableSpec, holdout: Double, generator: PluginSpec, privacy: PluginSpec?, validators: [PluginSpec],
                seed: UInt64, rows: Int?, label: String, versions: [String] = []) {
        self.versions = versions
        self.table = table
        self.holdout = holdout
        self.generator = generator
        self.privacy = privacy
        self.validators = validators
        self.seed = seed
        self.rows = rows
        self.label = label
    }

    /// How a progress line names the trial: "table · configuration · seed N", the configuration
    /// cut to `width` characters (with "…") so that a long one (public bounds, say) leaves room
    /// on the line for the trial's own progress.
    public func progressName(width: Int = 48) -> String {
        let name = label.count > width ? String(label.prefix(width - 1)) + "…" : label
        return "\(table.name) · \(name) · seed \(seed)"
    }

    /// The trial's identity: a hash of everything that decides its numbers (the table's content,
    /// not its name or path): the configuration's hash and the seed.
    public var key: String { SHA256.hex(Array((configurationHash + ":" + String(seed)).utf8)) }

    /// A hash of everything but the seed; the trials of one configuration across seeds share it.
    public var configurationHash: String {
        if let cached = cachedConfigurationHash { return cached }
        return Self.configurationHash(of: self)
    }

    /// Computes `configurationHash` once, for specs built in bulk.
    public mutating func cacheConfigurationHash() { cachedConfigurationHash = Self.configurationHash(of: self) }

    static func configurationHash(of spec: TrialSpec) -> String {
        struct Identity: Encodable {
            let table: String, target: String?, kinds: [String: ColumnKind], holdout: Double
            let generator: PluginSpec, privacy: PluginSpec?, validators: [PluginSpec], rows: Int?
            let versions: [String]
            let rules: String?
            let learnsRules: Bool?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let identity = Identity(table: spec.table.sha256, target: spec.table.target, kinds: spec.table.kinds, holdout: spec.holdout,
                                generator: spec.generator, privacy: spec.privacy, validators: spec.validators, rows: spec.rows,
                                versions: spec.versions, rules: spec.rules, learnsRules: spec.learnsRules == true ? true : nil)
        return SHA256.hex(try! encoder.encode(identity))
    }

    /// Sets the configuration hash computed for another seed of the same configuration.
    public mutating func useConfigurationHash(_ hash: String) { cachedConfigurationHash = hash }

    private var cachedConfigurationHash: String?

    enum CodingKeys: String, CodingKey {
        case table, holdout, generator, privacy, validators, seed, rows, label, versions, rules, learnsRules, samplePath
    }
}
