import Foundation
import SynthKit
import SynthLab
import SynthMath

/// The result tables that functions return and the prompt shows.
enum Views {
    static func parameters(_ plugin: LoadedPlugin) -> ResultTable {
        ResultTable(columns: ["parameter", "type", "default", "allowed", "help"], rows: plugin.descriptor.parameters.map { spec in
            let allowed = spec.type == .choice ? spec.choices.joined(separator: " | ") : spec.boundsDescription
            let flag = spec.flags.contains(.privacyRelevant) ? " [privacy]" : ""
            return [.text(spec.id), .text(spec.type.rawValue), .text(spec.defaultValue.map(literal) ?? "(required)"),
                    .text(allowed), .text(spec.help + flag)]
        })
    }

    static func schema(_ value: TableValue) -> ResultTable {
        ResultTable(columns: ["column", "kind", "missing", "role"], rows: value.table.columns.map { column in
            [.text(column.name), .text(column.kind.rawValue), .integer(column.missingCount),
             .text(column.name == value.target ? "target" : "")]
        })
    }

    static func head(_ value: TableValue, rows: Int, columns: [Column]) -> ResultTable {
        let count = min(rows, value.table.rowCount)
        return ResultTable(columns: columns.map(\.name), rows: (0..<count).map { row in
            columns.map { column in column.text(at: row).map { .text($0) } ?? .empty }
        })
    }

    /// Per column: kind, missing values, and the mean, spread and range of numbers or the level
    /// count and most frequent level of categories.
    static func summary(_ columns: [Column]) -> ResultTable {
        let header = ["column", "kind", "missing", "mean", "sd", "min", "max", "levels", "top"]
        return ResultTable(columns: header, rows: columns.map { column in
            var row: [ResultTable.Cell] = [.text(column.name), .text(column.kind.rawValue), .integer(column.missingCount)]
            switch column.values {
            case .categorical(let codes, let levels):
                var counts = Array(repeating: 0, count: levels.count)
                for (index, code) in codes.enumerated() where !column.isMissing(index) && Int(code) < counts.count { counts[Int(code)] += 1 }
                let top = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }
                row += [.empty, .empty, .empty, .empty, .integer(levels.count), top.map { .text(levels[$0]) } ?? .empty]
            case .datetime(let values):
                let present = values.indices.filter { !column.isMissing($0) }.map { values[$0] }
                let low = present.min(), high = present.max()
                row += [.empty, .empty,
                        low.map { .text(DateTimeFormat.format(microseconds: $0, dateOnly: $0 % 86_400_000_000 == 0)) } ?? .empty,
                        high.map { .text(DateTimeFormat.format(microseconds: $0, dateOnly: $0 % 86_400_000_000 == 0)) } ?? .empty, .empty, .empty]
            default:
                let numbers = column.presentNumbers() ?? []
                if numbers.isEmpty {
                    row += [.empty, .empty, .empty, .empty, .empty, .empty]
                } else {
                    let (mean, sd) = meanAndStandardDeviation(numbers)!
                    row += [.number(mean, digits: 4), .number(sd, digits: 4), .number(numbers.min()!, digits: 4),
                            .number(numbers.max()!, digits: 4), .empty, .empty]
                }
            }
            return row
        })
    }

    /// One row per table and generator configuration: the seeds, the privacy spent, and each
    /// table-level metric's mean over the seeds (and its standard deviation with several seeds).
    /// Metric names that repeat across validators keep the first validator's.
    static func summary(_ results: ExperimentResults) -> ResultTable {
        var groups: [(key: String, table: String, generator: String, trials: [TrialResult])] = []
        for trial in results.trials {
            let key = trial.table + "\u{0}" + trial.generator
            if let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].trials.append(trial)
            } else {
                groups.append((key, trial.table, trial.generator, [trial]))
            }
        }
        var metricNames: [String] = []
        for trial in results.trials {
            // A metric that no trial could compute (every value not applicable) gets no column;
            // `details` still lists it with its reason.
            for result in trial.metrics where result.metric.column == nil && result.metric.hasValue
                && !metricNames.contains(result.metric.name) {
                metricNames.append(result.metric.name)
            }
        }
        let withPrivacy = results.trials.contains { $0.epsilon != nil }
        let manySeeds = groups.contains { $0.trials.count > 1 }
        let withFailures = results.trials.contains { $0.error != nil }
        var columns = ["table", "generator", "seeds"]
        if withFailures { columns.append("failed") }
        if withPrivacy { columns += ["epsilon", "delta"] }
        for name in metricNames { columns += manySeeds ? [name, name + " sd"] : [name] }
        let rows: [[ResultTable.Cell]] = groups.map { group in
            var row: [ResultTable.Cell] = [.text(group.table), .text(group.generator), .integer(group.trials.count)]
            if withFailures { row.append(.integer(group.trials.filter { $0.error != nil }.count)) }
            if withPrivacy {
                let spent = group.trials.compactMap(\.epsilon)
                let delta = group.trials.compactMap(\.delta)
                row.append(spent.max().map { .number($0, digits: 4) } ?? .empty)
                row.append(delta.max().map { .number($0, digits: 6) } ?? .empty)
            }
            for name in metricNames {
                let values = group.trials.compactMap { trial in
                    trial.metrics.first { $0.metric.column == nil && $0.metric.name == name && $0.metric.hasValue }?.metric.value
                }
                if values.isEmpty {
                    row += manySeeds ? [.empty, .empty] : [.empty]
                    continue
                }
                let (mean, sd) = meanAndStandardDeviation(values)!
                row.append(.number(mean, digits: 4))
                if manySeeds { row.append(values.count > 1 ? .number(sd, digits: 4) : .empty) }
            }
            return row
        }
        return ResultTable(columns: columns, rows: rows)
    }

    /// Every metric of every trial, one per row.
    static func details(_ results: ExperimentResults) -> ResultTable {
        var rows: [[ResultTable.Cell]] = []
        for trial in results.trials {
            if let error = trial.error {
                rows.append([.text(trial.table), .text(trial.generator), .integer(Int(trial.seed)), .empty, .empty, .empty, .empty,
                             .text("trial failed: " + error)])
            }
            for result in trial.metrics {
                rows.append([.text(trial.table), .text(trial.generator), .integer(Int(trial.seed)), .text(result.validator),
                             .text(result.metric.name), result.metric.column.map { .text($0) } ?? .empty,
                             result.metric.hasValue ? .number(result.metric.value, digits: 4) : .empty,
                             result.metric.notApplicable.map { .text("not applicable: " + $0) } ?? .empty])
            }
        }
        return ResultTable(columns: ["table", "generator", "seed", "validator", "metric", "column", "value", "note"], rows: rows)
    }

    /// Every row of a table (for export).
    static func rows(_ value: TableValue) -> ResultTable {
        head(value, rows: value.table.rowCount, columns: value.table.columns)
    }
}
