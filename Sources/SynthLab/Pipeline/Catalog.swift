import Foundation
import SynthKit
import SynthMath

/// `describe`: what a CSV file holds, column by column.
public struct TableDescription: Codable, Sendable {
    public struct Level: Codable, Sendable { public var value: String; public var count: Int }
    public struct ColumnDescription: Codable, Sendable {
        public var name: String
        public var kind: ColumnKind
        public var missing: Int
        public var distinct: Int
        public var min: String?
        public var max: String?
        public var mean: Double?
        public var top: [Level]?
    }

    public var file: String
    public var rows: Int
    public var columns: [ColumnDescription]
    /// The rules every row keeps that say something about its rows (`ConstraintRule.discover`).
    public var rules: [String]
    /// What columns read as text may be instead, with the option that reads them (`ReadingNote`).
    public var notes: [String]

    public init(file: String, table: Table, options: CSVOptions = CSVOptions()) {
        self.file = file
        rows = table.rowCount
        notes = ReadingNote.of(table, options: options).map(\.commandLine)
        rules = ConstraintRule.discover(in: table).map(\.text)
        columns = table.columns.map { column in
            let present = (0..<column.count).filter { !column.isMissing($0) }
            var description = ColumnDescription(name: column.name, kind: column.kind, missing: column.missingCount,
                                                distinct: Set(present.map { column.text(at: $0) ?? "" }).count)
            if column.kind == .categorical || column.kind == .boolean {
                var counts: [String: Int] = [:]
                for row in present { counts[column.text(at: row) ?? "", default: 0] += 1 }
                description.top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .prefix(5).map { Level(value: $0.key, count: $0.value) }
            } else if let numbers = column.presentNumbers(), !numbers.isEmpty,
                      let low = present.min(by: { numericValue(column, $0) < numericValue(column, $1) }),
                      let high = present.max(by: { numericValue(column, $0) < numericValue(column, $1) }) {
                if case .datetime(let values) = column.values {
                    // A column of dates shows dates, as the CSV writer writes them.
                    let dates = column.holdsDatesOnly
                    description.min = DateTimeFormat.format(microseconds: values[low], dateOnly: dates)
                    description.max = DateTimeFormat.format(microseconds: values[high], dateOnly: dates)
                } else {
                    description.min = column.text(at: low)
                    description.max = column.text(at: high)
                }
                // A running mean: a sum of values near the largest double would overflow.
                if column.kind != .datetime { description.mean = meanAndStandardDeviation(numbers)?.mean }
            }
            return description
        }
    }
}

private func numericValue(_ column: Column, _ row: Int) -> Double {
    switch column.values {
    case .continuous(let v): v[row]
    case .integer(let v): Double(v[row])
    case .datetime(let v): Double(v[row])
    default: 0
    }
}

/// `plugins`: what was loaded from where, and what was rejected.
public struct PluginCatalog: Codable, Sendable {
    public struct ParameterEntry: Codable, Sendable {
        public var id: String
        public var type: ParameterType
        public var `default`: JSONValue?
        public var min: Double?
        public var max: Double?
        public var minExclusive: Bool
        public var maxExclusive: Bool
        public var choices: [String]?
        public var required: Bool
        public var privacyRelevant: Bool
        public var help: String

        enum CodingKeys: String, CodingKey {
            case id, type, `default`, min, max, choices, required, help
            case minExclusive = "min_exclusive", maxExclusive = "max_exclusive", privacyRelevant = "privacy_relevant"
        }
    }

    public struct PluginEntry: Codable, Sendable {
        public var id: String
        public var name: String
        public var version: String
        public var kind: PluginKind
        public var summary: String
        public var path: String
        public var capabilities: [String]
        public var needs: [String]
        public var parameters: [ParameterEntry]
    }

    public struct RejectedEntry: Codable, Sendable {
        public var path: String
        public var reason: String
    }

    public var searchPath: [String]
    public var plugins: [PluginEntry]
    public var rejected: [RejectedEntry]

    enum CodingKeys: String, CodingKey { case searchPath = "search_path", plugins, rejected }

    public init(_ registry: PluginRegistry) {
        searchPath = registry.searchPath
        plugins = registry.plugins.map { plugin in
            let d = plugin.descriptor
            var needs: [String] = []
            if d.validatorNeeds.contains(.holdout) { needs.append("holdout") }
            if d.validatorNeeds.contains(.target) { needs.append("target") }
            return PluginEntry(
                id: d.id, name: d.name, version: d.version, kind: d.kind, summary: d.summary, path: plugin.path,
                capabilities: d.capabilities, needs: needs,
                parameters: d.parameters.map { spec in
                    ParameterEntry(id: spec.id, type: spec.type, default: spec.defaultValue.map(JSONValue.init),
                                   min: spec.minimum, max: spec.maximum,
                                   minExclusive: spec.flags.contains(.minExclusive), maxExclusive: spec.flags.contains(.maxExclusive),
                                   choices: spec.type == .choice ? spec.choices : nil, required: spec.isRequired,
                                   privacyRelevant: spec.flags.contains(.privacyRelevant), help: spec.help)
                })
        }
        rejected = registry.rejected.map { RejectedEntry(path: $0.path, reason: $0.reason) }
    }
}
