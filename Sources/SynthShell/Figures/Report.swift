import Foundation
import SynthKit
import SynthLab
import SynthMath
import SynthMetrics

/// The self-contained HTML report of experiment results: the comparison table, figures (metric
/// bars with error bars, privacy–utility curves, fidelity and utility against a membership
/// attack's AUC, the rules broken, training losses, real vs synthetic marginals and
/// the correlation difference of each configuration's first seed), what the trials cost, failed
/// trials and provenance.
enum Report {
    /// Metrics drawn as bars, in this order when present.
    static let preferredMetrics = ["quality", "column_shapes", "column_pair_trends", "boosting_f1", "boosting_r2", "logistic_f1",
                                   "linear_r2", "boosting_detection", "logistic_detection", "dcr_ratio", "mia_auc"]

    static func html(_ results: ExperimentResults) -> String {
        var body = "<h1>SynthLab experiment report</h1>\n"
        let trials = results.trials
        let done = trials.filter { $0.error == nil }.count
        body += "<p class=\"note\">\(counted(trials.count, "trial")), \(done) done, \(trials.count - done) failed. Made \(ISO8601DateFormatter().string(from: Date())).</p>\n"
        body += "<h2>Comparison</h2>\n<p class=\"note\">Mean ± sd over seeds; the best mean of each metric in bold; rank is the mean rank over the metrics that have a goal.</p>\n"
        body += Views.summary(results).renderHTMLTable()
        let notes = Views.summaryNotes(results)
        if !notes.isEmpty { body += "<p class=\"note\">" + notes.map(HTMLPage.escape).joined(separator: "<br>\n") + "</p>\n" }
        body += pairedDifferences(results)
        body += metricFigures(results)
        body += privacyFigures(results)
        body += riskFigures(results)
        body += ruleTables(results)
        body += lossFigures(results)
        body += dataFigures(results)
        body += costs(results)
        let failed = trials.filter { $0.error != nil }
        if !failed.isEmpty {
            body += "<h2>Failed trials</h2>\n<ul>\n" + failed.map {
                "<li>\(HTMLPage.escape($0.table)) · \(HTMLPage.escape($0.generator)) · seed \($0.seed): \(HTMLPage.escape($0.error ?? ""))</li>\n"
            }.joined() + "</ul>\n"
        }
        body += provenance(results)
        return HTMLPage.document(title: "SynthLab experiment report", body: body)
    }

    /// What each configuration's trials cost (`costs()`); nothing for results that ran no trial
    /// (validate()'s).
    static func costs(_ results: ExperimentResults) -> String {
        guard let costs = Views.costs(results) else { return "" }
        return "<h2>Costs</h2>\n<p class=\"note\">Each configuration's trials that ran: the mean ± sd of their seconds to fit, sample "
            + "and validate, and of their worker process's peak resident memory, as <code>costs()</code> gives them, measured on the "
            + "machine that ran them.</p>\n" + costs.renderHTMLTable()
    }

    /// The first metric with a goal, each configuration against the one with the best mean on its
    /// table, paired by seed (`compare`); nothing when no pair shares two seeds.
    static func pairedDifferences(_ results: ExperimentResults) -> String {
        guard let metric = metricsToDraw(results).first, let goal = Views.summaryMetrics(results).goals[metric] else { return "" }
        var rows: [[ResultTable.Cell]] = []
        var columns: [String] = []
        for table in orderedTables(results) {
            let means = configurations(results, table: table).compactMap { label, trials in
                meanAndStandardDeviation(trials.compactMap { $0.value(of: metric) }).map { (label, $0.mean) }
            }
            guard means.count > 1, goal != .none, let best = means.min(by: { goal.rankingKey($0.1)! < goal.rankingKey($1.1)! }) else { continue }
            let view = Views.compare(ExperimentResults(trials: results.trials.filter { $0.table == table }), metric: metric, baseline: best.0)
            columns = view.columns
            rows += view.rows
        }
        // Worth showing only where some pair has an interval (two seeds or more).
        guard !columns.isEmpty, let low = columns.firstIndex(of: "95% low"), rows.contains(where: { $0[low] != .empty }) else { return "" }
        return "<h2>Paired differences</h2>\n<p class=\"note\">Each configuration against the best mean of \(HTMLPage.escape(metric)) on its table, "
            + "paired by seed (a seed's trials share its split): the mean difference, its 95 % interval, a paired t-test's p-value and "
            + "Holm's adjustment over the table's comparisons, as <code>compare()</code> gives them.</p>\n"
            + ResultTable(columns: columns, rows: rows).renderHTMLTable()
    }

