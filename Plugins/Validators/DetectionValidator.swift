import SynthKit
import SynthMath
import SynthMetrics

/// A classifier two-sample test: can a model tell real rows from synthetic ones? Equal numbers of
/// each (at most `max_rows` a side, drawn at random), labelled, and scored by stratified k-fold
/// cross-validated ROC AUC for logistic regression and boosted trees (three folds, as SDMetrics'
/// detection metrics). Reported as SDMetrics' detection score, 1 − mean over folds of
/// (2·max(AUC, ½) − 1): 1 when the model does no better than chance, 0 when it separates them
/// perfectly. The mean AUC is reported beside it.
public struct DetectionValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "detection",
        name: "Detection (classifier two-sample test)",
        version: "1.0.0",
        kind: .validator,
        summary: "Cross-validated ROC AUC of models telling real from synthetic rows, as a score where 1 is indistinguishable.",
        parameters: [
            .choice("models", ["both", "linear", "boosting"], default: "both", help: "Which model families to train."),
            .int("folds", default: 3, min: 2, max: 20, help: "Cross-validation folds."),
            .int("max_rows", default: 20_000, min: 10, max: 100_000_000, help: "Rows drawn from each table at most."),
        ])

    let families: [ModelFamily]
    let folds: Int
    let maxRows: Int

    public init(parameters: Parameters, context: PluginContext) throws {
        families = switch parameters.string("models") {
        case "linear": [.linear]
        case "boosting": [.boosting]
        default: [.linear, .boosting]
        }
        folds = parameters.int("folds")
        maxRows = parameters.int("max_rows")
    }

    public func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric] {
        let side = min(input.real.rowCount, input.synthetic.rowCount, maxRows)
        func unavailable(_ reason: String) -> [Metric] {
            families.flatMap { family in
                let label = family.label(for: .classification(classes: ["real", "synthetic"]))
                return [Metric(name: "\(label)_detection", notApplicable: reason, goal: .maximize, range: 0...1),
                        Metric(name: "\(label)_detection_auc", notApplicable: reason, goal: .none, range: 0...1)]
            }
        }
        guard side >= folds else { return unavailable("fewer than \(folds) rows in a table") }
        var random = context.random("detection.rows")
        let realRows = Array(random.permutation(input.real.rowCount).prefix(side)).sorted()
        let syntheticRows = Array(random.permutation(input.synthetic.rowCount).prefix(side)).sorted()
        let label = "__synthlab_is_synthetic"
        func labelled(_ table: Table, _ rows: [Int], _ flag: Bool) throws -> Table {
            let picked = table.rows(rows)
            var columns: [Column] = []
            for real in input.real.columns {
                guard let column = picked.column(named: real.name) else {
                    throw PluginError.invalidArgument("the synthetic table has no column '\(real.name)'")
                }
                columns.append(column)
            }
            columns.append(Column(name: label, values: .categorical(codes: [Int32](repeating: flag ? 1 : 0, count: rows.count),
                                                                     levels: ["real", "synthetic"])))
            return try Table(columns: columns)
        }
        let realPart = try labelled(input.real, realRows, false), syntheticPart = try labelled(input.synthetic, syntheticRows, true)
        // Stratified folds: row i of each side goes to fold (position in a shuffled order) mod k.
        let foldOf = { (count: Int, name: String) -> [Int] in
            var generator = context.random("detection.folds." + name)
            var fold = [Int](repeating: 0, count: count)
            for (position, row) in generator.permutation(count).enumerated() { fold[row] = position % self.folds }
            return fold
        }
        let realFold = foldOf(side, "real"), syntheticFold = foldOf(side, "synthetic")
        let task = LearningTask.classification(classes: ["real", "synthetic"])
        let problem = try SupervisedProblem(target: label, reference: realPart, task: task)
        var metrics: [Metric] = []
        for family in families {
            var aucs: [Double] = []
            for fold in 0..<folds {
                try context.checkCancellation()
                let trainReal = realPart.rows((0..<side).filter { realFold[$0] != fold })
                let trainSynthetic = syntheticPart.rows((0..<side).filter { syntheticFold[$0] != fold })
                let testReal = realPart.rows((0..<side).filter { realFold[$0] == fold })
                let testSynthetic = syntheticPart.rows((0..<side).filter { syntheticFold[$0] == fold })
                let train: Table, test: Table
                do {
                    train = try trainReal.appendingRows(of: trainSynthetic)
                    test = try testReal.appendingRows(of: testSynthetic)
                } catch {
                    throw PluginError.invalidArgument("the synthetic table: \(error.description)")
                }
                let targets = [Double](repeating: 0, count: trainReal.rowCount) + [Double](repeating: 1, count: trainSynthetic.rowCount)
                let predictions: Predictions
                do {
                    predictions = try problem.fitAndPredict(family, train: train, targets: targets, test: test,
                                                            random: context.random("detection.\(family.rawValue).\(fold)"),
                                                            cancelled: { try context.checkCancellation() })
                } catch let error as MetricsError {
                    return unavailable("the model could not be fitted: \(error.description)")
                }
                let truth = [Bool](repeating: false, count: testReal.rowCount) + [Bool](repeating: true, count: testSynthetic.rowCount)
                if let auc = Scores.rocAUC((0..<predictions.rows).map { predictions.values[$0 * 2 + 1] }, positive: truth) {
                    aucs.append(auc)
                }
                context.progress(Double(fold + 1) / Double(folds), "detection: \(family.label(for: task)) fold \(fold + 1) of \(folds)")
            }
            let name = family.label(for: task)
            let auc = aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count)
            let advantage = aucs.isEmpty ? nil : aucs.map { 2 * max($0, 0.5) - 1 }.reduce(0, +) / Double(aucs.count)
            metrics.append(Metric(name: "\(name)_detection", value: advantage.map { 1 - $0 },
                                  orElse: "no fold had both kinds of row", goal: .maximize, range: 0...1))
            metrics.append(Metric(name: "\(name)_detection_auc", value: auc, orElse: "no fold had both kinds of row",
                                  goal: .none, range: 0...1))
        }
        return metrics
    }
}
