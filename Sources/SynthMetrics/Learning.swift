import Foundation
import SynthKit

/// What a supervised task predicts: one of the classes of a categorical target, or a number.
public enum LearningTask: Sendable, Equatable {
    /// Class labels in a fixed order (the real training table's, sorted).
    case classification(classes: [String])
    case regression

    public var isClassification: Bool { if case .classification = self { true } else { false } }
}

/// The target of a task as model input: class indices or numbers, nil where the cell is missing.
public struct Targets: Sendable {
    public var task: LearningTask
    /// Class index (as a Double) or the number, per row; NaN where missing or an unknown class.
    public var values: [Double]

    /// The task a column implies: categorical and boolean columns, and integer columns with at
    /// most ten distinct values, are classification; other numeric columns are regression.
    public static func task(for column: Column) -> LearningTask {
        switch column.kind {
        case .categorical, .boolean:
            return .classification(classes: classes(of: column))
        case .integer:
            let distinct = Set(column.presentNumbers() ?? [])
            return distinct.count <= 10 ? .classification(classes: classes(of: column)) : .regression
        case .continuous, .datetime:
            return .regression
        }
    }

    static func classes(of column: Column) -> [String] {
        var seen = Set<String>()
        for row in 0..<column.count { if let text = column.text(at: row) { seen.insert(text) } }
        return seen.sorted()
    }

    public init(_ column: Column, task: LearningTask) {
        self.task = task
        switch task {
        case .classification(let classes):
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Double($0)) })
            values = (0..<column.count).map { row in column.text(at: row).flatMap { index[$0] } ?? .nan }
        case .regression:
            values = numbersWithMissing(column) ?? [Double](repeating: .nan, count: column.count)
        }
    }
}

/// Turns the feature columns of a table into numbers, with everything learned from one training
/// table: numeric columns standardized (missing cells get the training mean and a missing flag
/// column), categorical and boolean columns one-hot over the training table's labels (missing a
/// label of its own, an unseen label all zeros). `raw` keeps unscaled numbers, NaN where missing,
/// and categories as codes, for trees.
public struct FeatureEncoder: Sendable {
    enum Feature: Sendable {
        case number(name: String, mean: Double, scale: Double, flagsMissing: Bool)
        case category(name: String, labels: [String?])
    }
    let features: [Feature]
    public let names: [String]

    public init(training table: Table, excluding target: String?) {
        var features: [Feature] = []
        for column in table.columns where column.name != target {
            if ColumnShape(column.kind) == .continuous, let values = numbersWithMissing(column) {
                let present = values.filter { !$0.isNaN }
                let mean = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
                let variance = present.isEmpty ? 0 : present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)
                features.append(.number(name: column.name, mean: mean, scale: variance > 0 ? variance.squareRoot() : 1,
                                        flagsMissing: present.count < values.count))
            } else {
                var labels: [String?] = []
                var seen = Set<String?>()
                for row in 0..<column.count {
                    let label = column.text(at: row)
                    if seen.insert(label).inserted { labels.append(label) }
                }
                features.append(.category(name: column.name, labels: labels.sorted { ($0 ?? "") < ($1 ?? "") }))
            }
        }
        self.features = features
        var names: [String] = []
        for feature in features {
            switch feature {
            case .number(let name, _, _, let flags):
                names.append(name)
                if flags { names.append(name + "=missing") }
            case .category(let name, let labels):
                names += labels.map { name + "=" + ($0 ?? "missing") }
            }
        }
        self.names = names
    }

    public var width: Int { names.count }

    /// The design matrix for linear models, row-major, `width` columns.
    public func dense(_ table: Table) throws -> [Double] {
        let n = table.rowCount, d = width
        var out = [Double](repeating: 0, count: n * d)
        var offset = 0
        for feature in features {
            switch feature {
            case .number(let name, let mean, let scale, let flags):
                let values = try numbers(table, name)
                for row in 0..<n {
                    let value = values[row]
                    if value.isNaN {
                        if flags { out[row * d + offset + 1] = 1 }
                    } else {
                        out[row * d + offset] = (value - mean) / scale
                    }
                }
                offset += flags ? 2 : 1
            case .category(let name, let labels):
                guard let column = table.column(named: name) else { throw MetricsError.missingColumn(name) }
                let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
                for row in 0..<n {
                    if let position = index[column.text(at: row)] { out[row * d + offset + position] = 1 }
                }
                offset += labels.count
            }
        }
        return out
    }

    /// One array per feature column for trees: numbers unscaled (NaN where missing), categories as
    /// their code among the training labels (NaN for a missing or unseen label).
    public func raw(_ table: Table) throws -> (columns: [[Double]], categorical: [Bool]) {
        var columns: [[Double]] = [], categorical: [Bool] = []
        for feature in features {
            switch feature {
            case .number(let name, _, _, _):
                columns.append(try numbers(table, name))
                categorical.append(false)
            case .category(let name, let labels):
                guard let column = table.column(named: name) else { throw MetricsError.missingColumn(name) }
                let index = Dictionary(uniqueKeysWithValues: labels.enumerated().compactMap { position, label in
                    label.map { ($0, Double(position)) }
                })
                columns.append((0..<table.rowCount).map { row in column.text(at: row).flatMap { index[$0] } ?? .nan })
                categorical.append(true)
            }
        }
        return (columns, categorical)
    }

    private func numbers(_ table: Table, _ name: String) throws -> [Double] {
        guard let column = table.column(named: name) else { throw MetricsError.missingColumn(name) }
        guard let values = numbersWithMissing(column) else {
            throw MetricsError.invalid("column '\(name)' is categorical here but numeric in the training table")
        }
        return values
    }
}