    /// Per table, one bar chart per metric: each configuration's mean over seeds, ± one sd.
    static func metricFigures(_ results: ExperimentResults) -> String {
        var out = ""
        for table in orderedTables(results) {
            let figures = metricsToDraw(results).compactMap { bars(results, table: table, metric: $0) }
            if !figures.isEmpty { out += "<h2>Metrics: \(HTMLPage.escape(table))</h2>\n<div class=\"figures\">\n" + figures.joined() + "</div>\n" }
        }
        return out
    }

    /// The mean of `values` and their sample standard deviation (nil for a single value); nil for
    /// none.
    static func spread(_ values: [Double]) -> (mean: Double, sd: Double?)? {
        meanAndStandardDeviation(values).map { ($0.mean, values.count > 1 ? $0.standardDeviation : nil) }
    }

    /// Bars of one metric on one table: each configuration's mean over seeds, ± one sd; nil when
    /// no trial has a value.
    static func bars(_ results: ExperimentResults, table: String, metric: String) -> String? {
        var labels: [String] = [], means: [Double] = [], deviations: [Double?] = []
        for (label, trials) in configurations(results, table: table) {
            guard let summary = spread(trials.compactMap { $0.value(of: metric) }) else { continue }
            labels.append(label)
            means.append(summary.mean)
            deviations.append(summary.sd)
        }
        guard !labels.isEmpty else { return nil }
        return SVG.bars(title: "\(metric) on \(table)", metric: metric, labels: labels, means: means, deviations: deviations)
    }

    /// Where the constraints validator ran: per table, each configuration's share of synthetic
    /// rows that break each rule (mean ± sd over seeds), under the real rows' own share.
    static func ruleTables(_ results: ExperimentResults) -> String {
        var out = ""
        for table in orderedTables(results) {
            var rules: [String] = []
            for trial in results.trials where trial.table == table {
                for result in trial.metrics where result.metric.name == "constraint_violations" && result.metric.hasValue {
                    if let rule = result.metric.column, !rules.contains(rule) { rules.append(rule) }
                }
            }
            guard !rules.isEmpty else { continue }
            func cell(_ trials: [TrialResult], _ metric: String, _ rule: String) -> ResultTable.Cell {
                let values = trials.compactMap { trial in
                    trial.metrics.first { $0.metric.name == metric && $0.metric.column == rule && $0.metric.hasValue }?.metric.value
                }
                return spread(values).map { .estimate($0.mean, sd: $0.sd, digits: 4) } ?? .empty
            }
            let groups = configurations(results, table: table)
            var rows: [[ResultTable.Cell]] = [[.text("real rows")] + rules.map { cell(groups.flatMap(\.1), "constraint_violations_real", $0) }]
            rows += groups.map { label, trials in [.text(label)] + rules.map { cell(trials, "constraint_violations", $0) } }
            // What the trials' models were made to keep (experiment(keep:)), and how.
            var kept = ""
            let specs = results.trials.filter { $0.table == table }.compactMap(\.spec)
            if let rules = specs.first?.rules, specs.allSatisfy({ $0.rules == rules && $0.learnsRules == specs.first?.learnsRules }) {
                kept = " Every model was made to keep " + HTMLPage.escape(rules)
                    + (specs.first?.learnsRules == true ? ", learning each rule it could (an inequality as a gap, a dependency as a mapping)."
                                                      : ", leaving out the rows that broke one.")
            }
            out += "<h2>Rules: \(HTMLPage.escape(table))</h2>\n<p class=\"note\">The share of rows that break each rule, mean ± sd over "
                + "seeds: the real rows' first, then each configuration's synthetic rows.\(kept)</p>\n"
                + ResultTable(columns: ["rows"] + rules, rows: rows).renderHTMLTable()
        }
        return out
    }

    /// Where the trials ran a membership attack: fidelity and utility against its AUC, one point
    /// per configuration, on each table.
    static func riskFigures(_ results: ExperimentResults) -> String {
        let reported = Set(results.reportedMetrics)
        guard reported.contains("mia_auc") else { return "" }
        let against = ["quality", "boosting_f1", "boosting_r2", "logistic_f1", "linear_r2"].filter(reported.contains).prefix(2)
        var out = ""
        for table in orderedTables(results) {
            let figures = against.compactMap { tradeoff(results, table: table, x: "mia_auc", y: $0) }
            if !figures.isEmpty {
                out += "<h2>Fidelity, utility and privacy risk: \(HTMLPage.escape(table))</h2>\n<p class=\"note\">Each configuration's mean "
                    + "over seeds, ± one sd on either axis; a membership attack's AUC of 0.5 learns nothing.</p>\n<div class=\"figures\">\n"
                    + figures.joined() + "</div>\n"
            }
        }
        return out
    }

