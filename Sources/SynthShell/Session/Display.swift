import Foundation
import SynthKit
import SynthLab

/// How each kind of value shows at the prompt.
enum Display {
    /// The value as the prompt shows it; result tables in `.table` mode fold to the screen's
    /// `width` when one is given.
    static func render(_ value: Value, mode: OutputMode, width: Int? = nil) -> String {
        switch value {
        case .nothing:
            return ""
        case .view(let table):
            return table.render(mode, width: width)
        case .results(let results):
            let notes = mode == .table ? Views.summaryNotes(results) : []
            return Views.summary(results).render(mode, width: width) + notes.map { $0 + "\n" }.joined()
        case .plugin(let plugin):
            let descriptor = plugin.descriptor
            var text = "\(descriptor.id) \(descriptor.version): \(descriptor.name) (\(descriptor.kind.rawValue))\n"
            if !descriptor.summary.isEmpty { text += descriptor.summary + "\n" }
            if descriptor.parameters.isEmpty { return text + "no parameters\n" }
            return text + Views.parameters(plugin).render(mode, width: width)
        case .table(let table):
            return "\(table.name): " + line(value)
        case .model:
            return line(value)
        case .experiment(let experiment):
            return describe(experiment)
        case .list(let items) where items.contains(where: { !isScalar($0) }):
            return items.map { render($0, mode: mode, width: width) }.joined(separator: "\n")
        default:
            return inline(value)
        }
    }

    static func isScalar(_ value: Value) -> Bool {
        switch value {
        case .number, .string, .bool: true
        case .list(let items): items.allSatisfy(isScalar)
        default: false
        }
    }

    /// A value on one line, for `.names`: what a table, model or experiment holds, and any other
    /// value as it would be written in the language.
    static func line(_ value: Value) -> String {
        switch value {
        case .table(let table):
            let target = table.target.map { ", target \($0)" } ?? ""
            return "\(counted(table.table.rowCount, "row")) × \(counted(table.table.columns.count, "column"))\(target) (\(table.path))"
        case .model(let model):
            let spent = model.privacySpent.map { spent in
                ", spent ε = \(String(format: "%.4g", spent.epsilon))" + (spent.delta > 0 ? ", δ = \(String(format: "%.3g", spent.delta))" : "")
            } ?? ""
            let learned = model.learned
            let keeps = ConditionalSampling.describe(model.rules).map { rules in
                ", keeps \(rules)" + (learned.isEmpty ? "" : " (learned: \(learned.joined(separator: "; ")))")
            } ?? ""
            let fitted = model.file.map { "read from \($0), fitted on \(counted(model.trainingRows, "row"))" } ?? "fitted on \(model.tableName)"
            return "\(model.spec.label) \(fitted) (seed \(model.seed)\(spent)\(keeps))"
        case .experiment(let experiment):
            return "\(counted(experiment.trialCount, "trial")): \(shape(experiment))"
        case .results(let results):
            let failed = results.trials.filter { $0.error != nil }.count
            return counted(results.trials.count, "trial") + (failed > 0 ? ", \(failed) failed" : "")
        default:
            return inline(value)
        }
    }

    /// A value on one line, as it would be written in the language.
    static func inline(_ value: Value) -> String {
        switch value {
        case .number(let number, let isInteger): isInteger ? String(Int64(number)) : formatDouble(number)
        case .string(let text): quote(text)
        case .bool(let flag): flag ? "true" : "false"
        case .list(let items): "[" + items.map(inline).joined(separator: ", ") + "]"
        case .record(let fields): "{" + fields.map { "\($0.key): \(inline($0.value))" }.joined(separator: ", ") + "}"
        case .table(let table): table.name
        case .plugin(let plugin): plugin.id
        case .config(let config): config.canonical
        case .generator(let spec): spec.name.map { "named(\(spec.canonical), \(quote($0)))" } ?? spec.canonical
        case .model(let model): model.file.map { "<\(model.spec.label) read from \($0)>" } ?? "<\(model.spec.label) fitted on \(model.tableName)>"
        case .experiment(let experiment): "<experiment of \(counted(experiment.trialCount, "trial"))>"
        case .results(let results): "<results of \(counted(results.trials.count, "trial"))>"
        case .view(let table): "<table of \(counted(table.rows.count, "row"))>"
        case .nothing: ""
        }
    }

    /// "1 table × 2 generators × 3 seeds": what an experiment crosses.
    static func shape(_ experiment: ExperimentSpec) -> String {
        [counted(experiment.tables.count, "table"), counted(experiment.generators.count, "generator"),
         counted(experiment.seeds.count, "seed")].joined(separator: " × ")
    }

    static func describe(_ experiment: ExperimentSpec) -> String {
        var lines = ["experiment: \(shape(experiment)) = \(counted(experiment.trialCount, "trial"))"]
        lines.append("  tables:     " + experiment.tables.map(\.name).joined(separator: ", "))
        lines.append("  generators: " + experiment.generators.map(\.label).joined(separator: ", "))
        lines.append("  validators: " + experiment.validators.map(\.label).joined(separator: ", "))
        lines.append("  seeds:      " + experiment.seeds.map(String.init).joined(separator: ", "))
        lines.append("  rows:       " + (experiment.rows.map(String.init) ?? "as many as each training table"))
        if experiment.holdout > 0 { lines.append("  holdout:    \(formatDouble(experiment.holdout)) of each table's rows") }
        let how = experiment.learn ? " (learned where they can be: an inequality as a gap, a dependency as a mapping)" : " (rows that break a rule are left out)"
        let kept = experiment.tables.map { ConditionalSampling.describe(experiment.rules[$0.name] ?? []) }
        if let first = kept.first, let rules = first, kept.allSatisfy({ $0 == first }) {
            lines.append("  keep:       " + rules + how)
        } else if kept.contains(where: { $0 != nil }) {
            for (table, rules) in zip(experiment.tables, kept) {
                if let rules { lines.append("  keep:       \(table.name): " + rules) }
            }
            lines.append("              " + how.trimmingCharacters(in: .whitespaces))
        }
        return lines.joined(separator: "\n")
    }
}
