import Foundation
import SynthKit
import SynthLab
import SynthMath

/// The `figure()` built-in: the report's figures, one at a time, written as SVG files.
enum Figures {
    static let kinds = ["metric", "privacy", "tradeoff", "losses", "distribution", "correlations"]

    static func draw(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        let kind = try Convert.string(frame.value("kind")!, at: frame.location(of: "kind"))
        guard kinds.contains(kind) else {
            throw ShellError("no figure kind '\(kind)'" + Suggest.hint(kind, among: kinds) + " (kinds: \(kinds.joined(separator: ", ")))",
                             at: frame.location(of: "kind"))
        }
        let path = session.resolve(try Convert.string(frame.value("to")!, at: frame.location(of: "to"), what: "a file path"))
        let metric = try frame.value("metric").map { v throws(ShellError) in try Convert.string(v, at: frame.location(of: "metric")) } ?? "quality"
        let svg: String
        switch kind {
        case "metric", "privacy", "tradeoff", "losses":
            guard case .results(let results) = frame.value("value")! else {
                throw ShellError("figure(\"\(kind)\", …) draws experiment results (from run()), got \(frame.value("value")!.typeName)",
                                 at: frame.location(of: "value"))
            }
            if kind == "tradeoff" {
                svg = try tradeoffFigure(results, frame)
            } else {
                if frame.value("against") != nil {
                    throw ShellError("against: is for figure(\"tradeoff\", …), the metric on the x axis", at: frame.location(of: "against"))
                }
                svg = try resultsFigure(kind, results, metric: metric, at: frame.location(of: "metric"))
            }
        default:
            let real = try Convert.table(frame.value("value")!, at: frame.location(of: "value"), what: "the real table")
            guard let syntheticValue = frame.value("synthetic") else {
                throw ShellError("figure(\"\(kind)\", …) needs synthetic: the synthetic table", at: frame.location)
            }
            let synthetic = try Convert.table(syntheticValue, at: frame.location(of: "synthetic"), what: "the synthetic table")
            if kind == "correlations" {
                svg = SVG.correlationDifference(real: real.table, synthetic: synthetic.table)
            } else {
                guard let columnValue = frame.value("column") else {
                    throw ShellError("figure(\"distribution\", …) needs column: a column name", at: frame.location)
                }
                let name = try Convert.string(columnValue, at: frame.location(of: "column"))
                guard let column = real.table.column(named: name) else {
                    throw ShellError("\(real.name) has no column '\(name)'" + Suggest.hint(name, among: real.table.columnNames), at: frame.location(of: "column"))
                }
                guard let other = synthetic.table.column(named: name) else {
                    throw ShellError("\(synthetic.name) has no column '\(name)'", at: frame.location(of: "synthetic"))
                }
                svg = SVG.distribution(real: column, synthetic: other)
            }
        }
        do { try AtomicFile.write(Data(svg.utf8), to: path) } catch {
            throw ShellError.writeFailure(path, error, at: frame.location(of: "to"))
        }
        return .nothing
    }

    /// figure("tradeoff", …): `metric` (y, default quality) against `against` (x), one point per configuration of
    /// the first table where some configuration has both.
    static func tradeoffFigure(_ results: ExperimentResults, _ frame: CallFrame) throws(ShellError) -> String {
        guard let given = frame.value("against") else {
            throw ShellError(#"figure("tradeoff", …) needs against: the metric on the x axis, as in metric: "boosting_f1", against: "mia_auc""#,
                             at: frame.location)
        }
        let x = try Convert.string(given, at: frame.location(of: "against"), what: "a metric name")
        let y = try frame.value("metric").map { v throws(ShellError) in try Convert.string(v, at: frame.location(of: "metric"), what: "a metric name") } ?? "quality"
        try checkReported(y, in: results, at: frame.location(of: "metric"))
        try checkReported(x, in: results, at: frame.location(of: "against"))
        for table in Report.orderedTables(results) {
            if let svg = Report.tradeoff(results, table: table, x: x, y: y) { return svg }
        }
        throw ShellError("no configuration has values of both '\(y)' and '\(x)'", at: frame.location)
    }

    /// Refuses a table-level metric that no trial reported, with the nearest one and the list.
    static func checkReported(_ metric: String, in results: ExperimentResults, at location: SourceLocation) throws(ShellError) {
        let names = results.reportedMetrics
        if !names.contains(metric) {
            let reported = names.isEmpty ? "" : " (the trials reported: \(names.joined(separator: ", ")))"
            throw ShellError("no trial reported '\(metric)'" + Suggest.hint(metric, among: names) + reported, at: location)
        }
    }

    static func resultsFigure(_ kind: String, _ results: ExperimentResults, metric: String, at location: SourceLocation) throws(ShellError) -> String {
        // Without a composed mechanism there is no ε to plot against, whatever the metric.
        if kind == "privacy", !results.trials.contains(where: { $0.epsilon != nil }) {
            throw ShellError("no trial spent privacy: compose a generator with a privacy mechanism", at: location)
        }
        if kind != "losses" { try checkReported(metric, in: results, at: location) }
        switch kind {
        case "metric":
            guard let first = Report.orderedTables(results).lazy.compactMap({ Report.bars(results, table: $0, metric: metric) }).first else {
                throw ShellError("no trial has a value of '\(metric)'", at: location)
            }
            return first
        case "privacy":
            for table in Report.orderedTables(results) {
                if let svg = Report.privacyUtility(results, table: table, metric: metric) { return svg }
            }
            throw ShellError("no trial spent privacy: compose a generator with a privacy mechanism", at: location)
        default:
            for trial in results.trials where trial.error == nil {
                let curves = Report.losses(trial.outcome?.lossHistory ?? [])
                if !curves.isEmpty {
                    return SVG.lines(title: "\(trial.generator) on \(trial.table), seed \(trial.seed)", xLabel: "epoch", yLabel: "loss", series: curves)
                }
            }
            throw ShellError("no trial reported training losses (the neural generators do)", at: location)
        }
    }
}