    /// Two metrics of each configuration on one table, as a point at their means over the seeds
    /// with ± one sd on either axis; nil when no configuration has both.
    static func tradeoff(_ results: ExperimentResults, table: String, x: String, y: String) -> String? {
        var points: [(name: String, x: Double, xSD: Double?, y: Double, ySD: Double?)] = []
        for (label, trials) in configurations(results, table: table) {
            guard let a = spread(trials.compactMap { $0.value(of: x) }), let b = spread(trials.compactMap { $0.value(of: y) }) else { continue }
            points.append((label, a.mean, a.sd, b.mean, b.sd))
        }
        guard !points.isEmpty else { return nil }
        return SVG.scatter(title: "\(y) against \(x) on \(table)", xLabel: x, yLabel: y, points: points)
    }

    /// ε spent against a utility metric, one line per generator across its privacy settings.
    static func privacyFigures(_ results: ExperimentResults) -> String {
        guard results.trials.contains(where: { $0.epsilon != nil }) else { return "" }
        var out = ""
        for table in orderedTables(results) {
            var figures: [String] = []
            for metric in metricsToDraw(results).prefix(3) {
                if let svg = privacyUtility(results, table: table, metric: metric) { figures.append(svg) }
            }
            if !figures.isEmpty { out += "<h2>Privacy and utility: \(HTMLPage.escape(table))</h2>\n<div class=\"figures\">\n" + figures.joined() + "</div>\n" }
        }
        return out
    }

    /// One line per generator configuration (its plugin and parameters, whatever the privacy
    /// mechanism's), through the ε each of its privacy settings spent.
    static func privacyUtility(_ results: ExperimentResults, table: String, metric: String) -> String? {
        var series: [String: (labels: [String], points: [(Double, Double)])] = [:]
        var order: [String] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (label, trials) in configurations(results, table: table) {
            let spent = trials.compactMap(\.epsilon)
            guard let epsilon = spent.max(), let mean = meanAndStandardDeviation(trials.compactMap { $0.value(of: metric) })?.mean else { continue }
            let key = trials.first?.spec.flatMap { try? encoder.encode($0.generator) }.map { String(decoding: $0, as: UTF8.self) }
                ?? (label.components(separatedBy: " with ").first ?? label)
            if series[key] == nil { order.append(key) }
            series[key, default: ([], [])].labels.append(label)
            series[key, default: ([], [])].points.append((epsilon, mean))
        }
        guard !series.isEmpty else { return nil }
        return SVG.lines(title: "\(metric) against ε on \(table)", xLabel: "ε spent", yLabel: metric,
                         series: order.map { (seriesName(series[$0]!.labels), series[$0]!.points.sorted { $0.0 < $1.0 }) }, markers: true)
    }

    /// What a line's configurations share: the generator before " with " ("independent with
    /// laplace(epsilon: 1.0)"), or the name before the parameters named() added ("noisy (epsilon: 1.0)").
    static func seriesName(_ labels: [String]) -> String {
        if labels.allSatisfy({ $0.contains(" with ") }) { return labels[0].components(separatedBy: " with ")[0] }
        let stems = labels.map { label in label.range(of: " (", options: .backwards).map { String(label[..<$0.lowerBound]) } ?? label }
        return labels.count > 1 && Set(stems).count == 1 ? stems[0] : labels[0]
    }

    /// Each numeric loss a generator reported per epoch ("epoch 3/300 loss_g=… loss_d=…"), for
    /// the first seed of each configuration that reported any.
    static func lossFigures(_ results: ExperimentResults) -> String {
        var figures: [String] = []
        var seen = Set<String>()
        for trial in results.trials where trial.error == nil && !seen.contains(trial.table + "\u{0}" + trial.generator) {
            seen.insert(trial.table + "\u{0}" + trial.generator)
            let curves = losses(trial.outcome?.lossHistory ?? [])
            guard !curves.isEmpty else { continue }
            figures.append(SVG.lines(title: "\(trial.generator) on \(trial.table), seed \(trial.seed)", xLabel: "epoch", yLabel: "loss",
                                     series: curves))
        }
        guard !figures.isEmpty else { return "" }
        return "<h2>Training losses</h2>\n<div class=\"figures\">\n" + figures.joined() + "</div>\n"
    }

