import SynthKit
import SynthMath
import SynthMetrics

/// The rare-event use of synthetic data: does adding synthetic rows of the minority class to the
/// real training rows help a model find that class in the real holdout? Trains the chosen model
/// on real rows only and on real rows plus synthetic minority rows (enough to balance the classes
/// by default), and reports recall, F1 and ROC AUC of the minority class for both, and the change.
public struct AugmentationValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "augmentation",
        name: "Minority augmentation",
        version: "1.0.0",
        kind: .validator,
        summary: "Real rows vs real rows plus synthetic minority rows, scored on the holdout's minority class.",
        parameters: [
            .choice("model", ["boosting", "linear"], default: "boosting", help: "The model family to train."),
            .int("rows", default: 0, min: 0, max: 100_000_000,
                 help: "Synthetic minority rows to add; 0 adds enough to match the majority class (or all there are)."),
            .string("minority", default: "", help: "The class to augment (default: the rarest class of the real table)."),
        ],
        validatorNeeds: [.holdout, .target])

    let family: ModelFamily
    let rows: Int
    let minority: String?

    public init(parameters: Parameters, context: PluginContext) throws {
        family = parameters.string("model") == "linear" ? .linear : .boosting
        rows = parameters.int("rows")
        minority = Self.optionalText(parameters, "minority")
    }

    public func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric] {
        let setting = try UtilitySetting(input, positive: nil)
        let problem = setting.problem
        let names = ["minority_recall", "minority_f1", "minority_roc_auc"]
        func unavailable(_ reason: String) -> [Metric] {
            names.flatMap { name in
                ["_real", "_augmented", "_gain"].map {
                    Metric(name: name + $0, notApplicable: reason, goal: $0 == "_real" ? .none : .maximize,
                           range: $0 == "_gain" ? -1...1 : 0...1)
                }
            }
        }
        guard case .classification(let classes) = problem.task else {
            return unavailable("'\(problem.target)' is numeric; augmentation needs classes")
        }
        let real = try problem.labelled(input.real), synthetic = try problem.labelled(input.synthetic)
        var counts = [Int](repeating: 0, count: classes.count)
        for label in real.targets { counts[Int(label)] += 1 }
        let target: Int
        if let minority {
            guard let index = classes.firstIndex(of: minority) else {
                throw PluginError.invalidArgument("minority class '\(minority)' is not a class of '\(problem.target)' (\(classes.joined(separator: ", ")))")
            }
            target = index
        } else {
            target = counts.indices.filter { counts[$0] > 0 }.min { counts[$0] < counts[$1] } ?? 0
        }
        guard counts.filter({ $0 > 0 }).count >= 2 else { return unavailable("the real table's '\(problem.target)' has a single class") }
        let available = synthetic.targets.indices.filter { Int(synthetic.targets[$0]) == target }
        guard !available.isEmpty else { return unavailable("the synthetic table has no row of class '\(classes[target])'") }
        let wanted = rows > 0 ? rows : max((counts.max() ?? 0) - counts[target], 1)
        let chosen = Array(available.prefix(wanted))
        if chosen.count < wanted {
            context.log(.info, "augmentation: \(wanted) synthetic '\(classes[target])' rows wanted, \(chosen.count) available")
        }
        let added = synthetic.table.rows(chosen)
        let augmented: Table
        do {
            augmented = try real.table.appendingRows(of: added)
        } catch {
            throw PluginError.invalidArgument("the synthetic table: \(error.description)")
        }
        let truth = setting.truth.map { Int($0) }
        var results: [String: [Double?]] = [:]
        for (train, targets, label) in [(real.table, real.targets, "real"), (augmented, real.targets + chosen.map { _ in Double(target) }, "augmented")] {
            try context.checkCancellation()
            let predictions = try problem.fitAndPredict(family, train: train, targets: targets, test: setting.holdout,
                                                        random: context.random("augmentation.\(label)"),
                                                        cancelled: { try context.checkCancellation() })
            let predicted = predictions.classes
            let positives = truth.filter { $0 == target }.count
            let hits = zip(predicted, truth).filter { $0 == target && $1 == target }.count
            let scores = (0..<predictions.rows).map { predictions.values[$0 * predictions.width + target] }
            results[label] = [positives > 0 ? Double(hits) / Double(positives) : nil,
                              Scores.f1(predicted, truth, positive: target),
                              Scores.rocAUC(scores, positive: truth.map { $0 == target })]
        }
        var metrics: [Metric] = []
        let missing = "the holdout has no row of class '\(classes[target])', or only that class"
        for (index, name) in names.enumerated() {
            let before = results["real"]![index], after = results["augmented"]![index]
            // Real rows alone: the baseline, the same for every generator.
            metrics.append(Metric(name: name + "_real", value: before, orElse: missing, goal: .none, range: 0...1))
            metrics.append(Metric(name: name + "_augmented", value: after, orElse: missing, goal: .maximize, range: 0...1))
            metrics.append(Metric(name: name + "_gain", value: before.flatMap { b in after.map { $0 - b } }, orElse: missing,
                                  goal: .maximize, range: -1...1))
        }
        context.log(.info, "augmentation: \(chosen.count) synthetic '\(classes[target])' rows added to \(real.table.rowCount) real rows")
        return metrics
    }
}
