import Foundation
import SynthKit
import SynthMath

/// How a synthetic table was made, written beside it as `<file>.provenance.json` whenever SynthLab
/// writes one: the plugins with their versions and parameters, the seed, the training table's
/// content hash (SHA-256 of the table as SynthLab writes it as CSV, so the same table has the same
/// hash however it was loaded), the privacy spent and any condition. With it a result can be
/// reproduced and audited.
public struct Provenance: Codable, Sendable, Equatable {
    public struct Plugin: Codable, Sendable, Equatable {
        public var id: String
        public var version: String
        public var parameters: [String: JSONValue]

        public init(_ instance: PluginInstance) {
            id = instance.plugin.id
            version = instance.plugin.descriptor.version
            parameters = Dictionary(uniqueKeysWithValues: instance.parameters.values.map { ($0.id, JSONValue($0.value)) })
        }

        public init(id: String, version: String, parameters: [String: JSONValue]) {
            self.id = id
            self.version = version
            self.parameters = parameters
        }
    }

    public var madeBy = "synthlab"
    public var generator: Plugin
    public var privacy: Plugin?
    public var seed: UInt64
    /// SHA-256 of the training table as CSV; nil for a generator that simulates data.
    public var trainingTableSHA256: String?
    public var trainingRows: Int?
    public var rows: Int
    public var epsilon: Double?
    public var delta: Double?
    /// `column=value` when the rows were sampled given a category; several joined by ", ".
    public var condition: String?
    /// The rules every row was drawn to keep (`keep:`), joined by "; ", and those of them the
    /// generator learned (the others were kept by leaving out rows that broke them).
    public var rules: String?
    public var learned: String?
    public var created: String

    public init(generator: Plugin, privacy: Plugin?, seed: UInt64, trainingTableSHA256: String?, trainingRows: Int?, rows: Int,
                epsilon: Double?, delta: Double?, conditions: [ConditionalSampling.Condition], rules: [ConstraintRule] = [], learned: [String] = []) {
        self.generator = generator
        self.privacy = privacy
        self.seed = seed
        self.trainingTableSHA256 = trainingTableSHA256
        self.trainingRows = trainingRows
        self.rows = rows
        self.epsilon = epsilon
        self.delta = delta
        self.condition = ConditionalSampling.describe(conditions)
        self.rules = ConditionalSampling.describe(rules)
        self.learned = learned.isEmpty ? nil : learned.joined(separator: "; ")
        self.created = ISO8601DateFormatter().string(from: Date())
    }

    enum CodingKeys: String, CodingKey {
        case madeBy = "made_by", generator, privacy, seed, trainingTableSHA256 = "training_table_sha256"
        case trainingRows = "training_rows", rows, epsilon, delta, condition, rules, learned, created
    }

    /// The content hash of a table: SHA-256 of its CSV rendering.
    public static func hash(_ table: Table) -> String {
        var digest = SHA256()
        CSVWriter.chunks(table) { digest.update($0) }
        return digest.finalizeHex()
    }

    /// Where the record of `path` goes.
    public static func path(for file: String) -> String { file + ".provenance.json" }

    /// Writes the record beside `file`, atomically; a table written to a device or a pipe
    /// (/dev/stdout) has no place beside it, and gets none.
    public func write(beside file: String) throws {
        guard !AtomicFile.isSpecial(file) else { return }
        try AtomicFile.write(Data((try JSONOutput.render(self) + "\n").utf8), to: Self.path(for: file))
    }
}