    /// The series of `name=value` pairs in progress messages that start with "epoch N".
    static func losses(_ messages: [String]) -> [(name: String, points: [(Double, Double)])] {
        var series: [String: [(Double, Double)]] = [:]
        var order: [String] = []
        for message in messages where message.hasPrefix("epoch ") {
            let words = message.split(separator: " ")
            guard words.count > 1, let epoch = Double(words[1].split(separator: "/")[0]) else { continue }
            for word in words.dropFirst(2) {
                let parts = word.split(separator: "=")
                guard parts.count == 2, let value = Double(parts[1]), value.isFinite else { continue }
                let name = String(parts[0])
                if series[name] == nil { order.append(name) }
                series[name, default: []].append((epoch, value))
            }
        }
        return order.map { ($0, series[$0]!) }
    }

    /// Real vs synthetic marginals and the correlation difference, for the kept sample of each
    /// configuration (its first seed), at most four configurations and sixteen columns.
    static func dataFigures(_ results: ExperimentResults) -> String {
        var out = ""
        var drawn = 0
        for trial in results.trials where drawn < 4 {
            guard trial.error == nil, let spec = trial.spec, let path = spec.samplePath,
                  FileManager.default.fileExists(atPath: path),
                  let real = try? spec.table.read() else { continue }
            guard let synthetic = try? spec.table.read(path) else { continue }
            let training = TrialRunner.split(real, share: spec.holdout, seed: spec.seed).training
            drawn += 1
            out += "<h2>Real and synthetic: \(HTMLPage.escape(trial.table)) · \(HTMLPage.escape(trial.generator)) · seed \(trial.seed)</h2>\n<div class=\"figures\">\n"
            for column in training.columns.prefix(16) {
                guard let other = synthetic.column(named: column.name) else { continue }
                out += SVG.distribution(real: column, synthetic: other)
            }
            if training.columns.filter({ ColumnShape($0.kind) == .continuous }).count >= 2 {
                out += SVG.correlationDifference(real: training, synthetic: synthetic)
            }
            out += "</div>\n"
        }
        return out
    }

    /// How every result was made: tables by content hash, each configuration's plugins, versions
    /// and parameters, seeds, ε and δ spent, and each trial's key in the results store.
    static func provenance(_ results: ExperimentResults) -> String {
        var out = "<h2>Provenance</h2>\n<div class=\"wide\">\n<table>\n<thead><tr><th>table</th><th>SHA-256 of the table</th><th>generator</th><th>plugins</th><th>parameters</th><th>seed</th><th>ε</th><th>δ</th><th>trial key</th></tr></thead>\n<tbody>\n"
        for trial in results.trials {
            guard let spec = trial.spec else { continue }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let parameters = (try? encoder.encode(["generator": [spec.generator], "privacy": spec.privacy.map { [$0] } ?? [],
                                                   "validators": spec.validators]))
                .map { String(decoding: $0, as: UTF8.self) } ?? ""
            out += "<tr><td>\(HTMLPage.escape(trial.table))</td><td><code>\(spec.table.sha256)</code></td><td>\(HTMLPage.escape(trial.generator))</td>"
            out += "<td>\(HTMLPage.escape(spec.versions.joined(separator: ", ")))</td><td><code>\(HTMLPage.escape(parameters))</code></td>"
            out += "<td class=\"n\">\(trial.seed)</td><td class=\"n\">\(trial.epsilon.map { String(format: "%.4g", $0) } ?? "")</td>"
            out += "<td class=\"n\">\(trial.delta.map { String(format: "%.3g", $0) } ?? "")</td><td><code>\(spec.key.prefix(16))</code></td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</div>\n"
    }

    static func orderedTables(_ results: ExperimentResults) -> [String] {
        var order: [String] = []
        for trial in results.trials where !order.contains(trial.table) { order.append(trial.table) }
        return order
    }

    static func configurations(_ results: ExperimentResults, table: String) -> [(String, [TrialResult])] {
        var order: [String] = []
        var groups: [String: [TrialResult]] = [:]
        for trial in results.trials where trial.table == table {
            if groups[trial.generator] == nil { order.append(trial.generator) }
            groups[trial.generator, default: []].append(trial)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// The table-level metrics with a goal that some trial computed, the preferred ones first.
    static func metricsToDraw(_ results: ExperimentResults) -> [String] {
        let (names, goals) = Views.summaryMetrics(results)
        let present = names.filter { goals[$0] != MetricGoal.none }
        let preferred = preferredMetrics.filter(present.contains)
        return Array((preferred + present.filter { !preferred.contains($0) }).prefix(8))
    }
}
