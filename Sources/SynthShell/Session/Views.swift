import Foundation
import SynthKit
import SynthLab
import SynthMath
import SynthMetrics

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
        // A column of dates shows dates, as the CSV writer and summary() write them.
        let dateOnly = columns.map(\.holdsDatesOnly)
        return ResultTable(columns: columns.map(\.name), rows: (0..<count).map { row in
            columns.indices.map { index in datum(columns[index], row, dateOnly: dateOnly[index]) }
        })
    }

    /// One value of a table: its text, a literal in JSON for a finite number or a boolean.
    static func datum(_ column: Column, _ row: Int, dateOnly: Bool = false) -> ResultTable.Cell {
        if dateOnly, case .datetime(let values) = column.values, !column.isMissing(row) {
            return .datum(DateTimeFormat.format(microseconds: values[row], dateOnly: true), literal: false)
        }
        guard let text = column.text(at: row) else { return .empty }
        switch column.values {
        case .integer, .boolean: return .datum(text, literal: true)
        case .continuous(let values): return .datum(text, literal: values[row].isFinite)
        case .categorical, .datetime: return .datum(text, literal: false)
        }
    }

    /// Per column: kind, missing values, and the mean, spread and range of numbers or the number
    /// of levels the rows hold and the most frequent one, of categories.
    static func summary(_ columns: [Column]) -> ResultTable {
        let header = ["column", "kind", "missing", "mean", "sd", "min", "max", "levels", "top"]
        return ResultTable(columns: header, rows: columns.map { column in
            var row: [ResultTable.Cell] = [.text(column.name), .text(column.kind.rawValue), .integer(column.missingCount)]
            switch column.values {
            case .categorical(let codes, let levels):
                var counts = Array(repeating: 0, count: levels.count)
                for (index, code) in codes.enumerated() where !column.isMissing(index) && Int(code) < counts.count { counts[Int(code)] += 1 }
                // The levels the rows hold: a sampled column's dictionary may list categories none of its rows has.
                let top = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }.flatMap { counts[$0] > 0 ? $0 : nil }
                row += [.empty, .empty, .empty, .empty, .integer(counts.filter { $0 > 0 }.count), top.map { .text(levels[$0]) } ?? .empty]
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

    /// One row per table and generator configuration: the seeds, the privacy spent, each
    /// table-level metric's mean over the seeds (and its standard deviation with several seeds),
    /// and, with several configurations, the best mean of each metric that has a goal marked and
    /// the configuration's mean rank over those metrics (1 is best; ties share their mean rank),
    /// among the configurations of the table that have values. Metric names that repeat across validators keep the first validator's.
    static func summary(_ results: ExperimentResults) -> ResultTable {
        let groups = summaryGroups(results)
        let (metricNames, goals) = summaryMetrics(results)
        let withPrivacy = results.trials.contains { $0.epsilon != nil }
        let manySeeds = groups.contains { $0.trials.count > 1 }
        let withFailures = results.trials.contains { $0.error != nil }
        // Mean, standard deviation and count of each metric per group: for the cells, marks and ranks.
        let stats: [[(mean: Double, sd: Double, count: Int)?]] = groups.map { group in
            metricNames.map { name in
                let values = group.trials.compactMap { $0.value(of: name) }
                return meanAndStandardDeviation(values).map { ($0.mean, $0.standardDeviation, values.count) }
            }
        }
        let means = stats.map { $0.map { $0?.mean } }
        let compared = Set(groups.map(\.table)).contains { table in groups.filter { $0.table == table }.count > 1 }
        var ranks = [Double?](repeating: nil, count: groups.count)
        var best = Set<ResultTable.Position>()
        var columns = ["table", "generator", "seeds"]
        if withFailures { columns.append("failed") }
        if withPrivacy { columns += ["epsilon", "delta"] }
        if compared { columns.append("rank") }
        let firstMetricColumn = columns.count
        columns += metricNames
        if compared {
            var rankSums = [Double](repeating: 0, count: groups.count), rankCounts = [Int](repeating: 0, count: groups.count)
            for table in Set(groups.map(\.table)) {
                // A configuration with no value at all (every trial failed) is left out of the
                // ranking, so that it does not take the ranks and marks from the others.
                let members = groups.indices.filter { groups[$0].table == table && means[$0].contains { $0 != nil } }
                guard members.count > 1 else { continue }
                for (m, name) in metricNames.enumerated() {
                    guard let goal = goals[name], goal != .none else { continue }
                    let scored = members.filter { means[$0][m] != nil }
                    guard scored.count == members.count else { continue }
                    // Each mean's distance from the best (the negated mean when higher is better).
                    let keys = scored.map { goal.rankingKey(means[$0][m]!)! }
                    let rankOf = Correlation.averageRanks(keys)
                    for (position, group) in scored.enumerated() {
                        rankSums[group] += rankOf[position]
                        rankCounts[group] += 1
                        if rankOf[position] == rankOf.min() {
                            best.insert(ResultTable.Position(row: group, column: firstMetricColumn + m))
                        }
                    }
                }
            }
            for group in groups.indices where rankCounts[group] > 0 { ranks[group] = rankSums[group] / Double(rankCounts[group]) }
        }
        let rows: [[ResultTable.Cell]] = groups.enumerated().map { index, group in
            var row: [ResultTable.Cell] = [.text(group.table), .text(group.generator), .integer(group.trials.count)]
            if withFailures { row.append(.integer(group.trials.filter { $0.error != nil }.count)) }
            if withPrivacy {
                let spent = group.trials.compactMap(\.epsilon)
                let delta = group.trials.compactMap(\.delta)
                row.append(spent.max().map { .number($0, digits: 4) } ?? .empty)
                row.append(delta.max().map { .number($0, digits: 6) } ?? .empty)
            }
            if compared { row.append(ranks[index].map { .number($0, digits: 2) } ?? .empty) }
            for stat in stats[index] {
                guard let stat else {
                    row.append(.empty)
                    continue
                }
                row.append(manySeeds ? .estimate(stat.mean, sd: stat.count > 1 ? stat.sd : nil, digits: 4) : .number(stat.mean, digits: 4))
            }
            return row
        }
        var table = ResultTable(columns: columns, rows: rows)
        table.emphasized = best
        return table
    }

    /// The summary's rows: one per table and generator configuration, in the order of their first trials.
    static func summaryGroups(_ results: ExperimentResults) -> [(table: String, generator: String, trials: [TrialResult])] {
        var groups: [(table: String, generator: String, trials: [TrialResult])] = []
        for trial in results.trials {
            if let index = groups.firstIndex(where: { $0.table == trial.table && $0.generator == trial.generator }) {
                groups[index].trials.append(trial)
            } else {
                groups.append((trial.table, trial.generator, [trial]))
            }
        }
        return groups
    }

    /// The summary's metric columns, in the order trials report them, and each one's goal. A
    /// metric that no trial could compute (every value not applicable) gets no column; `details`
    /// still lists it with its reason.
    static func summaryMetrics(_ results: ExperimentResults) -> (names: [String], goals: [String: MetricGoal]) {
        var names: [String] = []
        var goals: [String: MetricGoal] = [:]
        for trial in results.trials {
            for result in trial.metrics where result.metric.column == nil && result.metric.hasValue && goals[result.metric.name] == nil {
                names.append(result.metric.name)
                goals[result.metric.name] = result.metric.goal
            }
        }
        return (names, goals)
    }

    /// What the summary's cells leave unsaid, as lines to print under it: that a blank cell is a
    /// metric none of its row's trials could compute, and which means cover only some of their
    /// row's seeds (the others not applicable, as when a synthetic table holds one class).
    static func summaryNotes(_ results: ExperimentResults) -> [String] {
        let metricNames = summaryMetrics(results).names
        var blank = false
        var lines: [String] = []
        for group in summaryGroups(results) {
            let ran = group.trials.filter { $0.error == nil }
            guard !ran.isEmpty else { continue }
            // The metrics of the row that some of its trials lack, grouped by how many have them.
            var partial: [(count: Int, names: [String])] = []
            for name in metricNames {
                let count = ran.count { $0.value(of: name) != nil }
                if count == 0 {
                    blank = true
                } else if count < ran.count {
                    if let index = partial.firstIndex(where: { $0.count == count }) {
                        partial[index].names.append(name)
                    } else {
                        partial.append((count, [name]))
                    }
                }
            }
            for (count, names) in partial {
                lines.append("\(group.generator) on \(group.table): \(names.joined(separator: ", ")) "
                             + "\(names.count == 1 ? "is a mean" : "are means") over \(count) of "
                             + (ran.count == group.trials.count ? "its \(ran.count) seeds" : "the \(ran.count) seeds that ran"))
            }
        }
        if blank { lines.insert("A blank cell: no trial of its row could compute that metric.", at: 0) }
        if !lines.isEmpty { lines.append("details() gives every trial's values, and why each missing one is not applicable.") }
        return lines
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

    /// What each configuration's trials cost, per table: the trials that ran, and over them the
    /// mean (± sd with several) of the seconds to fit, to sample and to validate, and of the worker
    /// process's peak resident memory (blank for trials run in process). Times are wall-clock
    /// times on the machine that ran the trial, so they vary from run to run; the metrics do not.
    /// Nil for results of no trial (validate()'s compare two tables and fit nothing).
    static func costs(_ results: ExperimentResults) -> ResultTable? {
        guard results.trials.contains(where: { $0.outcome != nil }) else { return nil }
        let rows: [[ResultTable.Cell]] = summaryGroups(results).map { group in
            let ran = group.trials.compactMap { $0.error == nil ? $0.outcome : nil }
            func cell(_ values: [Double], digits: Int = 3) -> ResultTable.Cell {
                guard let (mean, sd) = meanAndStandardDeviation(values) else { return .empty }
                return .estimate(mean, sd: values.count > 1 ? sd : nil, digits: digits)
            }
            return [.text(group.table), .text(group.generator), .integer(ran.count),
                    cell(ran.compactMap(\.fitSeconds)), cell(ran.compactMap(\.sampleSeconds)),
                    cell(ran.compactMap(\.validateSeconds)), cell(ran.compactMap(\.peakMiB), digits: 1)]
        }
        return ResultTable(columns: ["table", "generator", "trials", "fit s", "sample s", "validate s", "peak MiB"], rows: rows)
    }

    /// Paired comparisons of one table-level metric across seeds: for each pair of configurations
    /// (or each against `baseline`), over the seeds both have a value for, the mean difference
    /// (first − second), its 95 % interval (Student's t with n − 1 degrees of freedom, the seeds'
    /// trials sharing their split), the two-sided p-value of a paired t-test, and that p-value
    /// adjusted by Holm's step-down over every comparison shown.
    static func compare(_ results: ExperimentResults, metric: String, baseline: String?) -> ResultTable {
        struct Row { var table: String, first: String, second: String, differences: [Double] }
        var comparisons: [Row] = []
        for table in Report.orderedTables(results) {
            let configurations = Report.configurations(results, table: table).map { label, trials in
                (label, Dictionary(trials.compactMap { trial in trial.value(of: metric).map { (trial.seed, $0) } },
                                   uniquingKeysWith: { first, _ in first }))
            }
            for i in configurations.indices {
                for j in configurations.indices where baseline.map({ configurations[j].0 == $0 && configurations[i].0 != $0 }) ?? (i < j) {
                    let (a, b) = (configurations[i].1, configurations[j].1)
                    let seeds = a.keys.filter { b[$0] != nil }.sorted()
                    comparisons.append(Row(table: table, first: configurations[i].0, second: configurations[j].0,
                                           differences: seeds.map { a[$0]! - b[$0]! }))
                }
            }
        }
        // Student's t for each comparison with two seeds or more; Holm's adjustment over those.
        let tests = comparisons.map { PairedTTest($0.differences) }
        let tested = tests.indices.filter { tests[$0] != nil }
        var holm = [Double?](repeating: nil, count: tests.count)
        for (index, adjusted) in zip(tested, PairedTTest.holm(tested.map { tests[$0]!.p })) { holm[index] = adjusted }
        let rows: [[ResultTable.Cell]] = comparisons.indices.map { index in
            let row = comparisons[index]
            let mean: ResultTable.Cell = row.differences.isEmpty ? .empty
                : .number(row.differences.reduce(0, +) / Double(row.differences.count), digits: 4)
            var cells: [ResultTable.Cell] = [.text(row.table), .text(row.first), .text(row.second), .integer(row.differences.count), mean]
            if let test = tests[index] {
                cells += [.number(test.low, digits: 4), .number(test.high, digits: 4), .number(test.p, digits: 4), .number(holm[index]!, digits: 4)]
            } else {
                cells += [.empty, .empty, .empty, .empty]
            }
            return cells
        }
        return ResultTable(columns: ["table", "generator", "compared with", "seeds", "\(metric) difference", "95% low", "95% high", "p", "p (Holm)"],
                           rows: rows)
    }

    /// Every row of a table (for export).
    static func rows(_ value: TableValue) -> ResultTable {
        head(value, rows: value.table.rowCount, columns: value.table.columns)
    }
}
